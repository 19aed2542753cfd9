import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import type { ConfigSource, SourceFile } from "../config/source.js";
import { git, isGitRepo, resolveCommit } from "./git.js";

/**
 * The config as it is in the Git tree at `rev`: read with `ls-tree` and one
 * `cat-file --batch`, never by checking out (the work tree may be dirty).
 */
export async function commitSource(repo: string, rev = "HEAD"): Promise<ConfigSource> {
  const sha = await resolveCommit(repo, rev);
  const tree = (await git(repo, ["ls-tree", "-r", "-z", "--full-tree", sha])).stdout.toString("utf8");
  const entries: { path: string; oid: string; mode: string }[] = [];
  for (const rec of tree.split("\0")) {
    if (!rec) continue;
    const tab = rec.indexOf("\t");
    const [mode, type, oid] = rec.slice(0, tab).split(" ");
    if (type === "blob" && mode && oid) entries.push({ path: rec.slice(tab + 1), oid, mode });
  }
  const files = new Map<string, SourceFile>();
  if (entries.length) {
    const out = (
      await git(repo, ["cat-file", "--batch"], { input: `${entries.map((e) => e.oid).join("\n")}\n` })
    ).stdout;
    let pos = 0;
    for (const e of entries) {
      const nl = out.indexOf(10, pos);
      const size = Number(out.subarray(pos, nl).toString("latin1").split(" ")[2]);
      const data = out.subarray(nl + 1, nl + 1 + size);
      pos = nl + 1 + size + 1;
      files.set(e.path, {
        type: e.mode === "120000" ? "symlink" : e.mode === "100755" ? "exec" : "file",
        data,
      });
    }
  }
  return { label: `commit ${sha.slice(0, 12)}`, commit: sha, files };
}

/** Uncommitted files (`--worktree`): tracked and untracked-but-not-ignored, as they are on disk. */
export async function worktreeSource(dir: string): Promise<ConfigSource> {
  const paths = (await isGitRepo(dir))
    ? (await git(dir, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"])).stdout
        .toString("utf8")
        .split("\0")
        .filter(Boolean)
    : await walk(dir, "");
  const files = new Map<string, SourceFile>();
  for (const p of paths) {
    const abs = join(dir, p);
    const st = await lstat(abs).catch(() => null);
    if (!st) continue; // deleted but still in the index
    if (st.isSymbolicLink()) files.set(p, { type: "symlink", data: Buffer.from(await readlink(abs)) });
    else if (st.isFile())
      files.set(p, { type: st.mode & 0o100 ? "exec" : "file", data: await readFile(abs) });
  }
  return { label: `work tree ${dir}`, files };
}

async function walk(root: string, rel: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    if (e.name === ".git" || e.name === "node_modules") continue;
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(root, p)));
    else out.push(p);
  }
  return out.sort();
}
