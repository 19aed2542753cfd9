import { PolicyError } from "../errors.js";
import type { Host } from "../host/host.js";
import type { DevEnvFile } from "../modules/dev-env.js";

export interface DevEnvResult {
  written: string[];
  unchanged: string[];
  backedUp: string[];
}

/**
 * Writes a dev-env template into a project. Checks every file first, so a
 * conflict changes nothing; with `force`, a differing file is moved to
 * `<file>.dotops-backup` before it is replaced, never overwritten.
 */
export async function writeDevEnv(
  host: Host,
  dir: string,
  files: DevEnvFile[],
  opts: { force?: boolean } = {},
): Promise<DevEnvResult> {
  const result: DevEnvResult = { written: [], unchanged: [], backedUp: [] };
  const todo: { file: DevEnvFile; abs: string; backup?: string }[] = [];
  const conflicts: string[] = [];
  for (const file of files) {
    const abs = `${dir}/${file.path}`;
    const st = await host.lstat(abs);
    if (!st) todo.push({ file, abs });
    else if (st.type === "file" && (await host.readFile(abs)).equals(file.data))
      result.unchanged.push(file.path);
    else if (!opts.force) conflicts.push(`${file.path} exists and differs`);
    else if (await host.lstat(`${abs}.dotops-backup`))
      conflicts.push(`${file.path}.dotops-backup already exists`);
    else todo.push({ file, abs, backup: `${abs}.dotops-backup` });
  }
  if (conflicts.length) {
    throw new PolicyError(
      `not writing the dev environment into ${dir}: ${conflicts.join("; ")}`,
      opts.force
        ? "move the old backups away and retry"
        : "rerun with --force to keep the existing files as .dotops-backup",
    );
  }
  for (const t of todo) {
    await host.mkdir(t.abs.slice(0, t.abs.lastIndexOf("/")));
    if (t.backup) {
      await host.rename(t.abs, t.backup);
      result.backedUp.push(t.file.path);
    }
    await host.writeFile(t.abs, t.file.data, t.file.executable ? 0o755 : 0o644);
    result.written.push(t.file.path);
  }
  return result;
}
