/** Reading HOME and the state dir directly, as the invariants need them (never through dotops). */
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";

export interface Entry {
  type: "file" | "dir" | "symlink" | "other";
  mode: number;
}

/** lstat without throwing: null when nothing is there. */
export function entryAt(path: string): Entry | null {
  try {
    const st = lstatSync(path);
    const type = st.isSymbolicLink() ? "symlink" : st.isDirectory() ? "dir" : st.isFile() ? "file" : "other";
    return { type, mode: st.mode & 0o7777 };
  } catch {
    return null;
  }
}

/** The bytes at `path`, following links; null for a directory, nothing, or a link that leads nowhere. */
export function bytesAt(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}

export function linkAt(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

/** Every path under `root` (relative), directories included, skipping `skip` (relative paths). */
export function walk(root: string, skip: (rel: string) => boolean = () => false): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const go = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (skip(r)) continue;
      const e = entryAt(join(root, r));
      if (!e) continue;
      out.set(r, e);
      if (e.type === "dir") go(r);
    }
  };
  if (existsSync(root)) go("");
  return out;
}

/**
 * A comparable picture of a tree: type, permissions, bytes of files, targets of
 * links. Two equal snapshots mean nothing under `root` changed.
 */
export function snapshot(root: string, skip?: (rel: string) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rel, e] of walk(root, skip)) {
    const abs = join(root, rel);
    const mode = e.mode.toString(8);
    if (e.type === "symlink") out[rel] = `link -> ${linkAt(abs)}`;
    else if (e.type === "file") out[rel] = `file ${mode} ${readFileSync(abs).toString("base64")}`;
    else out[rel] = `${e.type} ${mode}`;
  }
  return out;
}
