import type { ConfigProblem } from "../errors.js";
import { type ExternalDecl, externalPrefix } from "../inputs/schema.js";
import type { FileEntry } from "./schema.js";
import { type ConfigSource, mountOf, normalizeRepoPath } from "./source.js";
import { formatPath, type Located, originOf, type Path, pathKey } from "./yaml.js";

/**
 * Repo paths written in an input's own YAML are the input's: `source:
 * files/vimrc` in `inputs.base/home/vim.yaml` is `inputs.base/files/vimrc`.
 * Rewritten once the files are merged, by where each value came from, so the
 * modules see repo paths as they always do.
 */
export function rebaseInputPaths(source: ConfigSource, located: Located): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!source.mounts?.length) return problems;
  const v = located.value as Record<string, unknown>;
  const rebase = (path: Path, value: unknown, only?: (p: string) => boolean): unknown => {
    if (typeof value !== "string") return value;
    const file = originOf(located, path)?.file;
    const mount = file === undefined ? undefined : mountOf(source, file);
    if (!mount || value.startsWith("/") || value.startsWith("~")) return value;
    const full = normalizeRepoPath(`${mount.prefix}${value}`);
    if (only && !only(full)) return value;
    // An input's YAML names its own files: one of the config repo's, or another input's, is not its to take.
    if (!full.startsWith(mount.prefix)) {
      problems.push({
        message: `${value} leaves input ${mount.key}: paths in an input's files are inside that input`,
        origin: originOf(located, path),
        path: formatPath(path),
      });
      return value;
    }
    return full;
  };
  const eachIn = (list: string, key: string) => {
    const items = v[list];
    if (!Array.isArray(items)) return;
    v[list] = items.map((item, i) =>
      typeof item === "object" && item !== null && key in item
        ? { ...item, [key]: rebase([list, i, key], (item as Record<string, unknown>)[key]) }
        : item,
    );
  };
  eachIn("files", "source");
  eachIn("scripts", "script");
  const programs = v.programs as Record<string, Record<string, unknown> | undefined> | undefined;
  if (!programs) return problems;
  const nvim = programs.neovim;
  if (nvim && typeof nvim.initLua === "string") {
    // initLua is a file only when one is there; otherwise it is Lua text.
    const has = (p: string) => source.files.has(p);
    programs.neovim = { ...nvim, initLua: rebase(["programs", "neovim", "initLua"], nvim.initLua, has) };
  }
  const zsh = programs.zsh;
  if (zsh && Array.isArray(zsh.plugins))
    programs.zsh = {
      ...zsh,
      plugins: zsh.plugins.map((p: unknown, i: number) =>
        typeof p === "object" && p !== null
          ? { ...p, src: rebase(["programs", "zsh", "plugins", i, "src"], (p as { src?: unknown }).src) }
          : p,
      ),
    };
  return problems;
}

/** Each external as the file entry that places its tree: a directory source from where it is mounted. */
export function externalFiles(
  entry: { externals?: Record<string, ExternalDecl> },
  located: Located,
  /** Where they go in the files list: after the config's own. */
  start: number,
): FileEntry[] {
  return Object.entries(entry.externals ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([target, decl], k) => {
      const at: Path = ["externals", target];
      const src =
        `${externalPrefix(target)}${decl.path ? decl.path.replace(/^\.?\/+|\/+$/g, "") : ""}`.replace(
          /\/$/,
          "",
        );
      // Origins of the entry point at the declaration, so a problem in the tree names it.
      const origin = originOf(located, at);
      if (origin) located.origins.set(pathKey(["files", start + k]), origin);
      return {
        target,
        source: src,
        mode: decl.mode ?? "link",
        ...(decl.ignore ? { ignore: decl.ignore } : {}),
      } as FileEntry;
    });
}
