import { dirname, relative, resolve } from "node:path";
import { PolicyError, UsageError } from "../errors.js";
import type { Host } from "../host/host.js";
import type { Manifest } from "../resources/types.js";

/**
 * `dotops adopt`: the paths a user already has in HOME become managed
 * dotfiles. This part decides what to do and copies the files into the repo
 * (all I/O through the Host); the command then edits the YAML and runs the
 * normal apply, which takes each file over because its bytes are identical.
 */

/** `~/.config/foo/bar` → `files/config/foo/bar`: the path in HOME without its leading dot. */
export function repoPathFor(id: string): string {
  return `files/${id.slice(2).replace(/^\./, "")}`;
}

/** Permissions a linked dotfile keeps (the store has 0444/0555, Git keeps the exec bit); others need a copy. */
const LINKABLE = new Set([0o644, 0o755]);

export interface AdoptedFile {
  /** Absolute paths in HOME and in the repo. */
  from: string;
  to: string;
  mode: number;
  /** Path inside the adopted directory ("" for a file). */
  rel: string;
  /** A symlink's text, kept as a symlink in the repo. */
  link?: string;
}

export interface Adoption {
  id: string;
  files: AdoptedFile[];
  /** The files.yaml entries that manage it. */
  entries: Record<string, string>[];
}

export interface AdoptInput {
  home: string;
  stateDir: string;
  repoDir: string;
  /** As the user typed them, resolved against `cwd`. */
  paths: string[];
  cwd: string;
  /** What the config manages now (the work tree's manifest). */
  manifest: Manifest;
}

const inside = (child: string, parent: string) => child === parent || child.startsWith(`${parent}/`);

/** Checks every path before anything is touched; one bad path changes nothing. */
export async function planAdoption(host: Host, input: AdoptInput): Promise<Adoption[]> {
  const home = await host.realpath(input.home).catch(() => input.home);
  const out: Adoption[] = [];
  const repoPaths = new Map<string, string>();
  for (const given of input.paths) {
    const abs = resolve(input.cwd, given.replace(/^~(?=\/|$)/, input.home));
    const rel = inside(abs, input.home) ? relative(input.home, abs) : null;
    const parentReal = await host.realpath(dirname(abs)).catch(() => null);
    if (!rel || parentReal === null || !inside(parentReal, home))
      throw new UsageError(
        `cannot adopt ${given}: it is outside HOME (${input.home})`,
        "dotops manages files inside your home directory only",
      );
    const id = `~/${rel}`;
    for (const [dir, what] of [
      [input.stateDir, "dotops' state dir"],
      [input.repoDir, "the config repo"],
    ] as const)
      if (inside(abs, dir) || inside(dir, abs))
        throw new UsageError(`cannot adopt ${given}: it is or holds ${what} (${dir})`);
    const st = await host.lstat(abs);
    if (!st) throw new UsageError(`cannot adopt ${given}: there is nothing at ${abs}`);
    if (st.type === "symlink") {
      const text = await host.readlink(abs);
      const to = resolve(dirname(abs), text);
      if (inside(to, input.stateDir))
        throw new PolicyError(
          `cannot adopt ${given}: it is already managed by dotops (a link into ${input.stateDir})`,
          "its source is in the config repo already (see home/files.yaml)",
        );
      throw new UsageError(
        `cannot adopt ${given}: it is a symlink (to ${text})`,
        "adopt the file it points to, or replace the link by the file first",
      );
    }
    const managed = input.manifest.resources.find(
      (r) => r.kind !== "dir" && r.id.startsWith("~/") && (r.id === id || r.id.startsWith(`${id}/`)),
    );
    if (managed)
      throw new PolicyError(
        `cannot adopt ${given}: ${managed.id === id ? "it is" : `${managed.id} inside it is`} already managed${managed.origin ? ` (${managed.origin.file}:${managed.origin.line})` : ""}`,
        "edit that entry instead, or remove it before adopting",
      );
    const base = repoPathFor(id);
    const files =
      st.type === "dir"
        ? await walk(host, abs, `${input.repoDir}/${base}`, "")
        : st.type === "file"
          ? [{ from: abs, to: `${input.repoDir}/${base}`, mode: st.mode, rel: "" }]
          : [];
    if (st.type === "other") throw new UsageError(`cannot adopt ${given}: not a file or directory`);
    if (!files.length) throw new UsageError(`cannot adopt ${given}: the directory holds no files`);
    for (const f of files) {
      const other = repoPaths.get(f.to);
      if (other) throw new UsageError(`cannot adopt ${given}: ${other} goes to the same repo path ${f.to}`);
      repoPaths.set(f.to, given);
      if (await host.lstat(f.to))
        throw new UsageError(
          `cannot adopt ${given}: ${relative(input.repoDir, f.to)} already exists in the config repo`,
          "move it away, or add the entry to home/files.yaml by hand",
        );
    }
    out.push({ id, files, entries: entriesFor(id, base, st.type === "dir", files) });
  }
  return out;
}

/**
 * One entry for a file, or for a directory whose files all link; a directory
 * holding files with other permissions (0600) gets one entry per file, those
 * as copies with their permissions.
 */
function entriesFor(
  id: string,
  base: string,
  isDir: boolean,
  files: AdoptedFile[],
): Record<string, string>[] {
  const copy = (f: AdoptedFile): Record<string, string> =>
    f.link === undefined && !LINKABLE.has(f.mode)
      ? { mode: "copy", permissions: `0${(f.mode & 0o777).toString(8)}` }
      : {};
  const hasLinks = files.some((f) => f.link !== undefined);
  if (!isDir) return [{ target: id, source: base, ...copy(files[0] as AdoptedFile) }];
  if (files.every((f) => f.link !== undefined || LINKABLE.has(f.mode)))
    return [{ target: id, source: base, ...(hasLinks ? { symlinks: "keep" } : {}) }];
  return files.map((f) => ({
    target: `${id}/${f.rel}`,
    source: `${base}/${f.rel}`,
    ...copy(f),
    ...(f.link !== undefined ? { symlinks: "keep" } : {}),
  }));
}

async function walk(host: Host, dir: string, to: string, rel: string): Promise<AdoptedFile[]> {
  const out: AdoptedFile[] = [];
  for (const name of (await host.readdir(dir)).sort()) {
    const from = `${dir}/${name}`;
    const r = rel ? `${rel}/${name}` : name;
    const st = await host.lstat(from);
    if (!st) continue;
    const file = { from, to: `${to}/${name}`, mode: st.mode, rel: r };
    if (st.type === "dir") out.push(...(await walk(host, from, file.to, r)));
    else if (st.type === "file") out.push(file);
    else if (st.type === "symlink") out.push({ ...file, link: await host.readlink(from) });
    else throw new UsageError(`cannot adopt ${from}: not a file, directory or symlink`);
  }
  return out;
}

/**
 * Copies the files into the repo with their bytes and permissions, checking
 * each copy; `written` lists what it made (files, then directories), so a
 * failure can take it all back.
 */
export async function copyIntoRepo(host: Host, adoptions: Adoption[], written: string[]): Promise<void> {
  for (const f of adoptions.flatMap((a) => a.files)) {
    await mkdirs(host, dirname(f.to), written);
    if (f.link !== undefined) await host.symlink(f.link, f.to);
    else await host.writeFile(f.to, await host.readFile(f.from), f.mode);
    written.push(f.to);
    const back = f.link === undefined ? await host.readFile(f.to) : null;
    if (back && !back.equals(await host.readFile(f.from)))
      throw new Error(`copy of ${f.from} to ${f.to} differs from the original`);
  }
}

/** Takes back what copyIntoRepo (and mkdirs) wrote: files, then the directories it made, deepest first. */
export async function removeWritten(host: Host, written: string[]): Promise<void> {
  for (const p of [...written].reverse()) {
    const st = await host.lstat(p);
    if (st?.type === "dir") await host.rmdir(p);
    else if (st) await host.unlink(p);
  }
}

export async function mkdirs(host: Host, dir: string, made: string[]): Promise<void> {
  if (await host.lstat(dir)) return;
  await mkdirs(host, dirname(dir), made);
  await host.mkdir(dir, 0o755);
  made.push(dir);
}
