import type { Octokit } from "@octokit/rest";
import type { Log } from "../engine/engine.js";
import type { HostReport } from "../rollout/gate.js";
import { GitHubAuthError } from "./github-auth.js";
import { type HeldReports, mergeHeld, type Report, type ReportOutbox } from "./github-outbox.js";
import { callWithRetry, fetchWithTimeout, GitHubCallError, type RetryOptions } from "./github-retry.js";

export type StatusState = Report["state"];

export interface GitHubReporterOptions extends RetryOptions {
  /** owner/name */
  repo: string;
  /** A token, or what gives one on demand (a GitHub App's installation token, renewed before it expires). */
  token: string | (() => Promise<string>);
  host: string;
  apiUrl?: string;
  statuses?: boolean;
  deployments?: boolean;
  /** Report `pending` too when an apply starts (agent.github.pending): one more call per commit. */
  pending?: boolean;
  /** Time limit of each request (agent.github.timeout); default 10 s. */
  timeoutMs?: number;
  /** pino's trace, when the logger has it, gets one line per request (`-vv`). */
  log: Log & { trace?: (msg: string) => void };
  /** Where reports a rate limit held back wait for its reset, beyond this pass. */
  outbox?: ReportOutbox;
}

/**
 * Reports each host's deploys on GitHub: a commit status `dotops/<host>` and,
 * optionally, a Deployment per host environment. Reporting never delays,
 * blocks or fails an apply: `report` only queues, the queue is sent in order
 * in the background with a time limit on every request, and `flush` gives it
 * a bounded time at the end of a pass before giving up. Errors are logged,
 * 5xx and missing answers retried with backoff. A rate limit is not retried
 * before its reset: the reports it holds back go to the outbox, and a later
 * pass sends them once the reset has passed. The token is never logged.
 *
 * API budget: by default one call per applied commit (its final status);
 * `pending` adds one, deployments two (create, final status; three with
 * `pending`).
 */
export class GitHubReporter {
  private client: Promise<Octokit> | undefined;
  private readonly owner: string;
  private readonly name: string;
  private deploymentId: number | undefined;
  private deploymentSha: string | undefined;
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  /** Aborted when the pass stops waiting: cuts every request and retry wait short. */
  private readonly abandon = new AbortController();
  /** Rate limited: no call before this (epoch ms); what comes meanwhile is held. */
  private blockedUntil = 0;
  private held: Report[] = [];
  /** The outbox as this pass found it, so that `flush` adds to it. */
  private outboxBefore: HeldReports | null | undefined;
  /** `resendHeld` queued the outbox's reports again. */
  private taken = false;
  /** Authentication failed: said once, nothing more is sent this pass. */
  private authFailed = false;

  constructor(private readonly o: GitHubReporterOptions) {
    const [owner, name] = o.repo.split("/") as [string, string];
    this.owner = owner;
    this.name = name;
  }

  get timeoutMs(): number {
    return this.o.timeoutMs ?? 10_000;
  }

  /** Octokit is a large module tree: loaded on the first report, not by every command and agent start. */
  private octokit(): Promise<Octokit> {
    const trace = (msg: string) => this.o.log.trace?.(`GitHub: ${msg}`);
    this.client ??= import("@octokit/rest").then(
      ({ Octokit }) =>
        new Octokit({
          // Each request gets the token of the moment (see `call`): an App's expires within the hour.
          baseUrl: (this.o.apiUrl ?? "https://api.github.com").replace(/\/$/, ""),
          userAgent: "dotops-agent",
          request: { fetch: fetchWithTimeout(this.timeoutMs, { stop: this.abandon.signal, trace }) },
          log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
        }),
    );
    return this.client;
  }

  get context(): string {
    return `dotops/${this.o.host}`;
  }

  /**
   * Queues a report that `sha` is being applied (pending) or done
   * (success/failure) and returns at once; reports go out one after another,
   * in the order given.
   */
  report(
    sha: string,
    state: StatusState | "error",
    description: string,
    opts: { generation?: number; always?: boolean } = {},
  ): void {
    // One call per commit unless asked; a rollout's "waiting for wave N" is always said (once).
    if (state === "pending" && !this.o.pending && !opts.always) return;
    const text =
      opts.generation === undefined ? description : `generation ${opts.generation}: ${description}`;
    this.enqueue({ sha, state, description: text, generation: opts.generation });
  }

  /**
   * Every host's latest report on `sha` (the `dotops/<host>` statuses: one
   * call per 100 hosts) and GitHub's clock when it answered, so that a bake
   * time is measured on the clock that stamped the reports. Null, logged,
   * when GitHub cannot be asked.
   */
  async reportsOn(sha: string): Promise<{ reports: Map<string, HostReport>; now: number } | null> {
    const reports = new Map<string, HostReport>();
    let now = Date.now();
    try {
      for (let page = 1; ; page++) {
        const r = await this.call("read the commit's statuses", async (headers) =>
          (await this.octokit()).rest.repos.getCombinedStatusForRef({
            owner: this.owner,
            repo: this.name,
            ref: sha,
            per_page: 100,
            page,
            headers,
          }),
        );
        if (!r) return null;
        const date = Date.parse(String(r.headers.date ?? ""));
        if (!Number.isNaN(date)) now = date;
        for (const st of r.data.statuses) {
          if (!st.context.startsWith("dotops/")) continue;
          const at = Date.parse(st.updated_at ?? st.created_at);
          reports.set(st.context.slice("dotops/".length), {
            state: st.state,
            description: st.description,
            at,
          });
        }
        if (r.data.statuses.length < 100 || page * 100 >= r.data.total_count) break;
      }
    } catch (err) {
      if (err instanceof RateLimited) return null;
      throw err;
    }
    return { reports, now };
  }

  /**
   * Queues the reports an earlier pass held back for a rate limit, when its
   * reset has passed; true when there were any to send now.
   */
  async resendHeld(): Promise<boolean> {
    const held = await this.loadOutbox();
    if (!held) return false;
    const until = Date.parse(held.until);
    if (until > Date.now()) {
      this.blockedUntil = until; // still limited: what this pass reports joins them
      return false;
    }
    this.taken = true; // the outbox is emptied at the end, or holds what is held back again
    for (const r of held.reports) this.enqueue(r);
    return true;
  }

  private enqueue(r: Report): void {
    if (this.abandon.signal.aborted) return;
    this.queued++;
    this.queue = this.queue
      .then(() => this.send(r))
      .catch((err) => this.o.log.warn(`GitHub: could not report: ${(err as Error).message}`))
      .finally(() => {
        this.queued--;
      });
  }

  private async loadOutbox(): Promise<HeldReports | null> {
    if (this.outboxBefore === undefined) this.outboxBefore = (await this.o.outbox?.load()) ?? null;
    return this.outboxBefore;
  }

  /**
   * Waits for the queued reports, at most `ms` (default twice the request
   * time limit) and not past `stop` (the agent is stopping), then abandons
   * what is left, so that a GitHub that never answers cannot keep the pass
   * alive.
   */
  async flush(ms = 2 * this.timeoutMs, stop?: AbortSignal): Promise<void> {
    if (this.queued) {
      const cut = deadline(ms, stop);
      const sent = await Promise.race([this.queue.then(() => true), cut.reached]);
      cut.cancel(); // its timer would keep the process alive
      if (!sent) await this.giveUp(ms, stop);
    }
    await this.saveHeld();
  }

  /** Keeps what a rate limit held back for a pass after its reset. */
  private async saveHeld(): Promise<void> {
    if (!this.o.outbox) return;
    const before = this.taken ? null : await this.loadOutbox();
    if (!this.held.length) {
      if (this.taken) await this.o.outbox.save(null).catch(() => {});
      return;
    }
    const reports = mergeHeld(before?.reports ?? [], this.held);
    const until = new Date(this.blockedUntil).toISOString();
    try {
      await this.o.outbox.save({ until, reports });
    } catch (err) {
      this.o.log.warn(`GitHub: could not keep ${reports.length} held report(s): ${(err as Error).message}`);
      return;
    }
    this.o.log.warn(
      `GitHub: rate limited until ${until}; ${reports.length} report(s) of ${this.context} held until then (applying goes on)`,
    );
  }

  private async giveUp(ms: number, stop?: AbortSignal): Promise<void> {
    const left = this.queued;
    this.abandon.abort();
    await this.queue; // settles at once: requests and retry waits end on the abort
    this.o.log.warn(
      `GitHub: ${stop?.aborted ? "stopping" : `still not done after ${ms / 1000}s`}; gave up on ${left} report(s) of ${this.context}, which may show a stale state until the next deploy`,
    );
  }

  private async send(r: Report): Promise<void> {
    if (this.blockedUntil > Date.now()) {
      this.held.push(r);
      return;
    }
    try {
      const description = r.description.length > 140 ? `${r.description.slice(0, 139)}…` : r.description;
      if (this.o.statuses !== false) {
        await this.call("create commit status", async (headers) =>
          (await this.octokit()).rest.repos.createCommitStatus({
            owner: this.owner,
            repo: this.name,
            sha: r.sha,
            state: r.state,
            context: this.context,
            description,
            headers,
          }),
        );
      }
      if (this.o.deployments) await this.deployment(r, description);
    } catch (err) {
      if (!(err instanceof RateLimited)) throw err;
      this.held.push(r); // the whole report again after the reset: a status sent twice is the same status
    }
  }

  /** A deployment per commit, made by its first report (the final one unless `pending`), then its status. */
  private async deployment(r: Report, description: string) {
    if (this.deploymentSha !== r.sha) {
      const d = await this.call("create deployment", async (headers) =>
        (await this.octokit()).rest.repos.createDeployment({
          owner: this.owner,
          repo: this.name,
          ref: r.sha,
          environment: this.o.host,
          auto_merge: false,
          required_contexts: [],
          description,
          payload: { generation: r.generation ?? null },
          headers,
        }),
      );
      this.deploymentSha = r.sha;
      this.deploymentId = d && "id" in (d.data as object) ? (d.data as { id: number }).id : undefined;
    }
    if (this.deploymentId === undefined) return;
    const id = this.deploymentId;
    await this.call("create deployment status", async (headers) =>
      (await this.octokit()).rest.repos.createDeploymentStatus({
        owner: this.owner,
        repo: this.name,
        deployment_id: id,
        state: r.state === "pending" ? "in_progress" : r.state,
        description,
        environment: this.o.host,
        headers,
      }),
    );
  }

  /**
   * One call with the token of the moment, retried; a failure is logged and
   * answered with undefined. A rate limit throws RateLimited: the report is
   * held, and nothing more is sent before the reset.
   */
  private async call<T>(
    what: string,
    fn: (headers: { authorization: string }) => Promise<T>,
  ): Promise<T | undefined> {
    if (this.abandon.signal.aborted || this.authFailed) return undefined; // given up
    let token: string;
    try {
      token = typeof this.o.token === "string" ? this.o.token : await this.o.token();
    } catch (err) {
      if (!(err instanceof GitHubAuthError)) throw err;
      this.authFailed = true;
      this.o.log.warn(`GitHub: not reporting: ${err.message}`);
      return undefined;
    }
    // A rate limit reset later than the pass can wait is held for, not slept through.
    const retry = { ...this.o, maxDelayMs: this.o.maxDelayMs ?? this.timeoutMs, signal: this.abandon.signal };
    try {
      return await callWithRetry(() => fn({ authorization: `token ${token}` }), retry);
    } catch (err) {
      if (!(err instanceof GitHubCallError)) throw err;
      if (this.abandon.signal.aborted) return undefined; // flush says so, once
      if (err.rateLimited && err.retryAt !== undefined) {
        this.blockedUntil = Math.max(this.blockedUntil, err.retryAt);
        throw new RateLimited();
      }
      this.o.log.warn(
        { status: err.status },
        `GitHub: could not ${what} (${err.answer}: ${err.detail})${hint(err.status, err.rateLimited)}`,
      );
      return undefined;
    }
  }
}

class RateLimited extends Error {}

export type FleetOutcome =
  | "applied"
  | "applying"
  | "failed"
  | "rolled-back"
  | "refused"
  | "waiting"
  | "halted";

/**
 * What a status `dotops/<host>` says, read back (dotops fleet): the outcome
 * and the generation. Descriptions start `generation N: ` when a generation
 * was recorded; older agents wrote `no changes (generation N)`, also read.
 * A host of a staged rollout that has not applied the commit says
 * `waiting for wave N…` (pending) or `halted: …` (error).
 */
export function readReport(
  state: string,
  description: string | null | undefined,
): { outcome: FleetOutcome; generation: number | null } {
  const text = description ?? "";
  const n = /^generation (\d+)\b/.exec(text)?.[1] ?? /\(generation (\d+)\)/.exec(text)?.[1];
  const generation = n === undefined ? null : Number(n);
  if (state === "success") return { outcome: "applied", generation };
  // A staged rollout's hosts say why they have not applied it yet (rollout/gate.ts).
  if (text.startsWith("halted: ")) return { outcome: "halted", generation };
  if (state === "pending")
    return { outcome: text.startsWith("waiting for wave") ? "waiting" : "applying", generation };
  if (text.startsWith("refused: ")) return { outcome: "refused", generation };
  if (/rolled back to generation \d+/.test(text)) return { outcome: "rolled-back", generation };
  return { outcome: "failed", generation };
}

/** `reached` resolves false after `ms`, or as soon as `stop` aborts. */
function deadline(ms: number, stop?: AbortSignal): { reached: Promise<false>; cancel: () => void } {
  let cancel = () => {};
  const reached = new Promise<false>((resolve) => {
    const t = setTimeout(() => cancel(), stop?.aborted ? 0 : ms);
    cancel = () => {
      clearTimeout(t);
      stop?.removeEventListener("abort", cancel);
      resolve(false);
    };
    stop?.addEventListener("abort", cancel, { once: true });
  });
  return { reached, cancel };
}

function hint(status: number | undefined, rateLimited: boolean): string {
  if (rateLimited) return "; rate limited, giving up until the next deploy";
  if (status === 401) return "; the token is invalid or expired";
  if (status === 403)
    return "; the token lacks permission (commit statuses need `statuses: write`, deployments `deployments: write`)";
  if (status === 404) return "; check agent.github.repo and that the token can see it";
  return "";
}
