import type { Octokit } from "@octokit/rest";
import type { Log } from "../engine/engine.js";

export type StatusState = "pending" | "success" | "failure" | "error";

export interface GitHubReporterOptions {
  /** owner/name */
  repo: string;
  token: string;
  host: string;
  apiUrl?: string;
  statuses?: boolean;
  deployments?: boolean;
  log: Log;
  /** Attempts per call on 5xx and rate limits. */
  attempts?: number;
  /** First retry delay; doubles each time (tests shorten it). */
  baseDelayMs?: number;
  /** Upper bound on a single wait, however long GitHub asks for. */
  maxDelayMs?: number;
}

/**
 * Reports each host's deploys on GitHub: a commit status `dotops/<host>` and,
 * optionally, a Deployment per host environment. Reporting never blocks or
 * fails an apply: errors are logged, 5xx and rate limits retried with backoff.
 * The token is only ever handed to Octokit, never logged.
 */
export class GitHubReporter {
  private client: Promise<Octokit> | undefined;
  private readonly owner: string;
  private readonly name: string;
  private deploymentId: number | undefined;

  constructor(private readonly o: GitHubReporterOptions) {
    const [owner, name] = o.repo.split("/") as [string, string];
    this.owner = owner;
    this.name = name;
  }

  /** Octokit is a large module tree: loaded on the first report, not by every command and agent start. */
  private octokit(): Promise<Octokit> {
    this.client ??= import("@octokit/rest").then(
      ({ Octokit }) =>
        new Octokit({
          auth: this.o.token,
          baseUrl: (this.o.apiUrl ?? "https://api.github.com").replace(/\/$/, ""),
          userAgent: "dotops-agent",
          log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
        }),
    );
    return this.client;
  }

  get context(): string {
    return `dotops/${this.o.host}`;
  }

  /** Marks `sha` as being applied (pending) or done (success/failure). */
  async report(
    sha: string,
    state: StatusState,
    description: string,
    opts: { generation?: number } = {},
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
    const attempts = this.o.attempts ?? 4;
    let delay = this.o.baseDelayMs ?? 1000;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const e = err as {
          status?: number;
          message?: string;
          response?: { headers?: Record<string, string> };
        };
        const headers = e.response?.headers ?? {};
        const rateLimited =
          e.status === 429 || (e.status === 403 && headers["x-ratelimit-remaining"] === "0");
        const retryable =
          rateLimited || (e.status !== undefined && e.status >= 500) || e.status === undefined;
        if (!retryable || attempt === attempts) {
          this.o.log.warn(
            { status: e.status, attempt },
            `GitHub: could not ${what} (${e.status ?? "no response"}: ${e.message ?? "error"})${hint(e.status, rateLimited)}`,
          );
          return undefined;
        }
        const wait = Math.min(retryAfterMs(headers) ?? delay, this.o.maxDelayMs ?? 60_000);
        this.o.log.debug({ status: e.status, attempt, wait }, `GitHub: retrying ${what}`);
        await new Promise((r) => setTimeout(r, wait));
        delay *= 2;
      }
    }
    return undefined;
  }
}

function retryAfterMs(headers: Record<string, string>): number | undefined {
  if (headers["retry-after"]) return Number(headers["retry-after"]) * 1000;
  if (headers["x-ratelimit-remaining"] === "0" && headers["x-ratelimit-reset"])
    return Math.max(0, Number(headers["x-ratelimit-reset"]) * 1000 - Date.now());
  return undefined;
}

function hint(status: number | undefined, rateLimited: boolean): string {
  if (rateLimited) return "; rate limited, giving up until the next deploy";
  if (status === 401) return "; the token is invalid or expired";
  if (status === 403)
    return "; the token lacks permission (commit statuses need `statuses: write`, deployments `deployments: write`)";
  if (status === 404) return "; check agent.github.repo and that the token can see it";
  return "";
}
