import { join, relative } from "node:path";
import type { Host } from "../host/host.js";
import type { TreeEntry, TreeImporter, TreeImportResult } from "../migrate/importer.js";

/**
 * The listing a tree importer converts, read through the Host: every file,
 * directory and symlink under `root` except Git's own directory.
 */
export async function readTree(host: Host, root: string): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  const walk = async (rel: string) => {
    for (const name of (await host.readdir(rel ? join(root, rel) : root)).sort()) {
      if (name === ".git") continue;
      const path = rel ? `${rel}/${name}` : name;
      const abs = join(root, path);
      const st = await host.lstat(abs);
      if (!st || st.type === "other") continue;
      if (st.type === "dir") {
        out.push({ path, type: "dir", mode: st.mode, data: Buffer.alloc(0) });
        await walk(path);
      } else if (st.type === "symlink")
        out.push({ path, type: "symlink", mode: st.mode, data: Buffer.from(await host.readlink(abs)) });
      else out.push({ path, type: "file", mode: st.mode, data: await host.readFile(abs) });
    }
  };
  await walk("");
  return out;
}

/** Converts the tree at `root` for a repo at `out`: in place when the tree is inside it. */
export async function convertTree(
  host: Host,
  importer: TreeImporter,
  root: string,
  out: string,
): Promise<TreeImportResult> {
  const [realRoot, realOut] = await Promise.all([host.realpath(root), host.realpath(out).catch(() => out)]);
  const rel = relative(realOut, realRoot);
  const inRepo = rel === "" ? "" : rel.startsWith("..") || rel.startsWith("/") ? null : rel;
  return importer.convertTree(await readTree(host, root), { inRepo });
}
