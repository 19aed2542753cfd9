import type { Octokit } from "@octokit/rest";
import type { Log } from "../engine/engine.js";
import { callWithRetry, GitHubCallError, type RetryOptions } from "./github-retry.js";

export type StatusState = "pending" | "success" | "failure" | "error";

export interface GitHubReporterOptions extends RetryOptions {
  /** owner/name */
  repo: string;
  token: string;
  host: string;
  apiUrl?: string;
  statuses?: boolean;
  deployments?: boolean;
  log: Log;
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
    try {
      return await callWithRetry(fn, this.o);
    } catch (err) {
      if (!(err instanceof GitHubCallError)) throw err;
      this.o.log.warn(
        { status: err.status },
        `GitHub: could not ${what} (${err.status ?? "no response"}: ${err.detail})${hint(err.status, err.rateLimited)}`,
      );
      return undefined;
    }
  }
}

function hint(status: number | undefined, rateLimited: boolean): string {
  if (rateLimited) return "; rate limited, giving up until the next deploy";
  if (status === 401) return "; the token is invalid or expired";
  if (status === 403)
    return "; the token lacks permission (commit statuses need `statuses: write`, deployments `deployments: write`)";
  if (status === 404) return "; check agent.github.repo and that the token can see it";
  return "";
}
