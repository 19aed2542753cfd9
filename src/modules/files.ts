import ignore, { type Ignore } from "ignore";
import type { Config } from "../config/load.js";
import type { FileEntry } from "../config/schema.js";
import { secretPlaceholder } from "../config/secret.js";
import { listUnder, type Mount, mountOf, normalizeRepoPath, resolveSourcePath } from "../config/source.js";
import { renderTemplate } from "../config/template.js";
import { formatPath, originOf, type Path, pathKey } from "../config/yaml.js";
import { ConfigError, type ConfigProblem, type Origin } from "../errors.js";
import type { DirResource } from "../resources/dir/resource.js";
import type { Blob, Located, Resource } from "../resources/types.js";
import { checkLength, homeTarget } from "./home-path.js";
import type { ModuleOutput } from "./module.js";
import { makeBlob } from "./objects.js";

/**
 * home/files.yaml → link, file, symlink and dir resources (Home Manager's
 * home.file). Entries for other hosts or platforms are left out; where two
 * entries give the same path, the stronger one wins (`rankOf`), and equals
 * are left to the manifest, which names both as a conflict.
 */
export function filesModule(config: Config): ModuleOutput {
  const blobs: Blob[] = [];
  const problems: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  const candidates: { resource: Located<Resource>; rank: Rank }[] = [];
  const repoIgnore = readDotopsIgnore(config);
  const budget = { files: MAX_FILES };
  config.files.forEach((entry, i) => {
    if (entry.mode === "block") return; // blocksModule's
    const at: Path = ["files", i];
    const origin = originOf(config.located, at);
    try {
      if (!selected(config, entry, at)) return;
      const rank = rankOf(config, entry, origin);
      const expanded = expandEntry(config, entry, at, origin, warnings, repoIgnore, budget);
      if (expanded.dir) candidates.push({ resource: { ...expanded.dir, origin }, rank });
      for (const item of expanded.items) {
        if (item.symlink !== undefined) {
          candidates.push({ resource: { kind: "symlink", id: item.id, target: item.symlink, origin }, rank });
          continue;
        }
        const blob = makeBlob(item.data, item.executable, item.id);
        blobs.push(blob);
        const mode = entry.mode ?? "link";
        if (mode === "copy") {
          const perms = filePermissions(entry, item, expanded.dir !== undefined);
          candidates.push({
            resource: {
              kind: "file",
              id: item.id,
              object: blob.object,
              mode: perms,
              ...secret(item),
              origin,
            },
            rank,
          });
        } else {
          candidates.push({
            resource: { kind: "link", id: item.id, object: blob.object, ...secret(item), origin },
            rank,
          });
        }
      }
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems);
      else throw err;
    }
  });
  warnings.push(...repoIgnore.unused());
  if (problems.length) throw new ConfigError(problems);
  const resources = strongest(candidates);
  // A file an explicit entry replaced is not built at all.
  const used = new Set(resources.map((r) => r.object));
  return { resources, blobs: blobs.filter((b) => used.has(b.object)), warnings };
}

/** Permissions of a copied file: its entry's, or for a directory entry the directory's without x unless executable. */
function filePermissions(entry: FileEntry, item: { executable: boolean }, inDirEntry: boolean): number {
  if (!entry.permissions) return item.executable ? 0o755 : 0o644;
  const perms = Number.parseInt(entry.permissions, 8);
  return inDirEntry && !item.executable ? perms & 0o666 : perms;
}

/** Is the entry for this host? Names in `hosts` must be hosts of dotops.yaml. */
function selected(config: Config, entry: FileEntry, at: Path): boolean {
  const unknown = (entry.hosts ?? [])
    .map((name, j) => ({ name, j }))
    .filter(({ name }) => !config.hostNames.includes(name));
  if (unknown.length)
    throw new ConfigError(
      unknown.map(({ name, j }) => ({
        message: `host "${name}" is not in dotops.yaml; hosts: ${config.hostNames.join(", ")}`,
        origin: originOf(config.located, [...at, "hosts", j]),
        path: formatPath([...at, "hosts", j]),
      })),
    );
  if (entry.hosts && !entry.hosts.includes(config.host.name)) return false;
  return entry.platform === undefined || entry.platform === config.host.platform;
}

/**
 * How strongly an entry claims its paths: an entry from the host's own
 * imports beats a common one (the host overrides it), then the entry with
 * the deeper target (an explicit file beats the tree it lies in).
 */
type Rank = [hostOwn: number, depth: number];

function rankOf(config: Config, entry: FileEntry, origin: Origin | undefined): Rank {
  const hostOwn = origin && config.hostFiles.has(origin.file) ? 1 : 0;
  const depth = entry.target
    .replace(/^~\/?/, "")
    .split("/")
    .filter((p) => p && p !== ".").length;
  return [hostOwn, depth];
}

const compareRank = (a: Rank, b: Rank) => a[0] - b[0] || a[1] - b[1];

/** For each id, the candidates of the strongest rank (two of them are the manifest's conflict to name). */
function strongest(candidates: { resource: Located<Resource>; rank: Rank }[]): Located<Resource>[] {
  const best = new Map<string, Rank>();
  for (const c of candidates) {
    const b = best.get(c.resource.id);
    if (!b || compareRank(c.rank, b) > 0) best.set(c.resource.id, c.rank);
  }
  return candidates
    .filter((c) => compareRank(c.rank, best.get(c.resource.id) as Rank) === 0)
    .map((c) => c.resource);
}

type Item =
  | {
      id: string;
      data: Buffer;
      executable: boolean;
      /** Rendered with a !secret value: plans never show its content. */
      secret?: boolean;
      symlink?: undefined;
    }
  /** A symlink kept as a link, with this text. */
  | { id: string; symlink: string };

const secret = (item: { secret?: boolean }) => (item.secret ? { secret: true as const } : {});

interface Expanded {
  items: Item[];
  /** The target directory's own attributes (permissions, exact), for a directory source that sets them. */
  dir?: DirResource;
}

/**
 * Files one host may have from directory sources. Real trees hold hundreds;
 * a tree of 100,000 (a repo's worth of vendored code, or a hostile one made
 * with plumbing) is refused by its listing, before a byte of it is read.
 */
export const MAX_FILES = 20_000;

function expandEntry(
  config: Config,
  entry: FileEntry,
  at: Path,
  origin: Origin | undefined,
  warnings: ConfigProblem[],
  repoIgnore: RepoIgnore,
  budget: { files: number },
): Expanded {
  const fail = (message: string, path: Path = at): never => {
    throw new ConfigError([
      { message, origin: originOf(config.located, path) ?? origin, path: formatPath(path) },
    ]);
  };
  const targetPath: Path = [...at, "target"];
  const target = homeTarget(
    entry.target,
    originOf(config.located, targetPath),
    "target",
    formatPath(targetPath),
    entry.source !== undefined,
  );
  const fileOnly = () => {
    if (entry.permissions && (entry.mode ?? "link") !== "copy")
      fail("permissions need mode: copy (links point into the read-only store)", [...at, "permissions"]);
    for (const key of ["ignore", "exact"] as const)
      if (entry[key] !== undefined)
        fail(`${key} applies to a directory source; ${entry.target} is a file`, [...at, key]);
  };
  if ((entry.source === undefined) === (entry.text === undefined))
    fail(`give exactly one of source or text for ${entry.target}`);

  // `~/.config/nvim/` reads as "into that directory" (cp's meaning) but would make a file named nvim.
  const intoDirectory = (written: string, example: string) => {
    if (written.endsWith("/"))
      fail(
        `target "${written}" ends with / but its source is a file: write the file's own path (e.g. ${example})`,
        targetPath,
      );
  };
  if (entry.text !== undefined) {
    fileOnly();
    intoDirectory(entry.target, `${target}/<name>`);
    const textPath: Path = [...at, "text"];
    const textOrigin =
      config.located.texts?.get(pathKey(textPath)) ?? originOf(config.located, textPath) ?? origin;
    const r = entry.mode === "template" ? render(config, entry.text, textOrigin) : { text: entry.text };
    return {
      items: [
        { id: target, data: Buffer.from(r.text), executable: entry.executable ?? false, secret: r.secret },
      ],
    };
  }

  const source = entry.source as string;
  const sourceAt: Path = [...at, "source"];
  if (source.startsWith("/"))
    fail(
      `source ${source} is an absolute path: sources are paths inside the config repo (nothing outside it is read)`,
      sourceAt,
    );
  const resolved = resolveSourcePath(config.source, source);
  if (resolved.loop) fail(`source ${source} is a symlink loop in ${config.source.label}`, sourceAt);
  if (resolved.file?.type === "symlink") {
    fileOnly();
    if (entry.symlinks === "keep" && target !== "~")
      return { items: [{ id: target, symlink: resolved.file.data.toString("utf8") }] };
    fail(
      `source ${source} is a symlink out of the repo (${resolved.file.data}); commit the file itself, or set symlinks: keep to deploy it as a link`,
      sourceAt,
    );
  }
  if (resolved.file && target === "~")
    fail(
      `target "${entry.target}" is HOME itself: name a file inside it (only a directory source can go to ~)`,
      targetPath,
    );
  if (resolved.file?.problem) fail(`${resolved.path}: ${resolved.file.problem}`, sourceAt);
  if (resolved.file) {
    fileOnly();
    intoDirectory(entry.target, `${target}/${source.split("/").at(-1)}`);
    return { items: [item(config, entry, target, resolved.path, resolved.file)] };
  }
  const own = normalizeRepoPath(source);
  if (own === ".." || own.startsWith("../")) fail(`source ${source} is outside the repo`, sourceAt);

  const listed = listUnder(config.source, resolved.path);
  if (!listed.length)
    fail(
      resolved.path === normalizeRepoPath(source)
        ? `source ${source} does not exist in ${config.source.label} (is it committed?)`
        : `source ${source} is a symlink to ${resolved.path}, which is not in ${config.source.label}`,
      sourceAt,
    );
  const dir = dirAttributes(config, entry, at, target);
  const warn = (message: string, path: Path = sourceAt) =>
    warnings.push({
      message,
      origin: originOf(config.located, path) ?? origin,
      path: formatPath(path),
    });
  const entryIgnore = new IgnoreList(
    (entry.ignore ?? []).map((pattern, j) => ({ pattern, at: [...at, "ignore", j] as Path })),
  );
  // A directory source at a mount's root (an external) is inside it too.
  const within = mountOf(config.source, `${resolved.path}/`);
  const skip: Skip = (repoPath, id) =>
    isOwnFile(config, repoPath, within) ||
    repoIgnore.list.ignores(repoPath) ||
    entryIgnore.ignores(target === "~" ? id.slice(2) : id.slice(target.length + 1));
  const tooMany = (n: number) =>
    fail(
      `source ${source} holds ${n} files: more than the ${MAX_FILES} dotops manages for one host (with the entries before it); leave big trees out with ignore: or .dotopsignore`,
      sourceAt,
    );
  // What the ignore lists leave is what counts; they are asked only about a tree this large.
  const base = resolved.path ? resolved.path.length + 1 : 0;
  if (listed.length > budget.files) {
    const kept = listed.filter((p) => !skip(p, `${target}/${p.slice(base)}`)).length;
    if (kept > budget.files) tooMany(kept);
  }
  const items = expandDir(
    config,
    entry,
    { target, root: resolved.path, skip, origin: originOf(config.located, sourceAt) ?? origin },
    resolved.path,
    target,
    warn,
    new Set(),
  );
  if (items.length > budget.files) tooMany(items.length);
  budget.files -= items.length;
  for (const p of entryIgnore.unused())
    warn(`ignore pattern "${p.pattern}" matches nothing in ${source}`, p.at);
  return { items, dir };
}

/** The directory resource of a directory entry with permissions or exact. */
function dirAttributes(config: Config, entry: FileEntry, at: Path, target: string): DirResource | undefined {
  if (entry.permissions === undefined && !entry.exact) return undefined;
  const fail = (message: string, key: string): never => {
    const path: Path = [...at, key];
    throw new ConfigError([{ message, origin: originOf(config.located, path), path: formatPath(path) }]);
  };
  const key = entry.exact ? "exact" : "permissions";
  if (target === "~")
    fail(`${key} cannot apply to HOME itself; give it to an entry for a directory inside`, key);
  const mode = entry.permissions === undefined ? undefined : Number.parseInt(entry.permissions, 8);
  if (mode !== undefined && !(mode & 0o100))
    fail(
      `permissions "${entry.permissions}" would lock you out of directory ${target}: a directory needs the owner's x bit (e.g. "0700")`,
      "permissions",
    );
  return {
    kind: "dir",
    id: target,
    ...(mode === undefined ? {} : { mode }),
    ...(entry.exact ? { exact: true } : {}),
  };
}

/** Leaves a repo path (and the HOME path it would become) out of a directory source. */
type Skip = (repoPath: string, id: string) => boolean;

/**
 * The repo's own files: config, lock, ignore file, Git's own; and the trees of
 * inputs and externals placed in it (`inputs.base/`), unless the source is
 * inside that tree (`within`). Never part of a tree.
 */
function isOwnFile(config: Config, full: string, within: Mount | undefined): boolean {
  const mount = mountOf(config.source, full);
  if (mount !== within) return true;
  const path = mount ? full.slice(mount.prefix.length) : full;
  return (
    config.configFiles.has(full) ||
    (mount?.kind === "input" && path === "dotops.yaml") ||
    path === "dotops.lock" ||
    path === DOTOPSIGNORE ||
    path.startsWith(".dotops/") ||
    // Not .gitignore or .gitattributes: a home mirror's are HOME's too (git's core.excludesfile ~/.gitignore).
    path === ".gitmodules" ||
    path.startsWith(".git/")
  );
}

const DOTOPSIGNORE = ".dotopsignore";

/** Patterns in .gitignore syntax, each remembering whether it matched anything (one that never does is a warning). */
class IgnoreList {
  private readonly all: Ignore;
  private readonly each: { pattern: string; at: Path; one: Ignore; used: boolean }[];

  constructor(patterns: { pattern: string; at: Path }[]) {
    this.all = ignore().add(patterns.map((p) => p.pattern));
    this.each = patterns.map((p) => ({
      ...p,
      one: ignore().add(p.pattern.replace(/^!/, "")),
      used: p.pattern.startsWith("#") || !p.pattern.trim(),
    }));
  }

  ignores(rel: string): boolean {
    if (!this.each.length || !rel) return false;
    for (const p of this.each) if (!p.used && p.one.ignores(rel)) p.used = true;
    return this.all.ignores(rel);
  }

  unused(): { pattern: string; at: Path }[] {
    return this.each.filter((p) => !p.used);
  }
}

interface RepoIgnore {
  list: IgnoreList;
  /** Warnings for its patterns that match no file of the repo. */
  unused(): ConfigProblem[];
}

/** The repo-wide .dotopsignore: .gitignore syntax, paths relative to the repo root. */
function readDotopsIgnore(config: Config): RepoIgnore {
  const file = config.source.files.get(DOTOPSIGNORE);
  const lines = file ? file.data.toString("utf8").split(/\r?\n/) : [];
  const patterns = lines
    .map((pattern, i) => ({ pattern: pattern.replace(/(?<!\\)\s+$/, ""), line: i + 1 }))
    .filter((p) => p.pattern && !p.pattern.startsWith("#"));
  const list = new IgnoreList(patterns.map((p) => ({ pattern: p.pattern, at: [p.line] })));
  return {
    list,
    unused() {
      if (!patterns.length) return [];
      // A pattern no tree used may still match a file no tree holds: only one matching no file at all is a slip.
      const probe = new IgnoreList(patterns.map((p) => ({ pattern: p.pattern, at: [p.line] })));
      for (const path of config.source.files.keys()) probe.ignores(path);
      return probe.unused().map((p) => ({
        message: `${DOTOPSIGNORE} pattern "${p.pattern}" matches nothing in ${config.source.label}`,
        origin: { file: DOTOPSIGNORE, line: p.at[0] as number, col: 1 },
      }));
    },
  };
}

/**
 * Every file under a directory source. Symlinks inside are taken as a user of
 * stow or a home mirror means them: one to a file is that file's content; one
 * to a directory of the same source stays a symlink (`nvim/lua -> lua-5.1`);
 * one to a directory elsewhere in the repo brings that directory's files; one
 * out of the repo (or to nothing) is skipped with a warning, or kept as a
 * link with `symlinks: keep`. Ignored paths and the repo's own files are left
 * out. Problems of every file are collected, so one run names every broken one.
 */
function expandDir(
  config: Config,
  entry: FileEntry,
  top: { target: string; root: string; skip: Skip; origin: Origin | undefined },
  dir: string,
  target: string,
  warn: (message: string) => void,
  following: Set<string>,
): Item[] {
  const problems: ConfigProblem[] = [];
  const items = listUnder(config.source, dir).flatMap((path): Item[] => {
    const id = `${target}/${dir ? path.slice(dir.length + 1) : path}`;
    if (top.skip(path, id)) return [];
    const f = config.source.files.get(path);
    try {
      if (f?.problem) throw new ConfigError([{ message: `${path}: ${f.problem}`, origin: top.origin }]);
      checkLength(id.slice(2).split("/"), (why) => {
        throw new ConfigError([
          { message: `${path} (inside ${entry.source}) would be ~/${id.slice(2)}, which ${why}` },
        ]);
      });
      if (f && f.type !== "symlink") return [item(config, entry, id, path, f)];
      const text = f?.data.toString("utf8") ?? "";
      const r = resolveSourcePath(config.source, path);
      if (r.loop) {
        warn(`skipped ${path} (inside ${entry.source}): a symlink loop`);
        return [];
      }
      if (r.file && r.file.type !== "symlink") return [item(config, entry, id, r.path, r.file)];
      if (
        !r.file &&
        r.path !== ".." &&
        !r.path.startsWith("../") &&
        listUnder(config.source, r.path).length
      ) {
        if (top.root === "" || r.path === top.root || r.path.startsWith(`${top.root}/`))
          return [{ id, symlink: relativeLink(path, r.path) }];
        if (following.has(r.path)) {
          warn(
            `skipped ${path} (inside ${entry.source}): it leads back into ${r.path}, already being expanded`,
          );
          return [];
        }
        return expandDir(config, entry, top, r.path, id, warn, new Set([...following, r.path]));
      }
      if (entry.symlinks === "keep") return [{ id, symlink: text }];
      warn(
        `skipped ${path} (inside ${entry.source}): a symlink to ${text}, which is not in the repo; set symlinks: keep to deploy it as a link`,
      );
      return [];
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
      return [];
    }
  });
  if (problems.length) throw new ConfigError(problems);
  return items;
}

/** The text of a link at repo path `from` to repo path `to`, relative, as it reads from `from`'s directory. */
function relativeLink(from: string, to: string): string {
  const base = from.split("/").slice(0, -1);
  const dest = to.split("/");
  let common = 0;
  while (common < base.length && base[common] === dest[common]) common++;
  return [...base.slice(common).map(() => ".."), ...dest.slice(common)].join("/") || ".";
}

function item(
  config: Config,
  entry: FileEntry,
  id: string,
  path: string,
  file: { type: string; data: Buffer },
): Item {
  const executable = entry.executable ?? file.type === "exec";
  if (entry.mode !== "template") return { id, data: file.data, executable };
  const r = render(config, file.data.toString("utf8"), { file: path, line: 1, col: 1 });
  return { id, data: Buffer.from(r.text), executable, secret: r.secret };
}

function render(config: Config, text: string, where: Origin | undefined): { text: string; secret?: boolean } {
  const ctx = {
    user: config.user,
    vars: config.vars,
    host: { name: config.host.name, platform: config.host.platform },
  };
  let secret = false;
  const rendered = renderTemplate(
    text,
    ctx,
    where ?? { file: "(inline)", line: 1, col: 1 },
    (ref) => {
      secret = true;
      return config.resolveSecret ? config.resolveSecret(ref) : secretPlaceholder(ref);
    },
    config.machine,
  );
  return { text: rendered, secret };
}
