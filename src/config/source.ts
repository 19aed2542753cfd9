/**
 * A snapshot of the config repo: every file of the Git tree at one commit (or
 * of the work tree when asked). Config and modules are pure functions of it.
 */
export interface SourceFile {
  /** `exec` for 100755 blobs, `symlink` for 120000 (data is the link text). */
  type: "file" | "exec" | "symlink";
  data: Buffer;
}

export interface ConfigSource {
  /** What the snapshot is of, for messages: "commit 1a2b3c4" or "work tree". */
  label: string;
  /** Full SHA when read from Git. */
  commit?: string;
  files: ReadonlyMap<string, SourceFile>;
}

export function sourceFromRecord(files: Record<string, string>, label = "memory"): ConfigSource {
  const map = new Map<string, SourceFile>();
  for (const [path, text] of Object.entries(files)) map.set(path, { type: "file", data: Buffer.from(text) });
  return { label, files: map };
}

/** Follows in-repo symlinks (as Git stores them) to the file they name. */
export function resolveSourcePath(
  src: ConfigSource,
  path: string,
): { path: string; file?: SourceFile; loop?: boolean } {
  let current = normalizeRepoPath(path);
  for (let hops = 0; hops < 40; hops++) {
    const f = src.files.get(current);
    if (f?.type !== "symlink") return { path: current, file: f };
    const target = f.data.toString("utf8");
    if (target.startsWith("/")) return { path: current, file: f };
    const base = current.includes("/") ? current.slice(0, current.lastIndexOf("/")) : "";
    current = normalizeRepoPath(base ? `${base}/${target}` : target);
  }
  return { path: current, loop: true };
}

/** `./files//a/../b` → `files/b`; `..` above the root stays as a leading `..`. */
export function normalizeRepoPath(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else out.push(part);
  }
  return out.join("/");
}

/** Repo paths under `dir` (a directory in the snapshot), sorted. */
export function listUnder(src: ConfigSource, dir: string): string[] {
  const prefix = `${normalizeRepoPath(dir)}/`;
  return [...src.files.keys()].filter((p) => p.startsWith(prefix)).sort();
}
