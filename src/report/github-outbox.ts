import type { Host } from "../host/host.js";

/** One report of a host's deploy: a commit status (and deployment status) to send. */
export interface Report {
  sha: string;
  state: "pending" | "success" | "failure" | "error";
  description: string;
  generation?: number;
}

/** Reports a rate limit held back, and when GitHub takes calls again. */
export interface HeldReports {
  until: string;
  reports: Report[];
}

/**
 * Where held reports wait for the rate limit's reset. Each agent pass is a
 * process of its own, so they outlive the pass that made them: the first
 * pass after the reset sends them, applying or idle.
 */
export interface ReportOutbox {
  load(): Promise<HeldReports | null>;
  save(held: HeldReports | null): Promise<void>;
}

/** A host is judged by its newest reports: older ones beyond these are dropped. */
const MAX_HELD = 20;

/** The outbox as a file in the agent's state dir, read and written through the host. */
export function fileOutbox(host: Host, path: string): ReportOutbox {
  return {
    async load() {
      try {
        const held = JSON.parse((await host.readFile(path)).toString("utf8")) as HeldReports;
        return typeof held.until === "string" && Array.isArray(held.reports) ? held : null;
      } catch {
        return null;
      }
    },
    async save(held) {
      if (!held?.reports.length) return host.unlink(path);
      await host.writeFile(path, `${JSON.stringify(held, null, 2)}\n`, 0o600);
    },
  };
}

/**
 * `before` then `after`, one report per commit and state (a resend of the
 * same report is the same status), the newest MAX_HELD.
 */
export function mergeHeld(before: Report[], after: Report[]): Report[] {
  const byKey = new Map<string, Report>();
  for (const r of [...before, ...after]) {
    const key = `${r.sha}\0${r.state}`;
    byKey.delete(key);
    byKey.set(key, r);
  }
  return [...byKey.values()].slice(-MAX_HELD);
}
