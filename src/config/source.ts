import { ConfigError, type ConfigProblem } from "../errors.js";

/**
 * A snapshot of the config repo: every file of the Git tree at one commit (or
 * of the work tree when asked). Config and modules are pure functions of it.
 */
export interface SourceFile {
  /**
   * `exec` for 100755 blobs, `symlink` for 120000 (data is the link text),
   * `submodule` for a gitlink (data is the commit it pins) not expanded yet.
   */
  type: "file" | "exec" | "symlink" | "submodule";
  /** The content. In a lazy snapshot, reading content not fetched yet asks for it (see withContent). */
  readonly data: Buffer;
  /** Why the entry cannot be deployed under its name (not UTF-8, a `..` Git's fsck refuses): refused where used. */
  readonly problem?: string;
}

/**
 * Another repository's tree placed in this snapshot under `prefix`: an input
 * (`inputs.base/`) or an external (`.externals/.oh-my-zsh/`), at the commit
 * dotops.lock pins.
 */
export interface Mount {
  kind: "input" | "external";
  /** The lock's key: `base`, `base/company` (an input's own input), `~/.oh-my-zsh`. */
  key: string;
  prefix: string;
  /** What dotops.yaml names: a Git repository's URL or path, or an archive's. */
  source: string;
  /** The branch or tag a Git repository's pin follows. */
  ref?: string;
  /** The commit pinned, or `sha256:<hex>` of an archive. */
  rev: string;
  /** Git only: what git fetches (`source`, or the absolute path a local one names). */
  url?: string;
}

export interface ConfigSource {
  /** What the snapshot is of, for messages: "commit 1a2b3c4" or "work tree". */
  label: string;
  /** Full SHA when read from Git. */
  commit?: string;
  files: ReadonlyMap<string, SourceFile>;
  /** Lazy snapshots: paths pure code asked for that are not read yet (contents, submodules to expand). */
  wanted?: Set<string>;
  /** Gitlinks not expanded yet: a path at or under one asks for it. */
  submodules?: ReadonlySet<string>;
  /** Reads what is wanted. */
  fetch?(): Promise<void>;
  /** Inputs and externals placed in it; set (maybe empty) when the entry declares any. */
  mounts?: readonly Mount[];
}

/** A tree as listed: its entries (small config files read) and how to read the rest. */
export interface Snapshot {
  entries: SnapshotEntry[];
  reader: SnapshotReader;
}

/** The mount a repo path lies in (the deepest), or undefined for the repo's own files. */
export function mountOf(src: ConfigSource, path: string): Mount | undefined {
  let found: Mount | undefined;
  for (const m of src.mounts ?? [])
    if (path.startsWith(m.prefix) && m.prefix.length > (found?.prefix.length ?? 0)) found = m;
  return found;
}

/** A submodule's files, at the commit the parent pins. */
export interface SnapshotEntry {
  path: string;
  type: "file" | "exec" | "symlink" | "submodule";
  /** Known already (link texts, small config files); else read on demand. */
  data?: Buffer;
  problem?: string;
}

/** How a lazy snapshot gets what is asked for: the I/O, in git/ or for the work tree. */
export interface SnapshotReader {
  /** Contents of these paths; problems (a file too large, encrypted) are collected by the caller. */
  read(paths: string[], problems: ConfigProblem[]): Promise<Map<string, Buffer>>;
  /** The entries of the submodule at `path` (pinned at `commit`), or a problem saying why not. */
  expand(path: string, commit: string): Promise<SnapshotEntry[]>;
}

const EMPTY = Buffer.alloc(0);

/**
 * A snapshot whose file contents are read only when pure code asks for them:
 * a 1-file config in a repo with a 1 GB blob reads one file. Reading content
 * not fetched yet records the path and returns nothing; `withContent` runs the
 * pure pass, fetches what it asked for, and runs it again.
 */
export class LazySource implements ConfigSource {
  readonly files = new Map<string, SourceFile>();
  readonly wanted = new Set<string>();
  readonly submodules = new Set<string>();
  mounts?: readonly Mount[];
  private readonly content = new Map<string, Buffer>();

  constructor(
    readonly label: string,
    readonly commit: string | undefined,
    private readonly reader: SnapshotReader,
  ) {}

  add(e: SnapshotEntry): void {
    if (e.data) this.content.set(e.path, e.data);
    if (e.type === "submodule") this.submodules.add(e.path);
    this.files.set(e.path, new LazyFile(this, e.path, e.type, e.problem));
  }

  /** The content of `path` if read, else records that it is wanted (LazyFile.data). */
  contentOf(path: string): Buffer {
    const d = this.content.get(path);
    if (d) return d;
    this.wanted.add(path);
    return EMPTY;
  }

  async fetch(): Promise<void> {
    const wanted = [...this.wanted];
    this.wanted.clear();
    const problems: ConfigProblem[] = [];
    for (const sm of wanted.filter((p) => this.submodules.has(p))) {
      const commit = this.content.get(sm)?.toString("utf8") ?? "";
      try {
        const entries = await this.reader.expand(sm, commit);
        this.submodules.delete(sm);
        this.files.delete(sm);
        for (const e of entries) this.add({ ...e, path: `${sm}/${e.path}` });
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems.push(...err.problems);
      }
    }
    const paths = wanted.filter((p) => this.files.has(p) && !this.content.has(p));
    for (const [path, data] of await this.reader.read(paths, problems)) this.content.set(path, data);
    if (problems.length) throw new ConfigError(problems);
  }
}

/** A LazySource of a listed tree. */
export function lazySource(snap: Snapshot, label: string, commit?: string): LazySource {
  const src = new LazySource(label, commit, snap.reader);
  for (const e of snap.entries) src.add(e);
  return src;
}

/** One file of a LazySource: a class, not a literal with a getter, as a tree may list 100,000. */
class LazyFile implements SourceFile {
  constructor(
    private readonly src: LazySource,
    private readonly path: string,
    readonly type: SourceFile["type"],
    readonly problem?: string,
  ) {}

  get data(): Buffer {
    return this.src.contentOf(this.path);
  }
}

/** Something a pure pass asks for and a round reads: what it was asked for, and how to read it. */
export interface OnDemand {
  wanted?: Set<string>;
  fetch?(): Promise<void>;
}

/**
 * Runs a pure pass (load the config, build the manifest) over a snapshot,
 * fetching what it asks for and running it again until it asks for nothing
 * more: the pass stays synchronous and free of I/O, and only referenced
 * content is ever read. `also` is one more source the pass reads on demand
 * (the !secret values of this machine, a SecretStore).
 */
export function withContent<T>(src: ConfigSource, pass: () => T): Promise<T>;
export function withContent<T>(src: ConfigSource, also: OnDemand | undefined, pass: () => T): Promise<T>;
export async function withContent<T>(
  src: ConfigSource,
  ...args: [pass: () => T] | [also: OnDemand | undefined, pass: () => T]
): Promise<T> {
  const pass = args.length === 1 ? args[0] : args[1];
  const sources: OnDemand[] = args.length === 1 || !args[0] ? [src] : [src, args[0]];
  for (let round = 0; ; round++) {
    let outcome: { value: T } | { error: unknown };
    try {
      outcome = { value: pass() };
    } catch (error) {
      outcome = { error };
    }
    const asking = sources.filter((s) => s.wanted?.size && s.fetch);
    if (!asking.length) {
      if ("value" in outcome) return outcome.value;
      throw outcome.error;
    }
    // Each round can only uncover what the last one read (a submodule's files): a few suffice.
    if (round >= 8)
      throw new Error(
        `internal: the config still asks for ${[...(asking[0]?.wanted ?? [])][0]} after ${round} reads`,
      );
    for (const s of asking) await s.fetch?.();
  }
}

/** Asks for the gitlink a path lies in or holds, so the next round has its files. */
function wantSubmodules(src: ConfigSource, path: string, inside: boolean): void {
  if (!src.submodules?.size) return;
  for (const sm of src.submodules)
    if (path === sm || path.startsWith(`${sm}/`) || (inside && (path === "" || sm.startsWith(`${path}/`))))
      src.wanted?.add(sm);
}

export function sourceFromRecord(files: Record<string, string>, label = "memory"): ConfigSource {
  const map = new Map<string, SourceFile>();
  for (const [path, text] of Object.entries(files)) map.set(path, { type: "file", data: Buffer.from(text) });
  return { label, files: map };
}

/** Follows in-repo symlinks (as Git stores them) to the file they name. */
export function resolveSourcePath(
  src: ConfigSource,
  path: string,
): { path: string; file?: SourceFile; loop?: boolean } {
  let current = normalizeRepoPath(path);
  // A link in an input's tree leads nowhere outside it, as one in the repo leads nowhere outside the repo.
  const within = mountOf(src, current)?.prefix ?? "";
  for (let hops = 0; hops < 40; hops++) {
    wantSubmodules(src, current, false);
    const f = src.files.get(current);
    if (f?.type !== "symlink") return { path: current, file: f };
    const target = f.data.toString("utf8");
    if (target.startsWith("/")) return { path: current, file: f };
    const base = current.includes("/") ? current.slice(0, current.lastIndexOf("/")) : "";
    const next = normalizeRepoPath(base ? `${base}/${target}` : target);
    if (!next.startsWith(within)) return { path: current, file: f };
    current = next;
  }
  return { path: current, loop: true };
}

/** `./files//a/../b` → `files/b`; `..` above the root stays as a leading `..`. */
export function normalizeRepoPath(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else out.push(part);
  }
  return out.join("/");
}

/** Repo paths under `dir` (a directory in the snapshot), sorted. */
export function listUnder(src: ConfigSource, dir: string): string[] {
  const norm = normalizeRepoPath(dir);
  wantSubmodules(src, norm, true);
  // "" is the repo's root (a `source: .` tree): every path is under it.
  const prefix = norm ? `${norm}/` : "";
  return [...src.files.keys()].filter((p) => p.startsWith(prefix)).sort();
}
