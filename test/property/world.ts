/**
 * One sequence's world: a real config repo, a sandbox HOME with dotops' state
 * dir inside, and the model of what the user did (their own files, their
 * edits of managed ones). Operations run through a Driver: in process (the
 * engine's functions, fast) or through the built CLI (end to end); a crash is
 * always a real process killed at a journaled step.
 */
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { planApply, switchGeneration } from "../../src/engine/apply.js";
import { deploy } from "../../src/engine/deploy.js";
import type { Engine, Log } from "../../src/engine/engine.js";
import { gc } from "../../src/engine/gc.js";
import { statePaths } from "../../src/engine/state.js";
import { status } from "../../src/engine/status.js";
import { ConfigError, DotopsError, PolicyError } from "../../src/errors.js";
import { commitSource } from "../../src/git/source.js";
import { RealHost } from "../../src/host/real-host.js";
import { contentHash } from "../../src/modules/objects.js";
import { dotops } from "../helpers.js";
import {
  type ConfigModel,
  ENTRY_YAML,
  expectedHome,
  readModel,
  type Slot,
  type Spec,
  type Tree,
  writeSlot,
} from "./config-model.js";
import { bytesAt, entryAt, linkAt, snapshot } from "./disk.js";
import type { EditHow, Flags, Op, UserPath } from "./ops.js";

const silent: Log = { debug() {}, info() {}, warn() {}, error() {} };

/** What became of an apply, rollback or gc ("error": any other error dotops reported, exit 1). */
export type Result = "ok" | "config-error" | "refused" | "error";

/** The message of the last "error" result. */
let lastErrorText = "";
export const lastError = () => lastErrorText;

export interface Driver {
  readonly name: string;
  apply(w: World, flags: Flags): Promise<Result>;
  rollback(w: World, target: number, flags: Flags): Promise<Result>;
  gc(w: World, keep: number | undefined): Promise<Result>;
}

/** Errors the user is meant to see (invalid config, refusal) become results; anything else fails the property. */
async function outcome(run: () => Promise<unknown>): Promise<Result> {
  try {
    await run();
    return "ok";
  } catch (err) {
    if (err instanceof ConfigError) return "config-error";
    if (err instanceof PolicyError) return "refused";
    if (err instanceof DotopsError) {
      lastErrorText = err.message;
      return "error";
    }
    throw err;
  }
}

export const inProcess: Driver = {
  name: "in-process",
  apply: (w, flags) =>
    outcome(async () => {
      w.lastNoop = (await deploy(w.eng, w.applyRequest(flags))).noop;
    }),
  rollback: (w, target, flags) =>
    outcome(() =>
      switchGeneration(w.eng, target, {
        backupExt: flags.backup ? BACKUP : undefined,
        allowDestructive: flags.destructive,
      }),
    ),
  gc: (w, keep) => outcome(() => gc(w.eng, { keep })),
};

const flagArgs = (flags: Flags) => [
  ...(flags.backup ? ["--backup"] : []),
  ...(flags.destructive ? ["--allow-destructive"] : []),
];

/** The built CLI: exit 2 is an invalid config, 4 a refusal, 0 done; anything else fails the property. */
export const throughCli: Driver = {
  name: "cli",
  apply: (w, flags) => w.cli(["apply", ...flagArgs(flags)]),
  rollback: (w, target, flags) => w.cli(["rollback", String(target), ...flagArgs(flags)]),
  gc: (w, keep) => w.cli(["gc", ...(keep === undefined ? [] : ["--keep", String(keep)])]),
};

export const BACKUP = ".dotops-backup";

const GIT_ENV = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
};

/** A few git commands in one process: spawning is most of a step's cost on a busy machine. */
async function sh(cwd: string, script: string): Promise<string> {
  const r = await execa("sh", ["-c", script], { cwd, env: GIT_ENV });
  return r.stdout.trim();
}

let template: string | undefined;

/** How often each kind of thing happened (DOTOPS_PROPERTY_PROFILE): is the generator reaching the cases? */
export const tally = new Map<string, number>();

/** A repo with dotops.yaml committed, made once and copied for each sequence (git init costs more). */
async function templateRepo(root: string): Promise<string> {
  if (template && existsSync(template)) return template;
  const dir = join(root, "template");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "dotops.yaml"), ENTRY_YAML);
  await sh(dir, `git init -q -b main && git add -A && git commit -q -m dotops.yaml`);
  template = dir;
  return dir;
}

interface GenRecord {
  number: number;
  outcome: string;
  manifestHash: string;
  sameContentAs: number | null;
}

export class World {
  readonly repo: string;
  readonly home: string;
  readonly stateDir: string;
  readonly eng: Engine;
  /** Commits made by the sequence (the ones a revert may pick). */
  readonly commits: string[] = [];
  /** What HOME must be for each generation that was applied: the oracle's answer for its commit. */
  readonly expected = new Map<number, Tree>();
  /** The user's own bytes, by path: files they dropped, managed files they replaced or edited. */
  readonly userFiles = new Map<string, Buffer>();
  /** Directories the user made to drop a file. */
  readonly userDirs = new Set<string>();
  /** Managed paths the user changed since the last apply or rollback went through. */
  readonly drift = new Set<string>();
  /** Store objects the user wrote through a link. */
  readonly through = new Set<string>();
  /** What happened, one line per operation, for the failure message. */
  readonly log: string[] = [];
  /** The last operation was an apply that went through: the store must hold the config's bytes. */
  appliedLast = false;
  /** Nothing happened since an apply went through (in process): another one must change nothing. */
  settledSinceApply = false;
  /** Whether the last in-process apply was a no-op (deploy's answer). */
  lastNoop: boolean | undefined;
  trashed = 0;
  steps = 0;

  private constructor(
    readonly root: string,
    readonly driver: Driver,
  ) {
    this.repo = join(root, "repo");
    this.home = join(root, "home");
    this.stateDir = join(this.home, ".local/state/dotops");
    mkdirSync(this.home, { recursive: true });
    this.eng = {
      host: new RealHost({ home: this.home, env: { PATH: process.env.PATH } }),
      state: statePaths(this.stateDir),
      log: silent,
    };
  }

  static async create(root: string, templateRoot: string, driver: Driver): Promise<World> {
    const w = new World(root, driver);
    cpSync(await templateRepo(templateRoot), w.repo, { recursive: true });
    return w;
  }

  applyRequest(flags: Flags) {
    return {
      load: () => commitSource(this.repo, "HEAD"),
      loadOptions: { host: "box" },
      repoDir: this.repo,
      backupExt: flags.backup ? BACKUP : undefined,
      allowDestructive: flags.destructive,
    };
  }

  async cli(args: string[], env: Record<string, string> = {}): Promise<Result> {
    const r = await dotops(["--repo", this.repo, ...args], { home: this.home, env });
    if (r.exitCode === 0) return "ok";
    if (r.exitCode === 2) return "config-error";
    if (r.exitCode === 4) return "refused";
    lastErrorText = r.stderr;
    if (r.exitCode === 1) return "error";
    throw new Error(`dotops ${args.join(" ")} exited ${r.exitCode}:\n${r.stderr}`);
  }

  // --- reading the state dir directly --------------------------------------

  get generationsDir(): string {
    return join(this.stateDir, "generations");
  }

  generationNumbers(): number[] {
    if (!existsSync(this.generationsDir)) return [];
    return readdirSync(this.generationsDir)
      .filter((n) => /^\d+$/.test(n))
      .map(Number)
      .sort((a, b) => a - b);
  }

  meta(n: number): GenRecord {
    return JSON.parse(readFileSync(join(this.generationsDir, String(n), "meta.json"), "utf8"));
  }

  /** The generation `current` points at, or null. */
  current(): number | null {
    const target = linkAt(join(this.stateDir, "current"));
    if (target === null) return null;
    const m = new RegExp(`^${this.generationsDir}/(\\d+)$`).exec(target);
    if (!m) throw new Error(`current points at ${target}, not at a generation`);
    return Number(m[1]);
  }

  /** What a plain `rollback` goes to: the newest applied generation before current. */
  previousApplied(): number | null {
    const cur = this.current();
    if (cur === null) return null;
    const older = this.generationNumbers().filter((n) => n < cur && this.meta(n).outcome === "applied");
    return older.at(-1) ?? null;
  }

  /** Store objects the user wrote through a link that still hold those bytes. */
  changedObjects(): string[] {
    return [...this.through].filter((o) => {
      const path = join(this.stateDir, "store", o);
      const bytes = bytesAt(path);
      const exec = ((entryAt(path)?.mode ?? 0) & 0o100) !== 0;
      return bytes !== null && !o.startsWith(`${contentHash(bytes, exec)}-`);
    });
  }

  /** Does generation `n` or the current one copy (mode: copy) a store object the user changed? */
  copiesOfChangedObjects(n: number): boolean {
    const changed = new Set(this.changedObjects());
    const copies = (g: number | null) =>
      g === null
        ? []
        : (JSON.parse(readFileSync(join(this.generationsDir, String(g), "manifest.json"), "utf8"))
            .resources as { kind: string; object?: string }[]);
    return [...copies(n), ...copies(this.current())].some(
      (r) => r.kind === "file" && r.object !== undefined && changed.has(r.object),
    );
  }

  /** Something in HOME is the user's, not dotops': dotops may refuse to touch it. */
  dirty(): boolean {
    return (
      this.userFiles.size > 0 ||
      this.drift.size > 0 ||
      // A copy whose store object the user wrote through (via a link) no longer matches it.
      this.changedObjects().length > 0 ||
      [...this.userDirs].some((d) => entryAt(join(this.home, d))?.type === "dir")
    );
  }

  /** HOME and the state dir's records, to prove an operation that was refused changed nothing. */
  picture(): unknown {
    const state = (rel: string) => rel === ".local" || rel.startsWith(".local/");
    const gens = this.generationNumbers().map((n) => [n, this.meta(n).outcome]);
    const dir = (p: string) => (existsSync(p) ? readdirSync(p).sort() : []);
    return {
      home: snapshot(this.home, state),
      current: linkAt(join(this.stateDir, "current")),
      gens,
      store: dir(join(this.stateDir, "store")),
      trash: dir(join(this.stateDir, "trash")),
    };
  }

  note(line: string): void {
    this.log.push(`${this.log.length + 1}. ${line}`);
    const kind = line.replace(/[{[].*[}\]]|"[^"]*"|\d+/g, "#").slice(0, 70);
    tally.set(kind, (tally.get(kind) ?? 0) + 1);
  }

  // --- operations ------------------------------------------------------------

  async run(op: Op): Promise<void> {
    this.steps++;
    this.appliedLast = false;
    if (op.op !== "apply" && op.op !== "gc") this.settledSinceApply = false;
    switch (op.op) {
      case "commit":
        return this.commit(op.set);
      case "change":
        await this.commit(op.set);
        return this.apply(op, { unchangedIfNot: true });
      case "apply":
        return this.apply(op, { unchangedIfNot: true });
      case "revert":
        return this.revert(op.pick, op);
      case "rollback":
        return this.rollback(op.to, op, { unchangedIfNot: true });
      case "gc":
        return this.gc(op.keep, { homeUnchanged: true });
      case "drop":
        return this.drop(op.at, op.text);
      case "edit":
        return this.edit(op.pick, op.how, op.text, op.sameSize);
      case "fail":
        return this.failing(op);
      case "crash":
        return this.crash(op);
    }
  }

  async commit(set: [Slot, Spec | null][]): Promise<void> {
    for (const [slot, spec] of set) writeSlot(this.repo, slot, spec);
    this.commits.push(
      await sh(
        this.repo,
        `git add -A && git commit -q --allow-empty -m "step ${this.steps}" && git rev-parse HEAD`,
      ),
    );
    this.note(
      `commit ${set.map(([s, spec]) => `${s}=${spec ? JSON.stringify(spec) : "(removed)"}`).join(", ")}`,
    );
  }

  async revert(pick: number, flags: Flags): Promise<void> {
    const sha = this.commits[pick % Math.max(1, this.commits.length)];
    if (!sha) {
      this.note("revert: no commit to revert");
      return;
    }
    // A later commit changed the same target (or the commit changed nothing): no revert.
    const out = await sh(
      this.repo,
      `if git revert --no-edit ${sha} >/dev/null 2>&1; then git rev-parse HEAD; else git revert --abort >/dev/null 2>&1; git reset -q --hard HEAD; echo conflict; fi`,
    );
    const which = `commit ${this.commits.indexOf(sha) + 1}`;
    if (out === "conflict") this.note(`git revert of ${which}: conflicts, not reverted`);
    else {
      this.commits.push(out);
      this.note(`git revert of ${which}`);
    }
    await this.apply(flags, { unchangedIfNot: true });
  }

  /**
   * Applies HEAD and checks the result against the oracle: an invalid config
   * is an error that changes nothing, a refusal happens only when the user has
   * something in HOME, and an apply that goes through reaches HEAD's config.
   */
  async apply(flags: Flags, opts: { unchangedIfNot: boolean; driver?: Driver }): Promise<void> {
    const head: ConfigModel = readModel(this.repo);
    const oracle = expectedHome(head);
    const before = opts.unchangedIfNot ? this.picture() : undefined;
    const prev = this.current();
    const known = this.generationNumbers();
    const settled = this.settledSinceApply;
    this.lastNoop = undefined;
    const driver = opts.driver ?? this.driver;
    const result = await driver.apply(this, flags);
    this.note(`apply${flagText(flags)}: ${result}`);
    if (settled && result === "ok" && driver === inProcess && !this.lastNoop)
      this.fail("an apply right after one that went through, with nothing changed since, was not a no-op");
    this.afterApply(result, flags, { oracle, before, prev, known });
    this.settledSinceApply = result === "ok" && driver === inProcess;
  }

  private afterApply(
    result: Result,
    flags: Flags,
    at: { oracle: ReturnType<typeof expectedHome>; before: unknown; prev: number | null; known: number[] },
  ): void {
    if ("invalid" in at.oracle) {
      if (result !== "config-error")
        this.fail(`apply of an invalid config (${at.oracle.invalid}) was not rejected: ${result}`);
    } else if (result === "config-error") this.fail("apply rejected a valid config");
    if (result === "error") this.fail(`apply failed: ${lastErrorText}`);
    if (result === "refused" && !this.dirty())
      this.fail("apply refused although HOME holds nothing of the user's");
    if (result !== "ok") {
      if (at.before !== undefined)
        this.expectEqual(this.picture(), at.before, `${result} apply changed nothing`);
      return;
    }
    const tree = (at.oracle as { tree: Tree }).tree;
    const n = this.current();
    if (n === null) this.fail("apply went through but no generation is current");
    if (n !== at.prev) {
      if (at.known.includes(n))
        this.fail(`apply switched to existing generation ${n} instead of recording one`);
      this.expected.set(n, tree);
      // A config applied before (a revert) names the newest applied generation it repeats.
      const hash = this.meta(n).manifestHash;
      const repeats = at.known
        .map((g) => this.meta(g))
        .filter((g) => g.manifestHash === hash && g.outcome === "applied" && g.number !== at.prev)
        .at(-1);
      if (this.meta(n).sameContentAs !== (repeats?.number ?? null))
        this.fail(
          `generation ${n} has sameContentAs ${this.meta(n).sameContentAs}, not ${repeats?.number ?? null}`,
        );
    } else {
      const had = this.expected.get(n);
      if (!had) this.fail(`generation ${n} is current but was never applied`);
      this.expectEqual(
        treeText(had),
        treeText(tree),
        `apply without a new generation: ${n} is HEAD's config`,
      );
    }
    this.settled(flags);
    this.appliedLast = true;
  }

  async rollback(to: "previous" | number, flags: Flags, opts: { unchangedIfNot: boolean }): Promise<void> {
    const gens = this.generationNumbers();
    const target = to === "previous" ? this.previousApplied() : (gens[to % Math.max(1, gens.length)] ?? null);
    if (target === null) {
      this.note(`rollback ${to}: nothing to roll back to`);
      return;
    }
    const before = opts.unchangedIfNot ? this.picture() : undefined;
    const result = await this.driver.rollback(this, target, flags);
    this.note(`rollback to ${target}${flagText(flags)}: ${result}`);
    if (result === "config-error") return this.fail("rollback reported an invalid config");
    const applied = this.meta(target).outcome === "applied";
    // By design a switch refuses to copy content the user wrote through a link into the store.
    const copiesChanged = this.copiesOfChangedObjects(target);
    if (result === "error" && applied && !(copiesChanged && /is not what was applied/.test(lastErrorText)))
      return this.fail(`rollback to applied generation ${target} failed: ${lastErrorText}`);
    if (result !== "error" && !applied)
      return this.fail(`rollback to ${this.meta(target).outcome} generation ${target}: ${result}`);
    if (result === "refused" || result === "error") {
      if (result === "refused" && !this.dirty())
        this.fail("rollback refused although HOME holds nothing of the user's");
      if (before !== undefined) this.expectEqual(this.picture(), before, "refused rollback changed nothing");
      return;
    }
    if (this.current() !== target) this.fail(`rollback to ${target} left ${this.current()} current`);
    this.settled(flags);
  }

  async gc(keep: number | undefined, opts: { homeUnchanged: boolean }): Promise<void> {
    const gens = this.generationNumbers();
    const home = this.homeSnapshot();
    const result = await this.driver.gc(this, keep);
    // gc never moves `current`; read after it, as the recovery of a crash before it may have.
    const cur = this.current();
    const newest = gens.slice(Math.max(0, gens.length - (keep ?? gens.length)));
    const doomed = gens.filter((n) => n !== cur && !newest.includes(n));
    this.note(
      `gc${keep === undefined ? "" : ` --keep ${keep}`}: ${result}, deleted ${doomed.join(", ") || "none"}`,
    );
    if (result !== "ok") return this.fail(`gc: ${result} ${lastErrorText}`);
    this.expectEqual(
      this.generationNumbers(),
      gens.filter((n) => !doomed.includes(n)),
      "gc keeps the newest N and the current generation",
    );
    for (const n of doomed) this.expected.delete(n);
    if (existsSync(join(this.stateDir, "trash"))) this.fail("gc left the trash");
    if (opts.homeUnchanged) this.expectEqual(this.homeSnapshot(), home, "gc leaves HOME alone");
  }

  /** The user puts a file of their own at `at` (making its directories), if there is room for one. */
  drop(at: UserPath, text: string): void {
    const parts = at.split("/");
    const missing: string[] = [];
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      const e = entryAt(join(this.home, dir));
      if (!e) missing.push(dir);
      else if (e.type !== "dir") {
        this.note(`drop ~/${at}: ~/${dir} is not a directory, no room`);
        return;
      }
    }
    const abs = join(this.home, at);
    const e = entryAt(abs);
    if (e?.type === "dir") {
      this.note(`drop ~/${at}: a directory is there`);
      return;
    }
    for (const d of missing) {
      mkdirSync(join(this.home, d));
      this.userDirs.add(d);
    }
    if (this.managedPaths().has(at)) this.drift.add(at);
    if (e) unlinkSync(abs); // a link is replaced, never written through
    writeFileSync(abs, text, { mode: 0o644 });
    this.userFiles.set(at, Buffer.from(text));
    this.note(`drop ~/${at} = ${JSON.stringify(text)}${e ? ` (replacing a ${e.type})` : ""}`);
  }

  /** The user changes a managed file (or link) of the current generation. */
  edit(pick: number, how: EditHow, text: string, sameSize: boolean): void {
    const paths = [...this.managedPaths()].sort();
    const at = paths[pick % Math.max(1, paths.length)];
    if (at === undefined) {
      this.note(`edit: nothing managed`);
      return;
    }
    const abs = join(this.home, at);
    const e = entryAt(abs);
    if (!e || e.type === "dir") {
      this.note(`edit ~/${at}: nothing to edit there`);
      return;
    }
    const now = bytesAt(abs) ?? Buffer.alloc(0);
    const fresh = () => {
      if (sameSize && now.length) return Buffer.from(now.map((b) => (b >= 0x7e ? 0x21 : b + 1)));
      const b = Buffer.from(text);
      return b.equals(now) ? Buffer.concat([b, Buffer.from("!")]) : b;
    };
    const ourLink = e.type === "symlink" && linkAt(abs)?.startsWith(`${this.stateDir}/`);
    let kind = how;
    if (kind === "through" && !ourLink) kind = "inplace";
    if ((kind === "inplace" || kind === "chmod") && e.type !== "file") kind = "replace";
    switch (kind) {
      case "replace": {
        const b = fresh();
        unlinkSync(abs);
        writeFileSync(abs, b, { mode: 0o644 });
        this.userFiles.set(at, b);
        break;
      }
      case "inplace": {
        const b = fresh();
        writeFileSync(abs, b);
        this.userFiles.set(at, b);
        break;
      }
      case "chmod":
        chmodSync(abs, e.mode === 0o600 ? 0o644 : 0o600);
        break;
      case "delete":
        unlinkSync(abs);
        this.userFiles.delete(at);
        break;
      case "through": {
        // As root (an installer): the store object is read-only, root writes it anyway.
        const object = linkAt(linkAt(abs) as string) as string;
        writeFileSync(abs, fresh());
        this.through.add(object.slice(object.lastIndexOf("/") + 1));
        this.note(`edit ~/${at}: written through the link into ${object.slice(-20)}`);
        return;
      }
    }
    this.drift.add(at);
    this.note(
      `edit ~/${at}: ${kind}${kind === "replace" || kind === "inplace" ? ` = ${JSON.stringify(bytesAt(abs)?.toString())}` : ""}`,
    );
  }

  /**
   * An apply in which a step throws at a journaled point (in process, through
   * the engine's failpoints): it must be undone whole, leaving HOME exactly as
   * it was and the new generation recorded as failed. A throw after the commit
   * record (finalize) is not a failed apply: its steps all ran and stand.
   */
  async failing(op: Extract<Op, { op: "fail" }>): Promise<void> {
    await this.commit(op.set);
    const oracle = expectedHome(readModel(this.repo));
    // Not "finalize": a throw after the commit record is a record that failed, not a failed
    // apply (the steps stand and recovery finishes it); the faults tests own that case.
    const points = (await this.journaledPoints(op)).filter((p) => p !== "finalize");
    const point = points[op.point % Math.max(1, points.length)];
    if (point === undefined) {
      this.note("  (nothing to fail: the apply has no steps)");
      return this.apply(op, { unchangedIfNot: true });
    }
    const prev = this.current();
    const known = this.generationNumbers();
    const n = (known.at(-1) ?? 0) + 1;
    const home = this.homeSnapshot();
    this.eng.failpoints = {
      hit(name) {
        if (name === point) throw new Error(`failpoint ${name}`);
      },
    };
    let result: Result;
    try {
      result = await inProcess.apply(this, op); // failpoints are the engine's: in process only
    } finally {
      this.eng.failpoints = undefined;
    }
    this.note(`apply${flagText(op)} failing at ${point}: ${result}`);
    if (result !== "error") return this.afterApply(result, op, { oracle, before: undefined, prev, known });
    if (!/apply failed and was undone/.test(lastErrorText))
      this.fail(`apply failing at ${point}: ${lastErrorText}`);
    if (this.current() !== prev) this.fail(`a failed apply left ${this.current()} current, not ${prev}`);
    if (this.generationNumbers().includes(n) && this.meta(n).outcome !== "failed")
      this.fail(`generation ${n} of a failed apply is ${this.meta(n).outcome}`);
    this.expectEqual(this.homeSnapshot(), home, "a failed apply leaves HOME exactly as it was");
  }

  /** HOME without the state dir. */
  homeSnapshot(): Record<string, string> {
    return snapshot(this.home, (rel) => rel === ".local" || rel.startsWith(".local/"));
  }

  /**
   * An apply through the CLI killed (SIGKILL) at a journaled step, then the
   * next command, which must bring it to an end: a read-only `status`, or an
   * apply, rollback or gc (in process: only the crash needs a process that really dies).
   */
  async crash(op: Extract<Op, { op: "crash" }>): Promise<void> {
    await this.commit(op.set);
    const head = readModel(this.repo);
    const oracle = expectedHome(head);
    const prev = this.current();
    const known = this.generationNumbers();
    const n = (known.at(-1) ?? 0) + 1;
    const points = await this.journaledPoints(op);
    const point = points[op.point % Math.max(1, points.length)] ?? "commit";
    const before = this.picture();
    const home = this.homeSnapshot();
    const r = await dotops(["--repo", this.repo, "apply", ...flagArgs(op)], {
      home: this.home,
      env: { DOTOPS_FAILPOINT: `${point}=kill` },
    });
    if (r.exitCode !== -1) {
      // Nothing to do, refused or invalid: the apply ended before its transaction.
      const result: Result | undefined = ({ 0: "ok", 2: "config-error", 4: "refused" } as const)[
        r.exitCode as 0 | 2 | 4
      ];
      if (!result) return this.fail(`apply with ${point}=kill exited ${r.exitCode}:\n${r.stderr}`);
      this.note(`apply${flagText(op)} with ${point}=kill: not killed, ${result}`);
      this.afterApply(result, op, { oracle, before, prev, known });
    } else {
      if (!existsSync(join(this.stateDir, "journal"))) this.fail(`killed at ${point}: no journal left`);
      const created = existsSync(join(this.generationsDir, String(n)));
      this.note(`apply${flagText(op)} killed at ${point}${created ? ` (generation ${n} pending)` : ""}`);
      if (point === "finalize") {
        // The commit record is durable: recovery finishes the apply, whose steps all ran.
        if (created) this.expected.set(n, (oracle as { tree: Tree }).tree);
        this.settled(op);
      }
    }
    this.appliedLast = false;
    const finished = r.exitCode === -1 && point === "finalize";
    switch (op.next) {
      case "status": {
        // A read-only command finishes or rolls back the interrupted apply (engine recoverIfInterrupted).
        const st = await status(this.eng);
        const want = finished && existsSync(join(this.generationsDir, String(n))) ? n : prev;
        const got = st.generation?.number ?? null;
        this.note(`status: generation ${got} current`);
        if (r.exitCode === -1 && got !== want)
          this.fail(`after a crash at ${point} generation ${got} is current, not ${want}`);
        if (r.exitCode === -1 && !finished)
          this.expectEqual(
            this.homeSnapshot(),
            home,
            `recovery from a crash at ${point} restores HOME exactly`,
          );
        break;
      }
      case "apply":
        await this.apply({}, { unchangedIfNot: false });
        break;
      case "rollback":
        await this.rollback(op.pick, {}, { unchangedIfNot: false });
        break;
      case "gc":
        // Its recovery of the crash changes HOME; gc itself must not.
        await this.gc(1 + (op.pick % 4), { homeUnchanged: false });
        break;
    }
    if (r.exitCode === -1 && existsSync(join(this.generationsDir, String(n)))) {
      const outcome = this.meta(n).outcome;
      const want = finished ? "applied" : "failed";
      if (outcome !== want) this.fail(`generation ${n} killed at ${point} is ${outcome}, not ${want}`);
    }
  }

  /** The failpoints of the apply HEAD would run now: each journaled step, the commit, and after it. */
  private async journaledPoints(flags: Flags): Promise<string[]> {
    try {
      const { plan } = await planApply(this.eng, this.applyRequest(flags));
      const steps = plan.changes.reduce((sum, c) => sum + c.steps.length, 0);
      const cur = this.current();
      const same = cur !== null && this.meta(cur).manifestHash === plan.to.manifestHash;
      if (same && !plan.changes.length) return [];
      const count = steps + (same ? 0 : 1); // the switch of `current`
      return [...Array.from({ length: count }, (_, i) => `step:${i}`), "commit", "finalize"];
    } catch {
      return []; // an invalid config: the apply fails before any step
    }
  }

  // --- the user's files after an operation that went through -------------------

  /** Paths of the current generation's files and links. */
  managedPaths(): Set<string> {
    const n = this.current();
    if (n === null) return new Set();
    const manifest = JSON.parse(readFileSync(join(this.generationsDir, String(n), "manifest.json"), "utf8"));
    return new Set(
      (manifest.resources as { kind: string; id: string }[])
        .filter((r) => r.kind !== "dir")
        .map((r) => r.id.slice(2)),
    );
  }

  /**
   * After an apply or rollback went through: every drifted path is repaired,
   * and each of the user's files is where it was, or (only when the operation
   * was told so) in its backup or in the trash. Identical content that dotops
   * now manages is dotops' own.
   */
  settled(flags: Flags): void {
    this.drift.clear();
    const managed = this.managedPaths();
    for (const [at, bytes] of [...this.userFiles]) {
      if (bytesAt(join(this.home, at))?.equals(bytes)) {
        if (managed.has(at)) this.userFiles.delete(at); // adopted: the config holds the same bytes
        continue;
      }
      const parts = at.split("/");
      const moved = flags.backup
        ? parts
            .map((_, i) => [...parts.slice(0, i), `${parts[i]}${BACKUP}`, ...parts.slice(i + 1)].join("/"))
            .find((p) => bytesAt(join(this.home, p))?.equals(bytes) && !this.userFiles.has(p))
        : undefined;
      if (moved) {
        this.userFiles.delete(at);
        this.userFiles.set(moved, bytes);
        this.note(`  ~/${at} kept as ~/${moved}`);
        continue;
      }
      const trash = join(this.stateDir, "trash");
      const trashed =
        flags.destructive &&
        existsSync(trash) &&
        readdirSync(trash).some((run) => bytesAt(join(trash, run, at))?.equals(bytes));
      if (trashed) {
        this.userFiles.delete(at);
        this.trashed++;
        this.note(`  ~/${at} moved to the trash (--allow-destructive)`);
        continue;
      }
      this.fail(`the user's ~/${at} (${JSON.stringify(bytes.toString())}) is gone`);
    }
  }

  // --- failing -----------------------------------------------------------------

  fail(message: string): never {
    throw new Error(
      `${message}\n  in ${this.root} (${this.driver.name}), after:\n    ${this.log.join("\n    ")}`,
    );
  }

  expectEqual(actual: unknown, expected: unknown, what: string): void {
    const a = JSON.stringify(actual, null, 1);
    const e = JSON.stringify(expected, null, 1);
    if (a !== e) this.fail(`${what}: expected\n${e}\ngot\n${a}`);
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

const flagText = (f: Flags) => `${f.backup ? " --backup" : ""}${f.destructive ? " --allow-destructive" : ""}`;

/** A tree as comparable text. */
export function treeText(tree: Tree): Record<string, string> {
  return Object.fromEntries(
    [...tree]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([id, e]) => [
        id,
        e.type === "dir"
          ? `dir ${e.mode?.toString(8) ?? "-"}`
          : e.type === "link"
            ? `link${e.exec ? " x" : ""} ${JSON.stringify(e.bytes.toString())}`
            : `file ${e.mode.toString(8)} ${JSON.stringify(e.bytes.toString())}`,
      ]),
  );
}
