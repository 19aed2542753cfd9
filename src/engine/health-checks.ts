import { parseDuration } from "../config/duration.js";
import { expandTilde } from "../config/tilde.js";
import type { Host } from "../host/host.js";

export interface HealthCheck {
  name: string;
  run: string[];
  timeout?: string;
}

export interface HealthResult {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

/**
 * Runs each check (no shell, in HOME; `~` in its words expanded as a shell
 * would) with its timeout, in order; stops at the first failure.
 */
export async function runHealthChecks(host: Host, checks: HealthCheck[]): Promise<HealthResult[]> {
  const results: HealthResult[] = [];
  for (const check of checks) {
    const t0 = performance.now();
    const timeoutMs = parseDuration(check.timeout ?? "30s");
    let ok = false;
    let detail: string;
    try {
      const [cmd, ...args] = check.run.map((w) => expandTilde(w, host.home));
      const r = await host.exec(cmd as string, args, { timeoutMs, cwd: host.home });
      ok = r.exitCode === 0 && !r.timedOut;
      detail = r.timedOut
        ? `timed out after ${check.timeout ?? "30s"}`
        : `exit ${r.exitCode}${r.stderr.trim() ? `: ${r.stderr.trim().split("\n").slice(-1)[0]}` : ""}`;
    } catch (err) {
      detail = (err as Error).message;
    }
    results.push({ name: check.name, ok, detail, ms: Math.round(performance.now() - t0) });
    if (!ok) break;
  }
  return results;
}
