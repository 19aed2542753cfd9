/** How long to keep trying a GitHub REST call. */
export interface RetryOptions {
  /** Attempts per call on 5xx, rate limits and network errors. */
  attempts?: number;
  /** First retry delay; doubles each time (tests shorten it). */
  baseDelayMs?: number;
  /** Upper bound on a single wait, however long GitHub asks for. */
  maxDelayMs?: number;
}

/** A call that failed for good: not retryable, or out of attempts. */
export class GitHubCallError extends Error {
  constructor(
    readonly status: number | undefined,
    readonly rateLimited: boolean,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/**
 * Runs an Octokit call, retrying 5xx, 429, 403-with-no-quota-left and network
 * errors with exponential backoff (honouring retry-after and the rate-limit
 * reset). Shared by the agent's reporter and the Action.
 */
export async function callWithRetry<T>(fn: () => Promise<T>, o: RetryOptions = {}): Promise<T> {
  const attempts = o.attempts ?? 4;
  let delay = o.baseDelayMs ?? 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const e = err as { status?: number; message?: string; response?: { headers?: Record<string, string> } };
      const headers = e.response?.headers ?? {};
      const rateLimited = e.status === 429 || (e.status === 403 && headers["x-ratelimit-remaining"] === "0");
      const retryable = rateLimited || e.status === undefined || e.status >= 500;
      if (!retryable || attempt >= attempts)
        throw new GitHubCallError(e.status, rateLimited, e.message ?? String(err));
      await new Promise((r) =>
        setTimeout(r, Math.min(retryAfterMs(headers) ?? delay, o.maxDelayMs ?? 60_000)),
      );
      delay *= 2;
    }
  }
}

function retryAfterMs(headers: Record<string, string>): number | undefined {
  if (headers["retry-after"]) return Number(headers["retry-after"]) * 1000;
  if (headers["x-ratelimit-remaining"] === "0" && headers["x-ratelimit-reset"])
    return Math.max(0, Number(headers["x-ratelimit-reset"]) * 1000 - Date.now());
  return undefined;
}
