import { ConfigError, type ConfigProblem } from "../errors.js";
import {
  commitCount,
  fetchUrl,
  type InputCache,
  latestCommit,
  lockedRepo,
  resolveBase,
} from "../git/input-cache.js";
import { gitSnapshot } from "../git/source.js";
import { latestArchive } from "./archive.js";
import { emptyLock, type LockEntry, type LockFile } from "./lock-file.js";
import { cycleProblem, type Declared, declaredIn, lockProblem, ownInputs } from "./mount.js";
import { isArchive } from "./schema.js";

/** One entry of dotops.lock as `dotops lock` or `dotops update` left it. */
export interface LockChange {
  kind: "input" | "external";
  key: string;
  /** The repository or archive, as dotops.yaml names it. */
  source: string;
  ref?: string;
  /** An archive: `from` and `to` are sha256 sums, not commits. */
  archive?: true;
  /** The commit (or archive sha256) locked before; absent for a new entry. */
  from?: string;
  to: string;
  /** Commits from `from` to `to`, when Git can count them (a rewritten history cannot). */
  commits?: number;
}

export interface Relocked {
  lock: LockFile;
  entries: LockChange[];
  /** Entries dropped: no longer declared. */
  removed: string[];
}

/**
 * A new dotops.lock for what dotops.yaml declares. An entry that pins what
 * is declared stays as it is, unless `update` names it (or is "all"): then it
 * moves to the newest commit of its ref. A missing or stale entry is locked
 * at its ref's newest commit; an entry nothing declares any more is dropped.
 * An input's own inputs are locked too (`base/company`), read from the
 * commit locked for it.
 */
export async function relock(
  cache: InputCache,
  entryText: string,
  old: LockFile | undefined,
  update: string[] | "all" | "none",
  now = new Date(),
): Promise<Relocked> {
  await resolveBase(cache);
  const declared = declaredIn(entryText);
  if (!declared)
    throw new ConfigError([{ message: "dotops.yaml is not valid: run `dotops check` to see why" }]);
  const prev = old ?? emptyLock();
  const lock = emptyLock();
  const entries: LockChange[] = [];
  const problems: ConfigProblem[] = [];
  const wanted = (key: string) => update === "all" || (Array.isArray(update) && update.includes(key));
  const seen = new Set<string>();

  /** Locks one input or external (kept, or moved to its newest); the commit or sha256 it is locked at. */
  const pin = async (
    kind: "input" | "external",
    key: string,
    decl: { git: string; ref?: string } | { archive: string },
  ): Promise<string> => {
    seen.add(`${kind}:${key}`);
    const what = `${kind} ${key}`;
    const before = (kind === "input" ? prev.inputs : prev.externals)[key];
    const current = lockProblem(what, decl, before) ? undefined : before;
    const keep = current && !wanted(key);
    let entry: LockEntry;
    let commits: number | undefined;
    if (!isArchive(decl)) {
      const was = current && "rev" in current ? current.rev : undefined;
      const rev = keep && was ? was : await latestCommit(cache, { what, ...decl }, was);
      entry = { git: decl.git, ...(decl.ref ? { ref: decl.ref } : {}), rev, locked: "" };
      if (before && "rev" in before && before.rev !== rev)
        commits = await commitCount(cache, fetchUrl(cache, decl.git), before.rev, rev);
    } else {
      const was = current && "sha256" in current ? current.sha256 : undefined;
      const sha256 = keep && was ? was : await latestArchive(cache, what, decl.archive, was);
      entry = { archive: decl.archive, sha256, locked: "" };
    }
    const pinOf = (e: LockEntry) => ("rev" in e ? e.rev : e.sha256);
    const to = pinOf(entry);
    entry.locked = current && pinOf(current) === to ? current.locked : now.toISOString();
    (kind === "input" ? lock.inputs : lock.externals)[key] = entry as never;
    entries.push({
      kind,
      key,
      source: isArchive(decl) ? decl.archive : decl.git,
      ...(isArchive(decl) ? { archive: true as const } : decl.ref ? { ref: decl.ref } : {}),
      ...(before ? { from: pinOf(before) } : {}),
      to,
      ...(commits === undefined ? {} : { commits }),
    });
    return to;
  };

  const visit = async (d: Declared["inputs"], keyAbove: string, chain: string[], names: string[]) => {
    for (const name of Object.keys(d).sort()) {
      const decl = d[name] as Declared["inputs"][string];
      const key = `${keyAbove}${name}`;
      const url = fetchUrl(cache, decl.git);
      const cycle = cycleProblem(cache, url, chain, [...names, name]);
      if (cycle) {
        problems.push({ message: cycle });
        continue;
      }
      const rev = await pin("input", key, decl);
      const snap = await gitSnapshot(await lockedRepo(cache, { what: `input ${key}`, ...decl, rev }), rev);
      const own = snap.entries.find((e) => e.path === "dotops.yaml")?.data?.toString("utf8");
      const nested = own === undefined ? undefined : declaredIn(own);
      if (nested) await visit(ownInputs(nested.inputs, url), `${key}/`, [...chain, url], [...names, name]);
    }
  };
  await visit(declared.inputs, "", [], []);
  for (const target of Object.keys(declared.externals).sort())
    await pin("external", target, declared.externals[target] as Declared["externals"][string]);
  if (problems.length) throw new ConfigError(problems);

  const unknown = Array.isArray(update)
    ? update.filter((k) => !seen.has(`input:${k}`) && !seen.has(`external:${k}`))
    : [];
  if (unknown.length)
    throw new ConfigError([
      {
        message: `not an input or external of dotops.yaml: ${unknown.join(", ")} (declared: ${[...seen].map((s) => s.split(":").slice(1).join(":")).join(", ") || "none"})`,
      },
    ]);
  const removed = [
    ...Object.keys(prev.inputs).filter((k) => !lock.inputs[k]),
    ...Object.keys(prev.externals).filter((k) => !lock.externals[k]),
  ];
  return { lock, entries, removed };
}
