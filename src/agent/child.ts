import { spawn } from "node:child_process";
import { formatDuration } from "../config/duration.js";
import { DotopsError, ReportedError } from "../errors.js";
import { cliEntry } from "../self.js";
import type { Pass } from "./outcome.js";

/** agent.passTimeout's default: generous, as an apply may install packages. */
export const DEFAULT_PASS_TIMEOUT_MS = 30 * 60_000;

export interface ChildOptions {
  /** Aborted when the agent stops: the pass in flight is told (SIGTERM), finishes an apply it started, and ends. */
  stopping?: AbortSignal;
}

/**
 * Runs each reconcile pass as `dotops … agent --once --child`, a short-lived
 * process: the engine, the config loader and the heap of an apply live and die
 * with it, so the agent that waits between polls stays small. The child
 * writes the pass (outcome, next interval, time limit, the applied config's
 * policy) as JSON on stdout and reads the previous pass's policy on stdin; its
 * logs share the agent's stderr and agent.log.
 *
 * Until a child has reported a pass, a child that reports none failed before
 * reconciling (no clone, a bad --repo, a clone that failed): that ends the
 * agent, with the child's exit code, as it did when it all ran in one
 * process. Afterwards it is one failed pass, retried like any other. A child
 * killed by the signal that is stopping the agent (it handles SIGTERM and
 * SIGINT, but only once it has started) did nothing: no pass.
 *
 * Each pass has a time limit, so that a stuck one cannot wedge the loop: past
 * it, the pass and every process it started (its own process group) are
 * killed, and the pass counts as failed; the next one retries its commit (the
 * commit's record says "pending" for a process that is gone) and recovers an
 * interrupted apply from the journal.
 */
export function childReconciler(args: string[], o: ChildOptions = {}): () => Promise<Pass | null> {
  let reported = false;
  let policy: unknown; // the applied config's policy, read by one pass and handed to the next
  let limitMs = DEFAULT_PASS_TIMEOUT_MS; // until a pass reports the applied config's agent.passTimeout
  return async () => {
    let r: Awaited<ReturnType<typeof runChild>>;
    try {
      r = await runChild(args, JSON.stringify(policy ?? null), limitMs, o.stopping);
    } catch (err) {
      const error = `cannot start the reconcile process (${process.execPath}): ${(err as Error).message}`;
      if (!reported) throw new DotopsError(error);
      return { outcome: { kind: "failed", commit: null, error, retry: true } };
    }
    if (r.timedOut) {
      const error = `the reconcile process (pid ${r.pid}) was still running after its time limit of ${formatDuration(limitMs)} (agent.passTimeout): killed it and what it started; the next pass tries again`;
      return { outcome: { kind: "failed", commit: null, error, retry: true } };
    }
    const json = parse(r.stdout) as
      | {
          outcome?: Pass["outcome"];
          intervalMs?: number;
          passTimeoutMs?: number;
          policy?: unknown;
          error?: unknown;
        }
      | undefined;
    if (json?.outcome) {
      reported = true;
      policy = json.policy;
      limitMs = json.passTimeoutMs ?? DEFAULT_PASS_TIMEOUT_MS;
      return { outcome: json.outcome, intervalMs: json.intervalMs };
    }
    // The stop's signal reached the child before it could handle it (systemd stops the whole unit).
    if (r.signal && o.stopping?.aborted) return null;
    // The child has said why on stderr; its JSON error (it always runs with --json) is kept for ours.
    if (!reported) throw new ReportedError(json?.error ? json : undefined, r.code || 1);
    const message = (json?.error as { message?: string } | undefined)?.message;
    return {
      outcome: {
        kind: "failed",
        commit: null,
        error:
          message ??
          `the reconcile process ${r.signal ? `was killed (${r.signal})` : `exited with code ${r.code}`}`,
        retry: true,
      },
    };
  };
}

function runChild(
  args: string[],
  input: string,
  limitMs: number,
  stopping?: AbortSignal,
): Promise<{ code: number | null; signal: string | null; stdout: string; pid?: number; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    // Its own process group, so that the time limit can kill what the pass started too (health checks, brew).
    const child = spawn(process.execPath, [cliEntry(), ...args], {
      stdio: ["pipe", "pipe", "inherit"],
      detached: true,
    });
    child.stdin.on("error", () => {}); // a child that fails before reading it: its exit says why
    child.stdin.end(input);
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => {
      stdout += d;
    });
    let timedOut = false;
    const limit = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, "SIGKILL");
    }, limitMs);
    // Outside the agent's process group, the pass hears of a stop from here.
    const stop = () => child.kill("SIGTERM");
    stopping?.addEventListener("abort", stop, { once: true });
    if (stopping?.aborted) stop();
    child.once("error", (err) => {
      clearTimeout(limit);
      stopping?.removeEventListener("abort", stop);
      reject(err);
    });
    child.once("close", (code, signal) => {
      clearTimeout(limit);
      stopping?.removeEventListener("abort", stop);
      resolve({ code, signal, stdout, pid: child.pid, timedOut });
    });
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
