import { STATUS_CODES } from "node:http";

/** How long to keep trying a GitHub REST call. */
export interface RetryOptions {
  /** Attempts per call on 5xx, rate limits and network errors. */
  attempts?: number;
  /** First retry delay; doubles each time (tests shorten it). */
  baseDelayMs?: number;
  /**
   * Longest wait between attempts. A rate limit that resets later than this
   * is not waited for here (a retry before the reset only earns another
   * refusal): the call fails at once with `retryAt`, for the caller to hold.
   */
  maxDelayMs?: number;
  /** Aborted: no more attempts and no more waiting (the caller gave up on reporting). */
  signal?: AbortSignal;
}

/** A call that failed for good: not retryable, or out of attempts. */
export class GitHubCallError extends Error {
  constructor(
    /** The HTTP status GitHub answered with; undefined when no answer came (network, timeout, abort). */
    readonly status: number | undefined,
    readonly rateLimited: boolean,
    readonly detail: string,
    /** Rate limited: when GitHub will take calls again (epoch ms, at most an hour away). */
    readonly retryAt?: number,
  ) {
    super(detail);
  }

  /** What happened, truthfully: "no answer" or the status and its meaning, e.g. "HTTP 406 Not Acceptable". */
  get answer(): string {
    return describeStatus(this.status);
  }
}

export function describeStatus(status: number | undefined): string {
  if (status === undefined) return "no answer";
  const text = STATUS_CODES[status];
  return `HTTP ${status}${text ? ` ${text}` : ""}`;
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
      // Octokit gives network errors and timeouts status 500 too: only a response is an answer.
      const status = e.response ? e.status : undefined;
      const headers = e.response?.headers ?? {};
      const rateLimited = status === 429 || (status === 403 && headers["x-ratelimit-remaining"] === "0");
      const retryable = rateLimited || status === undefined || status >= 500;
      const wait = retryAfterMs(headers) ?? delay;
      const maxDelay = o.maxDelayMs ?? 60_000;
      const tooLong = rateLimited && wait > maxDelay;
      if (!retryable || tooLong || attempt >= attempts || o.signal?.aborted)
        throw new GitHubCallError(
          status,
          rateLimited,
          o.signal?.aborted ? "gave up" : (e.message ?? String(err)),
          rateLimited ? Date.now() + Math.max(wait, 1000) : undefined,
        );
      await sleep(Math.min(wait, maxDelay), o.signal);
      delay *= 2;
    }
  }
}

/**
 * fetch for Octokit with a time limit on every request (Octokit has none, and
 * Node's own is about 300 s per attempt), which `stop` can also cut short. A
 * timeout surfaces as an error saying so, not as a bare abort. `trace` gets
 * one line per request: what was asked, and what came back or did not.
 */
export function fetchWithTimeout(
  timeoutMs: number,
  o: { stop?: AbortSignal; trace?: (line: string) => void } = {},
): typeof fetch {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signals = [timeout, ...(init?.signal ? [init.signal] : []), ...(o.stop ? [o.stop] : [])];
    const what = `${init?.method ?? "GET"} ${new URL(input instanceof Request ? input.url : input).pathname}`;
    const t0 = Date.now();
    try {
      const res = await fetch(input, { ...init, signal: AbortSignal.any(signals) });
      o.trace?.(`${what} - ${res.status} in ${Date.now() - t0}ms`);
      return res;
    } catch (err) {
      const timedOut = timeout.aborted && !o.stop?.aborted;
      const why = timedOut ? `timed out after ${timeoutMs / 1000}s` : (err as Error).message;
      o.trace?.(`${what} - no answer (${why}) in ${Date.now() - t0}ms`);
      if (timedOut) throw new Error(why);
      throw err;
    }
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** GitHub's primary limits reset within the hour: a longer wait (a wrong clock, a bad header) is bounded to it. */
const LONGEST_RATE_LIMIT_MS = 3_600_000;

function retryAfterMs(headers: Record<string, string>): number | undefined {
  let ms: number | undefined;
  if (headers["retry-after"]) ms = Number(headers["retry-after"]) * 1000;
  else if (headers["x-ratelimit-remaining"] === "0" && headers["x-ratelimit-reset"])
    ms = Number(headers["x-ratelimit-reset"]) * 1000 - Date.now();
  if (ms === undefined || Number.isNaN(ms)) return undefined;
  return Math.min(Math.max(0, ms), LONGEST_RATE_LIMIT_MS);
}
