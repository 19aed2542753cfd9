import { join, relative } from "node:path";
import { parse } from "yaml";
import { globToRegExp } from "../config/glob.js";
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
  let entries = await readTree(host, root);
  if (inRepo !== null) {
    // A tree inside the config repo holds the repo's own config too (`dotops init .` in a stow
    // directory writes dotops.yaml and home/files.yaml): that is not content to link.
    const own = await ownConfig(host, out);
    const path = (e: TreeEntry) => (inRepo ? `${inRepo}/${e.path}` : e.path);
    const dropped = entries.filter((e) => e.type !== "dir" && own(path(e))).map((e) => e.path);
    entries = entries.filter(
      (e) =>
        !dropped.includes(e.path) &&
        // a folder left empty by that (home/ of `dotops init`) goes too
        !(
          e.type === "dir" &&
          dropped.some((d) => d.startsWith(`${e.path}/`)) &&
          !entries.some(
            (o) => o.type !== "dir" && o.path.startsWith(`${e.path}/`) && !dropped.includes(o.path),
          )
        ),
    );
  }
  return importer.convertTree(entries, { inRepo });
}

/** Repo paths that are the config itself: dotops.yaml and what it imports, the lock, .dotops/. */
async function ownConfig(host: Host, repo: string): Promise<(path: string) => boolean> {
  const fixed = new Set(["dotops.yaml", "dotops.lock", ".dotopsignore"]);
  let globs: RegExp[] = [];
  const text = await host.readFile(join(repo, "dotops.yaml")).catch(() => null);
  if (text) {
    try {
      const doc = parse(text.toString("utf8")) as {
        imports?: unknown;
        hosts?: Record<string, { imports?: unknown }>;
      } | null;
      const lists = [doc?.imports, ...Object.values(doc?.hosts ?? {}).map((h) => h?.imports)];
      globs = lists
        .flatMap((l) => (Array.isArray(l) ? l : []))
        .filter((g): g is string => typeof g === "string")
        .map((g) => globToRegExp(g));
    } catch {
      // An unreadable dotops.yaml: `dotops check` reports it; here only the fixed names are the repo's.
    }
  }
  return (p) => fixed.has(p) || p === ".dotops" || p.startsWith(".dotops/") || globs.some((g) => g.test(p));
}
