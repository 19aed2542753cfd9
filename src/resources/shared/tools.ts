import { DotopsError } from "../../errors.js";
import { type ExecOptions, type ExecResult, type Host, isHostError } from "../../host/host.js";
import type { Action, Change } from "../change.js";
import type { ResourceContext } from "../context.js";

/*
 * The machine's own tools (brew, defaults, launchctl, systemctl), found on
 * the host's PATH: on a Mac the real ones, on Linux faithful simulators, the
 * same code either way. A tool that is not there makes its resources "not
 * observable here": planned as such and refused by apply, never "unchanged".
 */

/** What a kind observes when its tool is missing: the reason, for the plan. */
export interface Unobservable {
  unobservable: string;
}

export const isUnobservable = (o: unknown): o is Unobservable =>
  typeof o === "object" && o !== null && "unobservable" in o;

/** The tool's path on this host (memoised per run), or null. */
export function findTool(ctx: ResourceContext, name: string): Promise<string | null> {
  const key = `tool:${name}`;
  let found = ctx.memo.get(key) as Promise<string | null> | undefined;
  if (!found) {
    found = ctx.host.which(name);
    ctx.memo.set(key, found);
  }
  return found;
}

/** Runs `fn` once per run under `key` (one `brew info` for all brews, one `defaults export` per domain). */
export function once<T>(ctx: ResourceContext, key: string, fn: () => Promise<T>): Promise<T> {
  let p = ctx.memo.get(key) as Promise<T> | undefined;
  if (!p) {
    p = fn();
    ctx.memo.set(key, p);
  }
  return p;
}

/** Why `tool` cannot be used here, or null when it is on PATH. */
export async function missingTool(
  ctx: ResourceContext,
  tool: string,
  install: string,
): Promise<Unobservable | null> {
  if (await findTool(ctx, tool)) return null;
  return { unobservable: `not observable here: ${tool} is not on PATH (${install})` };
}

/** The change for a resource whose tool is missing: listed in the plan, refused by apply. */
export function unobservableChange(
  kind: string,
  id: string,
  desired: unknown,
  previous: unknown,
  o: Unobservable,
): Change {
  const action: Action = desired === undefined ? "delete" : previous === undefined ? "create" : "update";
  return {
    action,
    kind,
    id,
    destructive: false,
    needsRoot: false,
    phase: 0,
    steps: [],
    refusal: o.unobservable,
  };
}

/** A tool that failed: its command line, exit code and what it said. */
export class ToolError extends DotopsError {
  constructor(
    readonly command: string[],
    readonly result: ExecResult,
    hint?: string,
  ) {
    const said = (result.stderr || result.stdout).trim();
    super(
      `${command.join(" ")} failed (exit ${result.exitCode}${result.timedOut ? ", timed out" : ""})${said ? `: ${said}` : ""}`,
      1,
      hint,
    );
    this.name = "ToolError";
  }
}

/** Runs a tool and fails with what it said unless its exit code is one of `ok`. */
export async function runTool(
  ctx: ResourceContext,
  command: string[],
  opts: ExecOptions & { ok?: number[]; hint?: (r: ExecResult) => string | undefined } = {},
): Promise<ExecResult> {
  const [cmd, ...args] = command as [string, ...string[]];
  let r: ExecResult;
  try {
    r = await ctx.host.exec(cmd, args, opts);
  } catch (err) {
    // The tool was there when the plan observed the machine and is gone now (or cannot start).
    if (isHostError(err))
      throw new DotopsError(
        `cannot run ${command.join(" ")}: ${err.code === "ENOENT" ? `${cmd} is not on PATH` : err.message}`,
        1,
      );
    throw err;
  }
  if (!(opts.ok ?? [0]).includes(r.exitCode) || r.timedOut) throw new ToolError(command, r, opts.hint?.(r));
  return r;
}

/**
 * The uid the host's commands run as, asked of the host (`id -u`), never
 * guessed: launchd agents load into gui/<uid>, and root steps need the door
 * only when it is not 0.
 */
export async function currentUid(host: Host): Promise<number> {
  const r = await host.exec("id", ["-u"], { readOnly: true });
  const uid = Number(r.stdout.trim());
  if (r.exitCode !== 0 || !Number.isInteger(uid) || r.stdout.trim() === "")
    throw new ToolError(["id", "-u"], r, "the user's uid is needed (launchd's gui/<uid>, root steps)");
  return uid;
}
