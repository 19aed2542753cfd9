import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { DotopsError, ReportedError } from "../errors.js";
import type { Pass } from "./outcome.js";

const MAIN = fileURLToPath(new URL("../cli/main.js", import.meta.url));

export interface ChildOptions {
  /** Aborted when the agent stops: the pass in flight is told (SIGTERM), finishes an apply it started, and ends. */
  stopping?: AbortSignal;
}

/**
 * Runs each reconcile pass as `dotops … agent --once --child`, a short-lived
 * process: the engine, the config loader and the heap of an apply live and die
 * with it, so the agent that waits between polls stays small. The child
 * writes the pass (outcome, next interval, the applied config's policy) as
 * JSON on stdout and reads the previous pass's policy on stdin; its logs
 * share the agent's stderr and agent.log.
 *
 * Until a child has reported a pass, a child that reports none failed before
 * reconciling (no clone, a bad --repo, a clone that failed): that ends the
 * agent, with the child's exit code, as it did when it all ran in one
 * process. Afterwards it is one failed pass, retried like any other. A child
 * killed by the signal that is stopping the agent (it handles SIGTERM and
 * SIGINT, but only once it has started) did nothing: no pass.
 */
export function childReconciler(args: string[], o: ChildOptions = {}): () => Promise<Pass | null> {
  let reported = false;
  let policy: unknown; // the applied config's policy, read by one pass and handed to the next
  return async () => {
    let r: Awaited<ReturnType<typeof runChild>>;
    try {
      r = await runChild(args, JSON.stringify(policy ?? null), o.stopping);
    } catch (err) {
      const error = `cannot start the reconcile process (${process.execPath}): ${(err as Error).message}`;
      if (!reported) throw new DotopsError(error);
      return { outcome: { kind: "failed", commit: null, error, retry: true } };
    }
    const json = parse(r.stdout) as
      | { outcome?: Pass["outcome"]; intervalMs?: number; policy?: unknown; error?: unknown }
      | undefined;
    if (json?.outcome) {
      reported = true;
      policy = json.policy;
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
  stopping?: AbortSignal,
): Promise<{ code: number | null; signal: string | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ["pipe", "pipe", "inherit"] });
    child.stdin.on("error", () => {}); // a child that fails before reading it: its exit says why
    child.stdin.end(input);
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => {
      stdout += d;
    });
    // The pass hears of a stop from here too (a signal to the agent's process only, e.g. `kill`).
    const stop = () => child.kill("SIGTERM");
    stopping?.addEventListener("abort", stop, { once: true });
    if (stopping?.aborted) stop();
    child.once("error", (err) => {
      stopping?.removeEventListener("abort", stop);
      reject(err);
    });
    child.once("close", (code, signal) => {
      stopping?.removeEventListener("abort", stop);
      resolve({ code, signal, stdout });
    });
  });
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
