import { existsSync, realpathSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import type { LoadOptions } from "../config/load.js";
import { MachineFacts, type MachineReader } from "../config/machine.js";
import {
  SECRET_DIRS_ENV,
  type SecretReader,
  SecretRefused,
  SecretStore,
  secretFileProblem,
  secretLinkProblem,
} from "../config/secret.js";
import type { ConfigSource } from "../config/source.js";
import { localBlobs } from "../engine/blob-index.js";
import type { Engine } from "../engine/engine.js";
import type { Failpoints } from "../engine/journal.js";
import { statePaths } from "../engine/state.js";
import { UsageError } from "../errors.js";
import { gitTopLevel, resolveCommit } from "../git/git.js";
import { type InputCache, inputCache } from "../git/input-cache.js";
import { worldWritable, worldWritableWarning } from "../git/repo-permissions.js";
import { commitSource, worktreeSource } from "../git/source.js";
import { FaultyHost, parseFaults } from "../host/faulty-host.js";
import type { Host } from "../host/host.js";
import { RealHost } from "../host/real-host.js";
import { colors, noColors, type Palette, useColor } from "../report/color.js";
import { createLogger } from "../report/logger.js";
import type { RenderOptions } from "../report/render-plan.js";
import { explicitRepoDir, type GlobalOptions, homeDir, stateDirOf } from "./globals.js";

export type { GlobalOptions };

export interface SourceSelection {
  commit?: string;
  worktree?: boolean;
}

/** Everything a command needs, built once from the global flags and the environment. */
export class Cli {
  readonly env = process.env;
  readonly home: string;
  readonly palette: Palette;
  readonly log: ReturnType<typeof createLogger>;
  readonly stateDir: string;
  /** The host this command acts on: the last one given to engine(). */
  private machine: Host | undefined;

  constructor(readonly opts: GlobalOptions) {
    this.home = homeDir(this.env);
    this.palette = useColor(process.stdout, this.env, opts.color) ? colors : noColors;
    const level = opts.quiet ? "error" : opts.verbose ? (opts.verbose > 1 ? "trace" : "debug") : "info";
    this.log = createLogger({ level, format: opts.logFormat });
    this.stateDir = stateDirOf(opts, this.env, this.home);
  }

  engine(host: Host = new RealHost({ home: this.home })): Engine {
    // DOTOPS_FAULT: the fault tests' full disks and read-only dirs (host/faulty-host.ts).
    if (this.env.DOTOPS_FAULT) host = new FaultyHost(host, parseFaults(this.env.DOTOPS_FAULT));
    this.machine = host;
    return {
      host,
      state: statePaths(this.stateDir),
      log: this.log,
      failpoints: failpointsFromEnv(this.env.DOTOPS_FAILPOINT),
    };
  }

  /**
   * --repo, else $DOTOPS_REPO, else the config repo the current dir is in (the
   * nearest dir upwards holding dotops.yaml, as git finds .git), else the
   * agent's clone.
   */
  repoDir(): string {
    const explicit = explicitRepoDir(this.opts, this.env);
    if (explicit) return explicit;
    const found = configRepoAbove(process.cwd());
    if (found) return found;
    const clone = join(this.stateDir, "repo");
    if (existsSync(clone)) return clone;
    throw new UsageError(
      `no config repo: there is no ${ENTRY} in ${process.cwd()} or any dir above it, and no --repo, DOTOPS_REPO or agent clone (${clone}) to use instead`,
      "run dotops inside your dotfiles repo or pass --repo DIR; to start one: `dotops init ~/dotfiles`",
    );
  }

  /**
   * Reads the config. Building for this machine (apply, plan) takes unchanged
   * files from the store's copies of the current generation (blob-index.ts);
   * `check` (`fromStore: false`) judges the repository alone.
   */
  sourceLoader(
    sel: SourceSelection,
    repo = this.repoDir(),
    { fromStore = true } = {},
  ): () => Promise<ConfigSource> {
    if (sel.commit && sel.worktree) throw new UsageError("use either --commit or --worktree, not both");
    return async () => {
      await this.warnIfWorldWritable(repo);
      const inputs = this.inputCache(repo);
      const source = sel.worktree
        ? await worktreeSource(repo, { inputs })
        : await commitSource(repo, await this.resolved(repo, sel.commit ?? "HEAD"), {
            resolved: true,
            inputs,
            local: fromStore
              ? localBlobs(new RealHost({ home: this.home }), statePaths(this.stateDir))
              : undefined,
          });
      if (!source.files.has(ENTRY)) throw await missingEntry(repo, source, sel);
      return source;
    };
  }

  /** Where this command reads inputs and externals from (the state dir's cache). */
  inputCache(repo: string): InputCache {
    return inputCache(
      { state: { dir: this.stateDir }, host: new RealHost({ home: this.home }), log: this.log },
      repo,
    );
  }

  /** The commit `sourceLoader(sel)` reads, resolved only; none for the work tree. */
  sourceCommit(sel: SourceSelection, repo = this.repoDir()): (() => Promise<string>) | undefined {
    if (sel.worktree) return undefined;
    return async () => {
      await this.warnIfWorldWritable(repo);
      return this.resolved(repo, sel.commit ?? "HEAD");
    };
  }

  private readonly commits = new Map<string, Promise<string>>();

  /** `rev` as a commit id, asked of Git once per command (the quick no-op check and the load share it). */
  private resolved(repo: string, rev: string): Promise<string> {
    const key = `${repo}\0${rev}`;
    let sha = this.commits.get(key);
    if (!sha) {
      sha = resolveCommit(repo, rev);
      this.commits.set(key, sha);
    }
    return sha;
  }

  private permissionsChecked = false;

  /** Once per command: a config repo anyone can write to is a config anyone can change. */
  private async warnIfWorldWritable(repo: string): Promise<void> {
    if (this.permissionsChecked) return;
    this.permissionsChecked = true;
    const paths = await worldWritable(new RealHost({ home: this.home }), repo);
    if (paths.length) this.log.warn(worldWritableWarning(paths));
  }

  /**
   * With `secrets` (planning or applying this machine) `!secret` values and
   * what templates ask of the machine are looked up on `host`, else on the host this command's engine acts on (a
   * dry run's, a sandbox's), else the real machine: its environment, its files.
   */
  loadOptions(opts: { secrets?: boolean; host?: Host } = {}): LoadOptions {
    const base = { host: this.opts.host, hostname: hostname().split(".")[0] };
    if (opts.secrets === false) return base;
    let real: Host | undefined;
    const host = (): Host => {
      const given = opts.host ?? this.machine;
      if (given) return given;
      real ??= new RealHost({ home: this.home });
      return real;
    };
    return { ...base, secrets: new SecretStore(secretsOn(host)), machine: new MachineFacts(machineOn(host)) };
  }

  /** How much of a plan to show: -q the summary, --diff or -v every file's content too. */
  renderOptions(o: { diff?: boolean } = {}): RenderOptions {
    return { quiet: this.opts.quiet, diffs: o.diff || this.opts.verbose ? "all" : "changes" };
  }

  print(text: string): void {
    process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  printJson(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }
}

const ENTRY = "dotops.yaml";

/**
 * `!secret` values as a host has them: `env:NAME` from its environment,
 * `file:PATH` read through it (`~` is its home). `host` is asked at each
 * lookup, so the engine's host is the one used even when it is made later.
 */
export function secretsOn(host: () => Host): SecretReader {
  return {
    env: (name) => host().env[name],
    file: async (path) => {
      const h = host();
      const allowed = (h.env[SECRET_DIRS_ENV] ?? "").split(":").filter(Boolean);
      const refused = secretFileProblem(path, h.home, allowed);
      if (refused) throw new SecretRefused(refused);
      const abs = path.replace(/^~(?=\/|$)/, h.home);
      // Where it really is: a link in HOME may lead anywhere (HOME and the allowed dirs resolved alike).
      const real = await h.realpath(abs).catch(() => undefined);
      if (real === undefined) return undefined;
      const [realHome = h.home, ...realAllowed] = await Promise.all(
        [h.home, ...allowed].map((d) => h.realpath(d).catch(() => d)),
      );
      const leads = secretLinkProblem(path, real, realHome, realAllowed);
      if (leads) throw new SecretRefused(leads);
      return h.readFile(real).catch(() => undefined);
    },
  };
}

/** What templates ask of the machine (env, lookPath, output), as `host` has it; the hostname is this one's. */
export function machineOn(host: () => Host): MachineReader {
  return {
    env: (name) => host().env[name],
    hostname: () => hostname().split(".")[0] ?? "",
    which: (cmd) => host().which(cmd),
    run: (cmd, args) => host().exec(cmd, args, { readOnly: true, timeoutMs: 30_000 }),
  };
}

/**
 * The config repo `dir` is in: `dir` or the nearest dir above it holding a
 * dotops.yaml. The search stops at the top of the Git repository `dir` is in
 * (a dir holding .git), as a config belongs at the top of its own repository:
 * a project checked out below a config repo is not part of it.
 */
export function configRepoAbove(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, ENTRY))) return d;
    if (existsSync(join(d, ".git")) || d === dirname(d)) return undefined;
  }
}

/**
 * Why the source has no dotops.yaml, in the words that get the user out: not
 * committed yet, a config in a subfolder of a bigger repo (dotops reads a
 * commit's tree from its top), or no config at all.
 */
async function missingEntry(repo: string, source: ConfigSource, sel: SourceSelection): Promise<UsageError> {
  const start = `\`dotops init ${repo}\``;
  if (sel.worktree) return new UsageError(`no ${ENTRY} in ${source.label}`, `start one with ${start}`);
  const onDisk = existsSync(join(repo, ENTRY));
  const top = onDisk ? await gitTopLevel(repo) : null;
  if (top && realpathSync(top) !== realpathSync(repo)) {
    return new UsageError(
      `${repo} is inside the Git repository ${top}, but ${ENTRY} must be at the top of a repository: ${source.label} has none there`,
      `make ${repo} a repository of its own (git init), or use --worktree to read the files as they are`,
    );
  }
  const head = sel.commit === undefined;
  return new UsageError(
    `no ${ENTRY} in ${source.label}: is this a dotops config repo?${onDisk && head ? ` ${join(repo, ENTRY)} is there but not committed` : ""}`,
    onDisk && head
      ? `commit it (git add ${ENTRY} && git commit), or use --worktree to read uncommitted files`
      : `start one with ${start}, or pass --repo DIR`,
  );
}

/**
 * DOTOPS_FAILPOINT=step:3=kill,commit=throw crashes (SIGKILL) or fails an
 * apply at a named point; `stop` suspends it there (SIGSTOP) until a SIGCONT,
 * so a test can change the machine between the plan and the steps. Used by
 * the journal tests to prove recovery and by the hostile corpus to race.
 */
function failpointsFromEnv(spec: string | undefined): Failpoints | undefined {
  if (!spec) return undefined;
  const points = new Map(spec.split(",").map((p) => p.split("=") as [string, string]));
  return {
    hit(name) {
      const action = points.get(name);
      if (action === "kill") process.kill(process.pid, "SIGKILL");
      if (action === "throw") throw new Error(`failpoint ${name}`);
      if (action === "stop") process.kill(process.pid, "SIGSTOP");
    },
  };
}
