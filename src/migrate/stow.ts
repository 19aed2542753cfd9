import type { OutputFile, TreeEntry, TreeImporter, TreeImportResult } from "./importer.js";
import { appendEntries } from "./yaml-edit.js";

/**
 * GNU Stow: every top-level folder of the stow directory is a package whose
 * tree is linked into the target (HOME). A package becomes `files:` entries
 * with target ~: one for the whole package when stow ignores nothing in it,
 * else one per part that is wholly kept. Ignore lists follow stow's rules: the
 * package's `.stow-local-ignore`, else stow's built-in list (Perl regexes; one
 * with a `/` matches the path from the package's top, one without a segment).
 */
export const DEFAULT_IGNORE = [
  "RCS",
  ".+,v",
  "CVS",
  "\\.\\#.+",
  "\\.cvsignore",
  "\\.svn",
  "_darcs",
  "\\.hg",
  "\\.git",
  "\\.gitignore",
  "\\.gitmodules",
  ".+~",
  "\\#.*\\#",
  "^/README.*",
  "^/LICENSE.*",
  "^/COPYING",
];

interface Ignore {
  path?: RegExp;
  segment?: RegExp;
}

/** Stow's ignore list: comments (`#` after whitespace, or a whole line) and blank lines dropped. */
export function parseIgnore(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.replace(/(^|\s)#.*$/, "").trim())
    .filter(Boolean);
}

function compile(patterns: string[]): Ignore {
  const paths = patterns.filter((p) => p.includes("/"));
  const segments = patterns.filter((p) => !p.includes("/"));
  return {
    path: paths.length ? new RegExp(`(^|/)(?:${paths.join("|")})(/|$)`) : undefined,
    segment: segments.length ? new RegExp(`^(?:${segments.join("|")})$`) : undefined,
  };
}

const ignored = (ig: Ignore, rel: string) =>
  (ig.path?.test(`/${rel}`) ?? false) || (ig.segment?.test(rel.split("/").pop() as string) ?? false);

export const stowImporter: TreeImporter = {
  convertTree(entries, { inRepo }): TreeImportResult {
    const result: TreeImportResult = { files: {}, skipped: [], counts: {} };
    const byPath = new Map(entries.map((e) => [e.path, e]));
    const packages = entries.filter((e) => e.type === "dir" && !e.path.includes("/")).map((e) => e.path);
    const yamlEntries: Record<string, string>[] = [];
    for (const pkg of packages.sort()) {
      if (pkg.startsWith(".")) {
        result.skipped.push({ path: pkg, reason: "a hidden folder is not a stow package" });
        continue;
      }
      const local = byPath.get(`${pkg}/.stow-local-ignore`);
      const ig = compile(local ? parseIgnore(local.data.toString("utf8")) : DEFAULT_IGNORE);
      const inside = entries.filter((e) => e.path.startsWith(`${pkg}/`));
      const rel = (e: TreeEntry) => e.path.slice(pkg.length + 1);
      // What stow leaves out: an ignored path and everything below it.
      const dropped = inside.filter((e) => {
        if (rel(e) === ".stow-local-ignore") return true; // stow never links its own ignore list
        const parts = rel(e).split("/");
        return parts.some((_, i) => ignored(ig, parts.slice(0, i + 1).join("/")));
      });
      const droppedSet = new Set(dropped.map((e) => e.path));
      for (const e of dropped)
        if (rel(e) !== ".stow-local-ignore" && !droppedSet.has(e.path.slice(0, e.path.lastIndexOf("/"))))
          result.skipped.push({
            path: e.path,
            reason: local ? `ignored by ${pkg}/.stow-local-ignore` : "ignored by stow's default ignore list",
          });
      const kept = inside.filter((e) => !droppedSet.has(e.path));
      if (!kept.some((e) => e.type !== "dir")) {
        result.skipped.push({ path: pkg, reason: "the package has no files to link" });
        continue;
      }
      result.counts.packages = (result.counts.packages ?? 0) + 1;
      result.counts.files = (result.counts.files ?? 0) + kept.filter((e) => e.type !== "dir").length;
      const base = inRepo === null ? `files/${pkg}` : [inRepo, pkg].filter(Boolean).join("/");
      if (inRepo === null)
        for (const e of kept) if (e.type !== "dir") result.files[`${base}/${rel(e)}`] = output(e);
      // The coarsest parts with nothing ignored below them: the package itself when stow ignores nothing in it.
      const whole = (prefix: string) =>
        !dropped.some((e) => prefix === "" || e.path.startsWith(`${pkg}/${prefix}/`));
      const visit = (prefix: string) => {
        if (inRepo === null || whole(prefix)) {
          yamlEntries.push({
            target: prefix ? `~/${prefix}` : "~",
            source: prefix ? `${base}/${prefix}` : base,
          });
          return;
        }
        const children = kept.filter((e) => {
          const r = rel(e);
          return prefix
            ? r.startsWith(`${prefix}/`) && !r.slice(prefix.length + 1).includes("/")
            : !r.includes("/");
        });
        for (const c of children) {
          if (c.type === "dir") visit(rel(c));
          else yamlEntries.push({ target: `~/${rel(c)}`, source: `${base}/${rel(c)}` });
        }
      };
      visit("");
    }
    result.files["home/stow.yaml"] = appendEntries(
      "# Imported from a GNU Stow directory by `dotops import stow`: each package is linked into HOME.\n",
      "home/stow.yaml",
      "files",
      yamlEntries,
    );
    return result;
  },
};

function output(e: TreeEntry): OutputFile {
  return e.type === "symlink" ? { data: e.data, mode: 0o777, symlink: true } : { data: e.data, mode: e.mode };
}
