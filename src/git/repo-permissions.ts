import type { Host } from "../host/host.js";

/**
 * What decides the config dotops applies: the repo's top, its Git dir (objects
 * and refs are what a commit is read from) and the entry file. Any of them
 * writable by every user of the machine lets any of them change what dotops
 * applies, hooks and scripts included.
 */
const DECIDING = ["", ".git", ".git/objects", ".git/refs", ".git/hooks", "dotops.yaml"];

/** The paths of `repo` that every user may write to (symlinks and missing paths are passed over). */
export async function worldWritable(host: Host, repo: string): Promise<string[]> {
  const found: string[] = [];
  for (const rel of DECIDING) {
    const path = rel ? `${repo}/${rel}` : repo;
    const st = await host.lstat(path);
    if (st && st.type !== "symlink" && st.mode & 0o002) found.push(path);
  }
  return found;
}

export function worldWritableWarning(paths: string[]): string {
  return `${paths.join(", ")} ${paths.length > 1 ? "are" : "is"} writable by every user of this machine: any of them can change what dotops applies; run chmod o-w ${paths.map((p) => JSON.stringify(p)).join(" ")}`;
}
