import { z } from "zod";
import {
  type ConfigSource,
  LazySource,
  type Mount,
  type Snapshot,
  type SnapshotEntry,
  type SnapshotReader,
} from "../config/source.js";
import { type Located, mergeYaml, originOf, type Path, parseYaml } from "../config/yaml.js";
import { ConfigError, type ConfigProblem } from "../errors.js";
import { fetchUrl, type InputCache, lockedRepo, relativeTo, resolveBase } from "../git/input-cache.js";
import { lockedArchive } from "./archive.js";
import { type GitLock, LOCK_FILE, type LockEntry, type LockFile, parseLock } from "./lock-file.js";
import { type ExternalDecl, externalPrefix, type InputDecl, InputsShape, isArchive } from "./schema.js";

const ENTRY_FILE = "dotops.yaml";

/** Inputs and externals one config may place, nested ones included: each tree is read whole. */
export const MAX_MOUNTS = 64;

const tooManyMounts = () =>
  new ConfigError([
    {
      message: `more than ${MAX_MOUNTS} inputs and externals (with the inputs' own): refused (each is a repository to read)`,
    },
  ]);

/** What dotops.yaml (the root's, or an input's own) declares, and where, for messages. */
export interface Declared {
  inputs: Record<string, InputDecl>;
  externals: Record<string, ExternalDecl>;
  located: Located;
}

/** `inputs:` and `externals:` of a dotops.yaml; undefined when it is not valid (loadConfig says why). */
export function declaredIn(text: string, file = ENTRY_FILE): Declared | undefined {
  try {
    const located: Located = { value: {}, origins: new Map() };
    mergeYaml(located, parseYaml(file, text));
    const r = z.object(InputsShape).safeParse(located.value);
    if (!r.success) return undefined;
    return { inputs: r.data.inputs ?? {}, externals: r.data.externals ?? {}, located };
  } catch {
    return undefined;
  }
}

/** The lock as the snapshot has it, or undefined when it has none. */
export function lockIn(entries: readonly SnapshotEntry[]): LockFile | undefined {
  const data = entries.find((e) => e.path === LOCK_FILE)?.data;
  return data ? parseLock(data.toString("utf8")) : undefined;
}

/** What a declaration or a lock entry names: `url@ref` of a Git repository, an archive's URL. */
const named = (d: { git: string; ref?: string } | { archive: string }) =>
  isArchive(d) ? d.archive : `${d.git}${d.ref ? `@${d.ref}` : ""}`;

/** Why a lock entry does not pin what is declared now: missing, or for another URL or ref. */
export function lockProblem(
  what: string,
  decl: { git: string; ref?: string } | { archive: string },
  locked: LockEntry | undefined,
): string | undefined {
  if (!locked) return `${what} is not in ${LOCK_FILE}: run \`dotops lock\` and commit ${LOCK_FILE}`;
  if (named(locked) !== named(decl))
    return `${LOCK_FILE} is stale for ${what}: it pins ${named(locked)}, dotops.yaml says ${named(decl)}; run \`dotops lock\` and commit ${LOCK_FILE}`;
  return undefined;
}

/**
 * An input's own inputs, a relative `git:` made absolute against the input's
 * URL (as the config repo's are against its origin): locked and fetched as that.
 */
export function ownInputs(decls: Record<string, InputDecl>, inputUrl: string): Record<string, InputDecl> {
  return Object.fromEntries(
    Object.entries(decls).map(([name, d]) => [
      name,
      /^\.\.?\//.test(d.git) ? { ...d, git: relativeTo(inputUrl, d.git) } : d,
    ]),
  );
}

/**
 * Why the input at `url` (reached through `names`) closes a cycle: it is the
 * config repo itself (its directory or its origin), or an input above it.
 */
export function cycleProblem(
  cache: InputCache,
  url: string,
  chain: string[],
  names: string[],
): string | undefined {
  const path = ["this repo", ...names].join(" → ");
  if (url === cache.repoDir || url === cache.base)
    return `input cycle: ${path}, which is this config repo again; an input cannot build on what builds on it`;
  const i = chain.indexOf(url);
  if (i >= 0)
    return `input cycle: ${path}, which is input ${names[i]} again; an input cannot build on what builds on it`;
  return undefined;
}

/** The trees of locked commits and of unpacked archives: git/source.ts's readers, passed in (that module loads this one). */
export interface TreeReaders {
  commit(repo: string, rev: string): Promise<Snapshot>;
  dir(dir: string): Promise<Snapshot>;
}

/**
 * The config repo's snapshot with each input (and each input's own inputs,
 * `inputs.base/inputs.company/`) and each external placed in it at the commit
 * dotops.lock pins. Config and modules then read them as repo paths: an
 * import of `inputs.base/home/*.yaml`, a `source: inputs.base/files/vimrc`.
 * Every problem (missing or stale lock entry, a cycle) is collected before
 * failing; a commit that cannot be had stops everything (nothing applied).
 */
export async function mountInputs(
  root: Snapshot & { label: string; commit?: string },
  cache: InputCache,
  trees: TreeReaders,
): Promise<ConfigSource> {
  await resolveBase(cache);
  const entryText = root.entries.find((e) => e.path === ENTRY_FILE)?.data?.toString("utf8") ?? "";
  const declared = declaredIn(entryText);
  const mounts: Mount[] = [];
  const parts: { prefix: string; snap: Snapshot }[] = [];
  if (declared) {
    const lock = lockIn(root.entries) ?? { version: 1 as const, inputs: {}, externals: {} };
    const problems: ConfigProblem[] = [];
    const at = (path: Path) => ({ origin: originOf(declared.located, path), path: path.join(".") });
    const reserved = (prefix: string, path: Path) => {
      const clash = root.entries.find((e) => e.path.startsWith(prefix));
      if (clash)
        problems.push({
          message: `the repo has ${clash.path}, but ${prefix} is where dotops places ${path[0] === "inputs" ? "input" : "external"} ${path[1]}: rename that directory`,
          ...at(path),
        });
    };
    // Inputs, depth first; `chain` is the URLs of the inputs above: a repeat is a cycle.
    const visit = async (
      decls: Record<string, InputDecl>,
      keyAbove: string,
      prefixAbove: string,
      chain: string[],
      names: string[],
    ): Promise<void> => {
      for (const name of Object.keys(decls).sort()) {
        if (mounts.length >= MAX_MOUNTS) throw tooManyMounts();
        const decl = decls[name] as InputDecl;
        const key = `${keyAbove}${name}`;
        const prefix = `${prefixAbove}inputs.${name}/`;
        // An input's own inputs are declared in its dotops.yaml, not here: no position to point at.
        const here = keyAbove ? {} : at(["inputs", name]);
        const url = fetchUrl(cache, decl.git);
        const cycle = cycleProblem(cache, url, chain, [...names, name]);
        if (cycle) {
          problems.push({ ...here, message: cycle });
          continue;
        }
        if (!keyAbove) reserved(prefix, ["inputs", name]);
        const problem = lockProblem(`input ${key}`, decl, lock.inputs[key]);
        if (problem) {
          problems.push({ ...here, message: problem });
          continue;
        }
        const locked = lock.inputs[key] as GitLock;
        const pinned = { what: `input ${key}`, ...decl, rev: locked.rev };
        const snap = await trees.commit(await lockedRepo(cache, pinned), locked.rev);
        mounts.push({
          kind: "input",
          key,
          prefix,
          url,
          source: decl.git,
          ...(decl.ref ? { ref: decl.ref } : {}),
          rev: locked.rev,
        });
        parts.push({ prefix, snap });
        const own = snap.entries.find((e) => e.path === ENTRY_FILE)?.data?.toString("utf8");
        const nested = own === undefined ? undefined : declaredIn(own, `${prefix}${ENTRY_FILE}`);
        if (own !== undefined && !nested && /^inputs\s*:/m.test(own))
          problems.push({
            ...here,
            message: `input ${key}: its ${ENTRY_FILE} declares inputs that are not valid`,
          });
        if (nested && Object.keys(nested.inputs).length)
          await visit(ownInputs(nested.inputs, url), `${key}/`, prefix, [...chain, url], [...names, name]);
      }
    };
    await visit(declared.inputs, "", "", [], []);
    const targets = Object.keys(declared.externals).sort();
    if (mounts.length + targets.length > MAX_MOUNTS) throw tooManyMounts();
    for (const target of targets) {
      const decl = declared.externals[target] as ExternalDecl;
      const prefix = externalPrefix(target);
      reserved(prefix, ["externals", target]);
      const problem = lockProblem(`external ${target}`, decl, lock.externals[target]);
      if (problem) {
        problems.push({ ...at(["externals", target]), message: problem });
        continue;
      }
      const what = `external ${target}`;
      const locked = lock.externals[target] as LockEntry;
      if (!isArchive(decl) && !isArchive(locked)) {
        const repo = await lockedRepo(cache, { what, ...decl, rev: locked.rev });
        parts.push({ prefix, snap: await trees.commit(repo, locked.rev) });
        mounts.push({
          kind: "external",
          key: target,
          prefix,
          url: fetchUrl(cache, decl.git),
          source: decl.git,
          ...(decl.ref ? { ref: decl.ref } : {}),
          rev: locked.rev,
        });
      } else if (isArchive(decl) && isArchive(locked)) {
        const dir = await lockedArchive(cache, what, decl.archive, locked.sha256);
        parts.push({ prefix, snap: await trees.dir(dir) });
        mounts.push({
          kind: "external",
          key: target,
          prefix,
          source: decl.archive,
          rev: `sha256:${locked.sha256}`,
        });
      }
    }
    if (problems.length) throw new ConfigError(problems);
  }
  const src = new LazySource(root.label, root.commit, new MountReader(root.reader, parts));
  for (const e of root.entries) src.add(e);
  for (const { prefix, snap } of parts)
    for (const e of snap.entries) src.add({ ...e, path: `${prefix}${e.path}` });
  src.mounts = mounts;
  return src;
}

/** Reads each path from the tree it was placed from: the deepest mount it lies in, else the repo's own. */
class MountReader implements SnapshotReader {
  private readonly parts: { prefix: string; reader: SnapshotReader }[];

  constructor(root: SnapshotReader, mounted: { prefix: string; snap: Snapshot }[]) {
    this.parts = [
      ...mounted
        .map((m) => ({ prefix: m.prefix, reader: m.snap.reader }))
        .sort((a, b) => b.prefix.length - a.prefix.length),
      { prefix: "", reader: root },
    ];
  }

  private route(path: string) {
    return this.parts.find((p) => path.startsWith(p.prefix)) as { prefix: string; reader: SnapshotReader };
  }

  async read(paths: string[], problems: ConfigProblem[]): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    for (const part of this.parts) {
      const mine = paths.filter((p) => this.route(p) === part).map((p) => p.slice(part.prefix.length));
      if (!mine.length) continue;
      for (const [p, data] of await part.reader.read(mine, problems)) out.set(`${part.prefix}${p}`, data);
    }
    return out;
  }

  expand(path: string, commit: string): Promise<SnapshotEntry[]> {
    const part = this.route(path);
    return part.reader.expand(path.slice(part.prefix.length), commit);
  }
}
