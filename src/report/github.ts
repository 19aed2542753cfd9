import type { Octokit } from "@octokit/rest";
import type { Log } from "../engine/engine.js";
import { callWithRetry, fetchWithTimeout, GitHubCallError, type RetryOptions } from "./github-retry.js";

export type StatusState = "pending" | "success" | "failure" | "error";

export interface GitHubReporterOptions extends RetryOptions {
  /** owner/name */
  repo: string;
  token: string;
  host: string;
  apiUrl?: string;
  statuses?: boolean;
  deployments?: boolean;
  /** Time limit of each request (agent.github.timeout); default 10 s. */
  timeoutMs?: number;
  /** pino's trace, when the logger has it, gets one line per request (`-vv`). */
  log: Log & { trace?: (msg: string) => void };
}

/**
 * Reports each host's deploys on GitHub: a commit status `dotops/<host>` and,
 * optionally, a Deployment per host environment. Reporting never delays,
 * blocks or fails an apply: `report` only queues, the queue is sent in order
 * in the background with a time limit on every request, and `flush` gives it
 * a bounded time at the end of a pass before giving up. Errors are logged,
 * 5xx, rate limits and missing answers retried with backoff. The token is
 * only ever handed to Octokit, never logged.
 */
export class GitHubReporter {
  private client: Promise<Octokit> | undefined;
  private readonly owner: string;
  private readonly name: string;
  private deploymentId: number | undefined;
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  /** Aborted when the pass stops waiting: cuts every request and retry wait short. */
  private readonly abandon = new AbortController();

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
          auth: this.o.token,
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
  report(sha: string, state: StatusState, description: string, opts: { generation?: number } = {}): void {
    if (this.abandon.signal.aborted) return;
    this.queued++;
    this.queue = this.queue
      .then(() => this.send(sha, state, description, opts))
      .catch((err) => this.o.log.warn(`GitHub: could not report: ${(err as Error).message}`))
      .finally(() => {
        this.queued--;
      });
  }

  /**
   * Waits for the queued reports, at most `ms` (default twice the request
   * time limit) and not past `stop` (the agent is stopping), then abandons
   * what is left, so that a GitHub that never answers cannot keep the pass
   * alive.
   */
  async flush(ms = 2 * this.timeoutMs, stop?: AbortSignal): Promise<void> {
    if (!this.queued) return;
    const cut = deadline(ms, stop);
    const sent = await Promise.race([this.queue.then(() => true), cut.reached]);
    cut.cancel(); // its timer would keep the process alive
    if (sent) return;
    const left = this.queued;
    this.abandon.abort();
    await this.queue; // settles at once: requests and retry waits end on the abort
    this.o.log.warn(
      `GitHub: ${stop?.aborted ? "stopping" : `still not done after ${ms / 1000}s`}; gave up on ${left} report(s) of ${this.context}, which may show a stale state until the next deploy`,
    );
  }

  private async send(
    sha: string,
    state: StatusState,
    description: string,
    opts: { generation?: number },
  ): Promise<void> {
    const text = description.length > 140 ? `${description.slice(0, 139)}…` : description;
    if (this.o.statuses !== false) {
      await this.call("create commit status", async () =>
        (await this.octokit()).rest.repos.createCommitStatus({
          owner: this.owner,
          repo: this.name,
          sha,
          state,
          context: this.context,
          description: text,
        }),
      );
    }
    if (this.o.deployments) await this.deployment(sha, state, text, opts.generation);
  }

  private async deployment(sha: string, state: StatusState, description: string, generation?: number) {
    if (state === "pending") {
      const r = await this.call("create deployment", async () =>
        (await this.octokit()).rest.repos.createDeployment({
          owner: this.owner,
          repo: this.name,
          ref: sha,
          environment: this.o.host,
          auto_merge: false,
          required_contexts: [],
          description,
          payload: { generation: generation ?? null },
        }),
      );
      this.deploymentId = r && "id" in (r.data as object) ? (r.data as { id: number }).id : undefined;
    }
    if (this.deploymentId === undefined) return;
    const id = this.deploymentId;
    await this.call("create deployment status", async () =>
      (await this.octokit()).rest.repos.createDeploymentStatus({
        owner: this.owner,
        repo: this.name,
        deployment_id: id,
        state: state === "pending" ? "in_progress" : state,
        description,
        environment: this.o.host,
      }),
    );
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    if (this.abandon.signal.aborted) return undefined; // given up: what is still queued is not sent
    try {
      return await callWithRetry(fn, { ...this.o, signal: this.abandon.signal });
    } catch (err) {
      if (!(err instanceof GitHubCallError)) throw err;
      if (this.abandon.signal.aborted) return undefined; // flush says so, once
      this.o.log.warn(
        { status: err.status },
        `GitHub: could not ${what} (${err.answer}: ${err.detail})${hint(err.status, err.rateLimited)}`,
      );
      return undefined;
    }
  }
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
