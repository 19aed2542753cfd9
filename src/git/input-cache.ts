import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { basename, isAbsolute, join, resolve } from "node:path";
import { DotopsError, PolicyError } from "../errors.js";
import type { Host } from "../host/host.js";
import { git } from "./git.js";
import { client, firstLine } from "./remote.js";

/**
 * The inputs' and externals' repositories, one bare repo per URL under
 * `<state>/inputs/`. A locked commit is read from here and fetched only when
 * it is not here yet, so a machine offline works from what it fetched before;
 * each commit a lock named is kept by a ref (`refs/locked/<sha>`), so nothing
 * a generation was built from is ever pruned.
 */
export interface InputCache {
  /** `<state>/inputs` */
  dir: string;
  home: string;
  /** The config repo: the first in every cycle check. */
  repoDir: string;
  /**
   * What a relative `git:` (`../base`) is relative to: the config repo's
   * origin, as Git resolves a submodule's relative URL, so the same line finds
   * the team's base from a laptop's work tree, the agent's clone and the
   * Action's checkout; the repo's directory when it has no origin. Set by
   * `resolveBase` before any URL is resolved.
   */
  base?: string;
  warn(message: string): void;
  /** Time limit of one fetch. */
  timeoutMs?: number;
  /** Where archives are downloaded to and unpacked (inputs/archive.ts): the engine's host. */
  host: Host;
}

/** The cache of the state dir an engine works in, for the config repo `repoDir`. */
export function inputCache(
  eng: { state: { dir: string }; host: Host; log: { warn(msg: string): void } },
  repoDir: string,
): InputCache {
  return {
    dir: join(eng.state.dir, "inputs"),
    home: eng.host.home,
    repoDir,
    host: eng.host,
    warn: (m) => eng.log.warn(m),
  };
}

/** `~/x` and `/x` are paths on this machine, `./x` and `../x` relative to `base`; anything else is a URL for git. */
export function fetchUrl(cache: Pick<InputCache, "home" | "repoDir" | "base">, url: string): string {
  if (url === "~" || url.startsWith("~/")) return join(cache.home, url.slice(1));
  if (isAbsolute(url)) return url;
  if (url.startsWith("./") || url.startsWith("../")) return relativeTo(cache.base ?? cache.repoDir, url);
  return url;
}

/** Sets `cache.base`: the config repo's origin URL, else its directory. */
export async function resolveBase(cache: InputCache): Promise<void> {
  if (cache.base !== undefined) return;
  const r = await git(cache.repoDir, ["config", "--get", "remote.origin.url"], { allowFail: true });
  const origin = r.exitCode === 0 ? r.stdout.toString("utf8").trim() : "";
  cache.base = origin || cache.repoDir;
}

/**
 * `rel` against the repository at `base`, as Git resolves a submodule's
 * relative URL: `../base` beside `git@host:org/dotfiles.git` is
 * `git@host:org/base`, beside `/srv/git/dotfiles.git` is `/srv/git/base`.
 */
export function relativeTo(base: string, rel: string): string {
  const m = /^([a-z][\w+.-]*:\/\/[^/]*|[^/:@]+@[^/:]+:)(.*)$/i.exec(base);
  const [head, path] = m ? [m[1] as string, m[2] as string] : ["", base];
  const parts = path.replace(/\/+$/, "").split("/");
  for (const seg of rel.split("/")) {
    if (seg === "..") parts.pop();
    else if (seg && seg !== ".") parts.push(seg);
  }
  const joined = parts.join("/");
  return head || isAbsolute(base) ? `${head}${joined}` : resolve(joined);
}

/** The bare repository caching `url` (resolved by fetchUrl): named after it, for a person looking in the state dir. */
function repoFor(cache: Pick<InputCache, "dir">, url: string): string {
  const name = basename(url.replace(/\/+$/, "").replace(/\.git$/, "")).replace(/[^\w.-]/g, "_") || "input";
  const hash = createHash("sha256").update(url).digest("hex").slice(0, 12);
  return join(cache.dir, `${name}-${hash}.git`);
}

async function ensureRepo(dir: string): Promise<void> {
  if (existsSync(join(dir, "HEAD"))) return;
  await mkdir(dir, { recursive: true });
  await git(dir, ["init", "--bare", "--quiet"]);
}

async function hasCommit(dir: string, rev: string): Promise<boolean> {
  if (!existsSync(join(dir, "HEAD"))) return false;
  return (await git(dir, ["cat-file", "-e", `${rev}^{commit}`], { allowFail: true })).exitCode === 0;
}

/** Fetches `what` (a ref, or a commit id) from `url` into the cache; the fetched commit, or why not. */
async function fetchInto(
  cache: InputCache,
  dir: string,
  url: string,
  what: string,
): Promise<{ rev: string } | { unreachable: string } | { missing: string }> {
  await ensureRepo(dir);
  try {
    await client(dir, cache.timeoutMs ?? 300_000).fetch(url, what, ["--quiet", "--no-tags"]);
  } catch (err) {
    const msg = gitFailure(err);
    if (/couldn't find remote ref|not our ref|no such remote ref|unadvertised object/i.test(msg))
      return { missing: msg };
    return { unreachable: msg };
  }
  return { rev: (await git(dir, ["rev-parse", "FETCH_HEAD^{commit}"])).stdout.toString("utf8").trim() };
}

/** git's own reason (its `fatal:` line) rather than the advice printed after it. */
function gitFailure(err: unknown): string {
  const lines = String((err as Error)?.message ?? err).split("\n");
  const fatal = lines.find((l) => /^fatal: /.test(l.trim()));
  return fatal ? fatal.trim().replace(/^fatal: /, "") : firstLine(err);
}

async function keep(dir: string, rev: string): Promise<void> {
  await git(dir, ["update-ref", `refs/locked/${rev}`, rev]);
}

/** What an input or external is called in messages. */
export interface Pinned {
  /** "input base", "external ~/.oh-my-zsh" */
  what: string;
  git: string;
  ref?: string;
  rev: string;
}

/**
 * The cache repository holding the locked commit: as it is, else fetched (its ref, which
 * normally holds it, then the commit itself). Refused when the remote answers
 * but no longer has the commit; an error when it cannot be reached and the
 * cache does not have it. Either way nothing is applied.
 */
export async function lockedRepo(cache: InputCache, p: Pinned): Promise<string> {
  await resolveBase(cache);
  const url = fetchUrl(cache, p.git);
  const dir = repoFor(cache, url);
  if (!(await hasCommit(dir, p.rev))) {
    let tried = await fetchInto(cache, dir, url, p.ref ?? "HEAD");
    if (!("unreachable" in tried) && !(await hasCommit(dir, p.rev)))
      tried = await fetchInto(cache, dir, url, p.rev);
    if ("unreachable" in tried)
      throw new DotopsError(
        `${p.what}: ${p.git} cannot be reached (${tried.unreachable}), and its locked commit ${p.rev.slice(0, 12)} is not in the cache (${dir}); nothing was applied`,
        1,
        "run again once the repository can be reached: after one fetch, dotops works offline from the cache",
      );
    if (!(await hasCommit(dir, p.rev)))
      throw new PolicyError(
        `${p.what}: the locked commit ${p.rev} is not in ${p.git} (its history was rewritten, or the commit was never pushed); nothing was applied`,
        `run \`dotops update ${p.what.replace(/^\w+ /, "")}\` to lock what ${p.ref ?? "its default branch"} holds now, review it, and commit dotops.lock`,
      );
  }
  await keep(dir, p.rev);
  return dir;
}

/**
 * The newest commit of `ref` (`dotops lock`, `dotops update`). When the
 * remote cannot be reached, `fallback` (the commit locked now) is kept with a
 * warning if the cache has it; else it is an error.
 */
export async function latestCommit(
  cache: InputCache,
  p: Omit<Pinned, "rev">,
  fallback?: string,
): Promise<string> {
  await resolveBase(cache);
  const url = fetchUrl(cache, p.git);
  const dir = repoFor(cache, url);
  const r = await fetchInto(cache, dir, url, p.ref ?? "HEAD");
  if ("rev" in r) {
    await keep(dir, r.rev);
    return r.rev;
  }
  if ("missing" in r)
    throw new DotopsError(
      `${p.what}: ${p.git} has no ${p.ref ? `branch or tag ${p.ref}` : "default branch"} (${r.missing})`,
      2,
      "fix its ref in dotops.yaml",
    );
  if (fallback && (await hasCommit(dir, fallback))) {
    cache.warn(
      `${p.what}: ${p.git} cannot be reached (${r.unreachable}); kept the locked commit ${fallback.slice(0, 12)} from the cache`,
    );
    return fallback;
  }
  throw new DotopsError(
    `${p.what}: ${p.git} cannot be reached (${r.unreachable}) and nothing of it is cached`,
    1,
    "check the URL and your network, then run again",
  );
}

/** Commits in `from..to` of a cached input at `url` (fetchUrl's), for `dotops update` and plans; when both are cached. */
export async function commitCount(
  cache: Pick<InputCache, "dir">,
  url: string,
  from: string,
  to: string,
): Promise<number | undefined> {
  const dir = repoFor(cache, url);
  if (!(await hasCommit(dir, from)) || !(await hasCommit(dir, to))) return undefined;
  const r = await git(dir, ["rev-list", "--count", `${from}..${to}`], { allowFail: true });
  return r.exitCode === 0 ? Number(r.stdout.toString("utf8").trim()) : undefined;
}

/** dotops.lock as committed at `commit` of the config repo, or undefined when there is none. */
export async function lockTextAt(repo: string, commit: string): Promise<string | undefined> {
  const r = await git(repo, ["cat-file", "blob", `${commit}:dotops.lock`], { allowFail: true });
  return r.exitCode === 0 ? r.stdout.toString("utf8") : undefined;
}
