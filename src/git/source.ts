import { existsSync } from "node:fs";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { globToRegExp } from "../config/glob.js";
import {
  type ConfigSource,
  lazySource,
  type Snapshot,
  type SnapshotEntry,
  type SnapshotReader,
} from "../config/source.js";
import { ConfigError, type ConfigProblem } from "../errors.js";
import { gitBlobId } from "../modules/objects.js";
import { git, isGitRepo, resolveCommit } from "./git.js";
import type { InputCache } from "./input-cache.js";

/**
 * Bytes this machine may hold already for a Git blob id (the store's copy of
 * what an earlier apply read): checked against the id before use, so a copy
 * changed since is never taken for the blob. A one-file change then reads one
 * file from Git, not every file of the tree.
 */
export type LocalBlobs = (oid: string) => Promise<Buffer | undefined>;

/** Larger files are refused rather than held in memory: dotfiles are small, a 1 GB blob is not one. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
/**
 * Entries a config repo's tree may list (submodules read included). Every
 * command lists the whole commit, so this bounds what a repo costs before
 * anything is parsed: dotfiles are hundreds of files, and a tree of a million
 * (made in seconds with `git mktree`) would take minutes and gigabytes.
 */
export const MAX_TREE_ENTRIES = 50_000;
/** Config files, link texts and attributes are read with the listing: every pass needs them. */
const EAGER = /(^|\/)(\.gitattributes|\.gitmodules|dotops\.lock|[^/]+\.ya?ml)$/;
const EAGER_MAX_BYTES = 1024 * 1024;

interface Located {
  repo: string;
  oid: string;
}

/**
 * The config as it is in the Git tree at `rev`: listed with `ls-tree`, never
 * checked out (the work tree may be dirty). Contents are read on demand (see
 * LazySource), a submodule from its own repository at the commit the parent
 * pins, and a file stored through a filter (LFS, git-crypt) as the work tree
 * would have it, or refused.
 */
export async function commitSource(
  repo: string,
  rev = "HEAD",
  opts: {
    resolved?: boolean;
    local?: LocalBlobs;
    inputs?: InputCache;
    /** The config's folder when it is not the repo's root (`dotfiles/`): the snapshot is of it alone. */
    subdir?: string;
  } = {},
): Promise<ConfigSource> {
  // A commit id the caller had Git resolve already is not asked again (one process fewer).
  const sha = opts.resolved ? rev : await resolveCommit(repo, rev);
  const whole = await gitSnapshot(repo, sha, opts.local);
  const snap = opts.subdir ? subdirOf(whole, opts.subdir) : whole;
  const label = `commit ${sha.slice(0, 12)}${opts.subdir ? ` (${opts.subdir.replace(/\/$/, "")})` : ""}`;
  return withInputs({ ...snap, label, commit: sha }, opts.inputs);
}

/** The part of a snapshot under `prefix`, its paths made relative to it; reads go to the whole. */
function subdirOf(snap: Snapshot, prefix: string): Snapshot {
  const entries = snap.entries.flatMap((e) =>
    e.path.startsWith(prefix) ? [{ ...e, path: e.path.slice(prefix.length) }] : [],
  );
  const reader: SnapshotReader = {
    read: async (paths, problems) => {
      const out = new Map<string, Buffer>();
      for (const [p, data] of await snap.reader.read(
        paths.map((p) => `${prefix}${p}`),
        problems,
      ))
        out.set(p.slice(prefix.length), data);
      return out;
    },
    expand: (path, commit) => snap.reader.expand(`${prefix}${path}`, commit),
  };
  return { entries, reader };
}

/** The entries of the tree at `sha` (small config files read) and the reader of the rest. */
export async function gitSnapshot(repo: string, sha: string, local?: LocalBlobs): Promise<Snapshot> {
  const reader = new GitReader(repo, local);
  const entries = await reader.list(repo, sha, "");
  reader.attributes = attributesOf(entries);
  return { entries, reader };
}

/** `inputs:` or `externals:` at the top of dotops.yaml: only then is the mounting code loaded. */
const DECLARES = /^(inputs|externals)\s*:/m;

/** The snapshot with the inputs and externals dotops.lock pins placed in it (inputs/mount.ts). */
async function withInputs(
  snap: Snapshot & { label: string; commit?: string },
  cache: InputCache | undefined,
): Promise<ConfigSource> {
  const entry = snap.entries.find((e) => e.path === "dotops.yaml")?.data;
  if (!cache || !entry || !DECLARES.test(entry.toString("utf8")))
    return lazySource(snap, snap.label, snap.commit);
  const { mountInputs } = await import("../inputs/mount.js");
  return mountInputs(snap, cache, { commit: (repo, rev) => gitSnapshot(repo, rev), dir: dirSnapshot });
}

class GitReader implements SnapshotReader {
  /** Where each path's blob is: the repo itself or a submodule's. */
  private readonly where = new Map<string, Located>();
  /** Entries listed so far, submodules included (MAX_TREE_ENTRIES). */
  private listed = 0;
  attributes: Attribute[] = [];
  private drivers = new Map<string, boolean>();

  constructor(
    private readonly root: string,
    private readonly local?: LocalBlobs,
  ) {}

  /** Entries of `tree` in `repo`, under `prefix`; small config files and link texts read at once. */
  async list(repo: string, tree: string, prefix: string): Promise<SnapshotEntry[]> {
    // Without -l: sizes would make git open every blob of the tree; they come with what is read (catBlobs).
    const out = (await git(repo, ["ls-tree", "-r", "-z", "--full-tree", tree])).stdout;
    this.listed += countNul(out);
    if (this.listed > MAX_TREE_ENTRIES)
      throw new ConfigError([
        {
          message: `${prefix ? `with the submodule ${prefix.slice(0, -1)}, ` : ""}the repo's tree lists ${this.listed} files; dotops reads config repos of up to ${MAX_TREE_ENTRIES} (dotfiles are hundreds): keep vendored trees and data out of the repo`,
        },
      ]);
    const entries: SnapshotEntry[] = [];
    const eager: { path: string; oid: string }[] = [];
    for (const { header, path, problem } of treeRecords(out)) {
      const [mode, type, oid] = header.split(" ") as [string, string, string];
      const full = `${prefix}${path}`;
      if (type === "commit") {
        entries.push({ path, type: "submodule", data: Buffer.from(oid), ...(problem ? { problem } : {}) });
        continue;
      }
      if (type !== "blob") continue;
      this.where.set(full, { repo, oid });
      const kind = mode === "120000" ? "symlink" : mode === "100755" ? "exec" : "file";
      entries.push({ path, type: kind, ...(problem ? { problem } : {}) });
      if (!problem && (kind === "symlink" || EAGER.test(path))) eager.push({ path, oid });
    }
    // A config file over the limit is left for later: read on demand, where the file limit applies.
    const read = await catBlobs(
      repo,
      eager.map((e) => e.oid),
      undefined,
      EAGER_MAX_BYTES,
    );
    const byPath = new Map(eager.flatMap((e, i) => (read[i]?.data ? [[e.path, read[i].data] as const] : [])));
    return entries.map((e) => (byPath.has(e.path) ? { ...e, data: byPath.get(e.path) } : e));
  }

  async read(paths: string[], problems: ConfigProblem[]): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    const plain: string[] = [];
    for (const path of paths) {
      const at = this.where.get(path);
      if (!at) continue;
      const filter = filterOf(this.attributes, path);
      const known = filter ? undefined : await this.fromLocal(at.oid);
      if (known) out.set(path, known);
      else if (!filter) plain.push(path);
      else if (await this.driverSetUp(at.repo, filter)) {
        const r = await git(at.repo, ["cat-file", "--filters", `--path=${path}`, at.oid], {
          allowFail: true,
        });
        if (r.exitCode === 0)
          out.set(path, r.stdout); // checked with the rest by usable()
        else problems.push({ message: `${path}: the ${filter} filter failed: ${r.stderr.trim()}` });
      } else problems.push({ message: filterMissing(path, filter) });
    }
    const read = await catBlobs(
      this.root,
      plain.map((p) => (this.where.get(p) as Located).oid),
      plain.map((p) => (this.where.get(p) as Located).repo),
    );
    for (const [i, p] of plain.entries()) {
      const r = read[i] as Read;
      if (r.missing)
        problems.push({
          message: `${p} is missing from the repository's objects (a partial or damaged clone): \`git fetch\` it, or \`git fsck\``,
        });
      else if (!r.data) problems.push({ message: tooLarge(p, r.size) });
      else out.set(p, r.data);
    }
    return usable(out, problems);
  }

  /** A blob's bytes from a copy on this machine, when they hash to its id (else Git is asked). */
  private async fromLocal(oid: string): Promise<Buffer | undefined> {
    const data = await this.local?.(oid).catch(() => undefined);
    return data && gitBlobId(data) === oid ? data : undefined;
  }

  async expand(path: string, commit: string): Promise<SnapshotEntry[]> {
    const repo = await this.submoduleRepo(path, commit);
    return this.list(repo, commit, `${path}/`);
  }

  /** The submodule's own repository, holding the pinned commit: its checkout, or the parent's .git/modules. */
  private async submoduleRepo(path: string, commit: string): Promise<string> {
    const gitDir = (await git(this.root, ["rev-parse", "--absolute-git-dir"])).stdout.toString("utf8").trim();
    for (const dir of [join(this.root, path), join(gitDir, "modules", path)]) {
      if (!existsSync(dir)) continue;
      const has = await git(dir, ["cat-file", "-e", `${commit}^{commit}`], { allowFail: true });
      if (has.exitCode === 0) return dir;
    }
    const bare =
      (await git(this.root, ["rev-parse", "--is-bare-repository"])).stdout.toString().trim() === "true";
    throw new ConfigError([
      {
        message: `${path} is a Git submodule (pinned at ${commit.slice(0, 12)}) whose commit is not in ${this.root}: ${
          bare
            ? "the agent's clone does not fetch submodules; copy the files you use into the repo, or pass --repo to a checkout with the submodule"
            : `run \`git submodule update --init ${path}\` there`
        }`,
      },
    ]);
  }

  private async driverSetUp(repo: string, filter: string): Promise<boolean> {
    const key = `${repo}\0${filter}`;
    let ok = this.drivers.get(key);
    if (ok === undefined) {
      const r = await git(
        repo,
        ["config", "--get-regexp", `^filter\\.${filter.replace(/\W/g, "\\$&")}\\.(smudge|process)$`],
        {
          allowFail: true,
        },
      );
      ok = r.exitCode === 0 && r.stdout.length > 0;
      this.drivers.set(key, ok);
    }
    return ok;
  }
}

/** NUL bytes in `buf`: the records of a `-z` listing, counted before any is parsed. */
function countNul(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(0); i >= 0; i = buf.indexOf(0, i + 1)) n++;
  return n;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A path segment that is empty, `.` or `..`. */
const DOT_SEGMENT = /(?:^|\/)\.{0,2}(?:\/|$)/;
const DOT_PROBLEM =
  "a tree entry named . or .. (made with Git plumbing; git fsck refuses it); remove it from the repo";
const NOT_UTF8 = "the name is not valid UTF-8; rename it in the repo";

/**
 * The records of `ls-tree -r -z`: header (`<mode> <type> <oid>`), path, and
 * why the path cannot be deployed under its name, if it cannot. A name that is
 * not UTF-8 would decode to U+FFFD (two such names collide, and neither lands
 * under its own name), so its bytes are kept visible as \xNN; `.`, `..` and
 * empty segments come only from trees made with plumbing (Git's fsck refuses
 * them) and would climb out of a target. The whole listing is decoded at once
 * when it is UTF-8, as it nearly always is; record by record when it is not.
 */
export function treeRecords(out: Buffer): { header: string; path: string; problem?: string }[] {
  const records: { header: string; path: string; problem?: string }[] = [];
  const add = (header: string, path: string, notUtf8: boolean) => {
    const problem = DOT_SEGMENT.test(path) ? DOT_PROBLEM : notUtf8 ? NOT_UTF8 : undefined;
    records.push(problem ? { header, path, problem } : { header, path });
  };
  let text: string | undefined;
  try {
    text = utf8.decode(out);
  } catch {
    // Some name is not UTF-8: below, byte by byte.
  }
  if (text !== undefined) {
    for (const rec of text.split("\0")) {
      if (!rec) continue;
      const tab = rec.indexOf("\t");
      add(rec.slice(0, tab), rec.slice(tab + 1), false);
    }
    return records;
  }
  for (let start = 0; start < out.length; ) {
    const nul = out.indexOf(0, start);
    const end = nul < 0 ? out.length : nul;
    const rec = out.subarray(start, end);
    start = end + 1;
    if (!rec.length) continue;
    const tab = rec.indexOf(9);
    const bytes = rec.subarray(tab + 1);
    let path: string;
    let notUtf8 = false;
    try {
      path = utf8.decode(bytes);
    } catch {
      path = escapeInvalidUtf8(bytes);
      notUtf8 = true;
    }
    add(rec.subarray(0, tab).toString("latin1"), path, notUtf8);
  }
  return records;
}

/** Valid UTF-8 runs as text, every other byte as \xNN. */
function escapeInvalidUtf8(bytes: Buffer): string {
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] as number;
    const len =
      b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    try {
      if (!len || i + len > bytes.length) throw new Error();
      out += utf8.decode(bytes.subarray(i, i + len));
      i += len;
    } catch {
      out += `\\x${b.toString(16).padStart(2, "0")}`;
      i++;
    }
  }
  return out;
}

/** Indexes of `oids` grouped by the repository that holds them. */
function byRepo(root: string, oids: string[], repos?: string[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const i of oids.keys()) {
    const repo = repos?.[i] ?? root;
    const group = groups.get(repo);
    if (group) group.push(i);
    else groups.set(repo, [i]);
  }
  return groups;
}

/** A blob as read: its size, and its bytes unless it was over the limit the read was given or is missing. */
interface Read {
  size: number;
  data: Buffer | null;
  missing?: true;
}

/**
 * Blob contents in order, per repository: first their sizes (`cat-file
 * --batch-check` reads only the objects' headers), then one streaming
 * `cat-file --batch` of those within `max`, so a blob over the limit is never
 * read at all, and memory holds only what is kept. Each object is asked for
 * once however many paths share it (a tree of 20,000 empty files is one blob).
 */
async function catBlobs(
  root: string,
  oids: string[],
  repos?: string[],
  max = MAX_FILE_BYTES,
): Promise<Read[]> {
  const out: Read[] = new Array(oids.length);
  for (const [repo, idx] of byRepo(root, oids, repos)) {
    const unique = [...new Set(idx.map((i) => oids[i] as string))];
    const sizes = await blobSizes(repo, unique);
    const contents = await blobContents(
      repo,
      unique.filter((oid) => (sizes.get(oid) ?? max + 1) <= max),
    );
    for (const i of idx) {
      const oid = oids[i] as string;
      const size = sizes.get(oid);
      out[i] =
        size === undefined
          ? { size: 0, data: null, missing: true }
          : { size, data: contents.get(oid) ?? null };
    }
  }
  return out;
}

/** Sizes of the blobs that exist; a missing one is left out. */
async function blobSizes(repo: string, oids: string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  if (!oids.length) return sizes;
  const r = await git(repo, ["cat-file", "--batch-check"], { input: `${oids.join("\n")}\n` });
  for (const line of r.stdout.toString("latin1").split("\n")) {
    const [oid, type, size] = line.split(" ");
    if (oid && type !== "missing" && size !== undefined) sizes.set(oid, Number(size));
  }
  return sizes;
}

/** The contents of these blobs, streamed: `<oid> <type> <size>\n<bytes>\n` each. */
async function blobContents(repo: string, oids: string[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (!oids.length) return out;
  let header = Buffer.alloc(0);
  let left = -1; // bytes of the current blob still to come, and its newline; -1: reading a header
  let oid = "";
  let size = 0;
  let parts: Buffer[] = [];
  const take = (chunk: Buffer) => {
    let pos = 0;
    while (pos < chunk.length) {
      if (left < 0) {
        const nl = chunk.indexOf(10, pos);
        header = Buffer.concat([header, chunk.subarray(pos, nl < 0 ? chunk.length : nl)]);
        if (nl < 0) return;
        pos = nl + 1;
        const fields = header.toString("latin1").split(" ");
        header = Buffer.alloc(0);
        if (fields[1] === "missing") continue;
        oid = fields[0] ?? "";
        size = Number(fields[2]);
        left = size + 1;
        parts = [];
        continue;
      }
      const n = Math.min(left, chunk.length - pos);
      parts.push(chunk.subarray(pos, pos + n));
      pos += n;
      left -= n;
      if (left === 0) {
        out.set(oid, Buffer.concat(parts).subarray(0, size));
        left = -1;
      }
    }
  };
  await git(repo, ["cat-file", "--batch"], { input: `${oids.join("\n")}\n`, onStdout: take });
  return out;
}

const tooLarge = (path: string, size: number) =>
  `${path} is ${(size / 1024 / 1024).toFixed(1)} MiB; dotops manages files up to ${MAX_FILE_BYTES / 1024 / 1024} MiB (keep large data out of the dotfiles repo, or sync it with another tool)`;

const filterMissing = (path: string, filter: string) =>
  `${path} is stored through the "${filter}" filter (.gitattributes), which is not set up here${
    filter === "lfs"
      ? " (`git lfs install` and `git lfs pull`)"
      : filter === "git-crypt"
        ? " (`git-crypt unlock`)"
        : ""
  }; dotops deploys it only as the work tree would have it`;

/** Drops (as problems) what is only Git's stored form of a file, so it is never deployed. */
function usable(read: Map<string, Buffer>, problems: ConfigProblem[]): Map<string, Buffer> {
  for (const [path, data] of read) {
    const stored = storedForm(data);
    if (!stored) continue;
    problems.push({ message: `${path} ${stored}` });
    read.delete(path);
  }
  return read;
}

/** A file as Git stores it for a filter, not as it is meant to be used: an LFS pointer, git-crypt ciphertext. */
export function storedForm(data: Buffer): string | undefined {
  if (data.subarray(0, 10).equals(Buffer.from("\0GITCRYPT\0")))
    return "is git-crypt ciphertext (the repo is locked: `git-crypt unlock`); dotops will not deploy encrypted bytes";
  if (
    data.length < 1024 &&
    data.toString("latin1").startsWith("version https://git-lfs.github.com/spec/v1\n")
  )
    return "is a Git LFS pointer, not the file (`git lfs pull`); dotops will not deploy the pointer";
  return undefined;
}

interface Attribute {
  dir: string;
  pattern: RegExp;
  filter: string | null;
}

/** `filter=` lines of every .gitattributes in the snapshot, in the order Git applies them (deeper wins). */
function attributesOf(entries: SnapshotEntry[]): Attribute[] {
  const out: Attribute[] = [];
  const files = entries.filter((e) => e.path === ".gitattributes" || e.path.endsWith("/.gitattributes"));
  files.sort((a, b) => a.path.split("/").length - b.path.split("/").length);
  for (const { path: file, data } of files) {
    const dir = file.slice(0, -".gitattributes".length);
    for (const line of (data?.toString("utf8") ?? "").split("\n")) {
      const [pat, ...attrs] = line.trim().split(/\s+/);
      if (!pat || pat.startsWith("#")) continue;
      const f = attrs.find((a) => a.startsWith("filter=") || a === "-filter" || a === "!filter");
      if (!f) continue;
      const anchored = pat.includes("/") && !pat.endsWith("/");
      const glob = anchored ? pat.replace(/^\//, "") : `**/${pat}`;
      out.push({ dir, pattern: globToRegExp(glob), filter: f.startsWith("filter=") ? f.slice(7) : null });
    }
  }
  return out;
}

function filterOf(attrs: Attribute[], path: string): string | null {
  let filter: string | null = null;
  for (const a of attrs) {
    if (!path.startsWith(a.dir)) continue;
    if (a.pattern.test(path.slice(a.dir.length))) filter = a.filter;
  }
  return filter;
}

/** Uncommitted files (`--worktree`): tracked and untracked-but-not-ignored, as they are on disk. */
export async function worktreeSource(dir: string, opts: { inputs?: InputCache } = {}): Promise<ConfigSource> {
  const snap = { entries: await worktreeEntries(dir), reader: new WorktreeReader(dir) };
  return withInputs({ ...snap, label: `work tree ${dir}` }, opts.inputs);
}

/** A plain directory's files (an unpacked archive): not asked of Git, even inside a work tree. */
export async function dirSnapshot(dir: string): Promise<Snapshot> {
  return { entries: await worktreeEntries(dir, true), reader: new WorktreeReader(dir) };
}

class WorktreeReader implements SnapshotReader {
  constructor(private readonly root: string) {}

  async read(paths: string[], problems: ConfigProblem[]): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    for (const p of paths) {
      const st = await lstat(join(this.root, p)).catch(() => null);
      if (!st) continue;
      if (st.size > MAX_FILE_BYTES) problems.push({ message: tooLarge(p, st.size) });
      else out.set(p, await readFile(join(this.root, p)));
    }
    return usable(out, problems);
  }

  async expand(path: string): Promise<SnapshotEntry[]> {
    if (!(await isGitRepo(join(this.root, path))))
      throw new ConfigError([
        {
          message: `${path} is a Git submodule that is not checked out: run \`git submodule update --init ${path}\``,
        },
      ]);
    return worktreeEntries(join(this.root, path));
  }
}

async function worktreeEntries(dir: string, plain = false): Promise<SnapshotEntry[]> {
  const listed =
    !plain && (await isGitRepo(dir))
      ? await gitListed(dir)
      : (await walk(dir, "")).map((path) => ({ path, gitlink: false }));
  const entries: SnapshotEntry[] = [];
  for (const { path, gitlink } of listed) {
    const abs = join(dir, path);
    const st = await lstat(abs).catch(() => null);
    if (!st) continue; // deleted but still in the index
    if (gitlink) entries.push({ path, type: "submodule", data: Buffer.from("work tree") });
    else if (st.isSymbolicLink())
      entries.push({ path, type: "symlink", data: Buffer.from(await readlink(abs)) });
    else if (st.isFile()) {
      const eager = EAGER.test(path) && st.size <= EAGER_MAX_BYTES;
      entries.push({
        path,
        type: st.mode & 0o100 ? "exec" : "file",
        ...(eager ? { data: await readFile(abs) } : {}),
      });
    }
  }
  return entries;
}

/** Tracked files (submodules as gitlinks) and untracked ones that are not ignored. */
async function gitListed(dir: string): Promise<{ path: string; gitlink: boolean }[]> {
  const staged = (await git(dir, ["ls-files", "-z", "--stage", "--cached"])).stdout.toString("utf8");
  const out = new Map<string, boolean>();
  for (const rec of staged.split("\0")) {
    if (!rec) continue;
    const tab = rec.indexOf("\t");
    out.set(rec.slice(tab + 1), rec.startsWith("160000 "));
  }
  const others = (await git(dir, ["ls-files", "-z", "--others", "--exclude-standard"])).stdout.toString(
    "utf8",
  );
  for (const p of others.split("\0")) if (p) out.set(p, false);
  return [...out].map(([path, gitlink]) => ({ path, gitlink }));
}

async function walk(root: string, rel: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    if (e.name === ".git" || e.name === "node_modules") continue;
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(root, p)));
    else out.push(p);
  }
  return out.sort();
}
