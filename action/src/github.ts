import { Octokit } from "@octokit/rest";
import { callWithRetry, GitHubCallError, type RetryOptions } from "../../src/report/github-retry.js";

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
    readonly status: number | undefined,
    readonly detail: string,
  ) {
    super(`could not ${operation}: ${status ?? "no response"} ${detail}`.trim());
  }

  get forbidden(): boolean {
    return this.status === 403;
  }
}

export interface GitHubOptions extends RetryOptions {
  token: string;
  apiUrl: string;
  owner: string;
  repo: string;
  /** Attempts per call on 5xx, rate limits and network errors. */
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

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await callWithRetry(fn, this.o);
    } catch (err) {
      if (err instanceof GitHubCallError) throw new ApiError(operation, err.status, err.detail);
      throw err;
    }
  }
}

export function permissionHint(err: ApiError, permission: string): string {
  if (err.status === 403)
    return `the token lacks permission: add \`permissions: ${permission}\` to the job (or the workflow)`;
  if (err.status === 401) return "the token is invalid or expired (input github-token)";
  if (err.status === 404) return "the repository or pull request is not visible to the token";
  return "GitHub did not answer; the plan is in the job summary";
}
