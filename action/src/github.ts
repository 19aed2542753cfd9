import { Octokit } from "@octokit/rest";
import {
  callWithRetry,
  describeStatus,
  fetchWithTimeout,
  GitHubCallError,
  type RetryOptions,
} from "../../src/report/github-retry.js";

export type StatusState = "pending" | "success" | "failure" | "error";

export interface IssueComment {
  id: number;
  body: string;
}

/** A GitHub API call that failed for good (not retried, or out of attempts). */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly operation: string,
    /** The HTTP status of GitHub's answer; undefined when none came. */
    readonly status: number | undefined,
    readonly detail: string,
    readonly rateLimited = false,
    /** False when the request got no answer at all (network, timeout); true for a status or a give-up of ours. */
    readonly answered = status !== undefined,
  ) {
    const answer = status !== undefined ? `${status} ` : answered ? "" : "no response ";
    super(`could not ${operation}: ${answer}${detail}`.trim());
  }

  /** A 403 for want of permission; a 403 with no rate-limit quota left is not one. */
  get forbidden(): boolean {
    return this.status === 403 && !this.rateLimited;
  }
}

export interface GitHubOptions extends RetryOptions {
  token: string;
  apiUrl: string;
  owner: string;
  repo: string;
  /** Time limit of each request (a runner's job would otherwise wait on a silent API for hours). */
  timeoutMs?: number;
}

/**
 * The REST calls the action makes, all through Octokit (`baseUrl` from
 * GITHUB_API_URL, so GitHub Enterprise Server and test servers work), retried
 * with backoff like the agent's reporter in src/report/github.ts.
 */
export class GitHubApi {
  private readonly octokit: Octokit;

  constructor(private readonly o: GitHubOptions) {
    this.octokit = new Octokit({
      auth: o.token || undefined,
      baseUrl: o.apiUrl,
      userAgent: "dotops-action",
      request: { fetch: fetchWithTimeout(o.timeoutMs ?? 30_000) },
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    });
  }

  private get where() {
    return { owner: this.o.owner, repo: this.o.repo };
  }

  async listComments(issue: number): Promise<IssueComment[]> {
    const all = await this.call("list the pull request's comments", () =>
      this.octokit.paginate(this.octokit.rest.issues.listComments, {
        ...this.where,
        issue_number: issue,
        per_page: 100,
      }),
    );
    return all.map((c) => ({ id: c.id, body: c.body ?? "" }));
  }

  async createComment(issue: number, body: string): Promise<IssueComment> {
    const r = await this.call("create the pull request comment", () =>
      this.octokit.rest.issues.createComment({ ...this.where, issue_number: issue, body }),
    );
    return { id: r.data.id, body: r.data.body ?? "" };
  }

  async updateComment(id: number, body: string): Promise<IssueComment> {
    const r = await this.call("update the pull request comment", () =>
      this.octokit.rest.issues.updateComment({ ...this.where, comment_id: id, body }),
    );
    return { id: r.data.id, body: r.data.body ?? "" };
  }

  async deleteComment(id: number): Promise<void> {
    await this.call("delete a duplicate pull request comment", () =>
      this.octokit.rest.issues.deleteComment({ ...this.where, comment_id: id }),
    );
  }

  async createStatus(
    sha: string,
    s: { state: StatusState; context: string; description: string; targetUrl?: string },
  ): Promise<void> {
    await this.call(`set the commit status ${s.context}`, () =>
      this.octokit.rest.repos.createCommitStatus({
        ...this.where,
        sha,
        state: s.state,
        context: s.context,
        // GitHub rejects descriptions past 140 characters.
        description: s.description.length > 140 ? `${s.description.slice(0, 139)}…` : s.description,
        ...(s.targetUrl ? { target_url: s.targetUrl } : {}),
      }),
    );
  }

  /** The open pull request from `branch` of this repository, if any. */
  async findPull(branch: string): Promise<number | null> {
    const r = await this.call("list open pull requests", () =>
      this.octokit.rest.pulls.list({
        ...this.where,
        head: `${this.o.owner}:${branch}`,
        state: "open",
        per_page: 1,
      }),
    );
    return r.data[0]?.number ?? null;
  }

  async createPull(p: { branch: string; base: string; title: string; body: string }): Promise<number> {
    const r = await this.call("open the pull request", () =>
      this.octokit.rest.pulls.create({
        ...this.where,
        head: p.branch,
        base: p.base,
        title: p.title,
        body: p.body,
      }),
    );
    return r.data.number;
  }

  async updatePull(number: number, p: { title: string; body: string }): Promise<void> {
    await this.call("update the pull request", () =>
      this.octokit.rest.pulls.update({ ...this.where, pull_number: number, title: p.title, body: p.body }),
    );
  }

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await callWithRetry(fn, this.o);
    } catch (err) {
      if (err instanceof GitHubCallError)
        throw new ApiError(operation, err.status, err.detail, err.rateLimited);
      throw err;
    }
  }
}

/** What the failure means and what to do, saying only what is true of GitHub's answer (or its absence). */
export function permissionHint(err: ApiError, permission: string): string {
  if (err.rateLimited)
    return `GitHub's API rate limit is used up (${describeStatus(err.status)}); the plan is in the job summary`;
  if (err.status === 403)
    return `the token lacks permission: add \`permissions: ${permission}\` to the job (or the workflow)`;
  if (err.status === 401) return "the token is invalid or expired (input github-token)";
  if (err.status === 404) return "the repository or pull request is not visible to the token";
  if (!err.answered) return "GitHub did not answer; the plan is in the job summary";
  if (err.status === undefined) return "the plan is in the job summary";
  return `GitHub answered ${describeStatus(err.status)}; the plan is in the job summary`;
}
