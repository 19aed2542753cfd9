import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { LoadOptions } from "../config/load.js";
import type { ConfigSource } from "../config/source.js";
import type { Engine } from "../engine/engine.js";
import type { Failpoints } from "../engine/journal.js";
import { UsageError } from "../errors.js";
import { commitSource, worktreeSource } from "../git/source.js";
import type { Host } from "../host/host.js";
import { RealHost } from "../host/real-host.js";
import { colors, noColors, type Palette, useColor } from "../report/color.js";
import { createLogger } from "../report/logger.js";
import type { RenderOptions } from "../report/render-plan.js";
import { statePaths } from "../resources/context.js";
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

  constructor(readonly opts: GlobalOptions) {
    this.home = homeDir(this.env);
    this.palette = useColor(process.stdout, this.env, opts.color) ? colors : noColors;
    const level = opts.quiet ? "error" : opts.verbose ? (opts.verbose > 1 ? "trace" : "debug") : "info";
    this.log = createLogger({ level, format: opts.logFormat });
    this.stateDir = stateDirOf(opts, this.env, this.home);
  }

  engine(host: Host = new RealHost({ home: this.home })): Engine {
    return {
      host,
      state: statePaths(this.stateDir),
      log: this.log,
      failpoints: failpointsFromEnv(this.env.DOTOPS_FAILPOINT),
    };
  }

  /** --repo, else $DOTOPS_REPO, else the current dir when it holds dotops.yaml, else the agent's clone. */
  repoDir(): string {
    const explicit = explicitRepoDir(this.opts, this.env);
    if (explicit) return explicit;
    if (existsSync("dotops.yaml")) return process.cwd();
    const clone = join(this.stateDir, "repo");
    if (existsSync(clone)) return clone;
    throw new UsageError(
      "no config repo: run dotops inside your dotfiles repo, or pass --repo DIR (or set DOTOPS_REPO)",
      "create one with `dotops init ~/dotfiles`",
    );
  }

  sourceLoader(sel: SourceSelection, repo = this.repoDir()): () => Promise<ConfigSource> {
    if (sel.commit && sel.worktree) throw new UsageError("use either --commit or --worktree, not both");
    return sel.worktree ? () => worktreeSource(repo) : () => commitSource(repo, sel.commit ?? "HEAD");
  }

  /** With `secrets` (planning or applying this machine) `!secret` values are looked up here. */
  loadOptions(opts: { secrets?: boolean } = {}): LoadOptions {
    const base = { host: this.opts.host, hostname: hostname().split(".")[0] };
    return opts.secrets === false ? base : { ...base, resolveSecret: (ref) => this.resolveSecret(ref) };
  }

  private resolveSecret(ref: string): string | undefined {
    const [kind, ...rest] = ref.split(":");
    const name = rest.join(":");
    if (kind === "env") return this.env[name];
    try {
      return readFileSync(name.replace(/^~(?=\/|$)/, this.home), "utf8").replace(/\r?\n$/, "");
    } catch {
      return undefined;
    }
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

/**
 * DOTOPS_FAILPOINT=step:3=kill,commit=throw crashes (SIGKILL) or fails an
 * apply at a named point. Used by the journal tests to prove recovery.
 */
function failpointsFromEnv(spec: string | undefined): Failpoints | undefined {
  if (!spec) return undefined;
  const points = new Map(spec.split(",").map((p) => p.split("=") as [string, string]));
  return {
    hit(name) {
      const action = points.get(name);
      if (action === "kill") process.kill(process.pid, "SIGKILL");
      if (action === "throw") throw new Error(`failpoint ${name}`);
    },
  };
}
