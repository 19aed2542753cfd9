import { readFileSync } from "node:fs";
import type { Env } from "./core.js";
import { InputError } from "./input.js";

export type RunnerPlatform = "darwin" | "linux" | "windows" | "unknown";

/** What the workflow run is about, read from the runner's environment and event payload. */
export interface RunContext {
  eventName: string;
  owner: string;
  repo: string;
  /** The commit the change starts from; null: nothing (plan from scratch). */
  base: string | null;
  /** The commit being checked (a PR's head, a push's after). */
  head: string;
  pullRequest: { number: number; fromFork: boolean } | null;
  /** Why the token can only read (fork PRs, Dependabot), or null: a 403 on writing is then expected. */
  readOnlyToken: string | null;
  runner: RunnerPlatform;
  apiUrl: string;
  /** The repository's web page (GITHUB_SERVER_URL/owner/repo), for links to files at a commit. */
  repoUrl: string;
  /** Link to this workflow run, for statuses and the comment. */
  runUrl?: string;
}

const ZERO_SHA = /^0+$/;

interface PullRequestPayload {
  number?: number;
  pull_request?: {
    number: number;
    base: { sha: string; repo?: { full_name?: string } };
    head: { sha: string; repo?: { full_name?: string } | null };
  };
  before?: string;
  after?: string;
  sender?: { login?: string };
}

export function readContext(env: Env): RunContext {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? "").split("/");
  if (!owner || !repo)
    throw new InputError("GITHUB_REPOSITORY is not set (owner/name): is this a GitHub runner?");
  const eventName = env.GITHUB_EVENT_NAME ?? "";
  const payload = readPayload(env.GITHUB_EVENT_PATH);
  const runUrl =
    env.GITHUB_SERVER_URL && env.GITHUB_RUN_ID
      ? `${env.GITHUB_SERVER_URL}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  const common = {
    eventName,
    owner,
    repo,
    runner: runnerPlatform(env),
    apiUrl: (env.GITHUB_API_URL || "https://api.github.com").replace(/\/+$/, ""),
    repoUrl: `${(env.GITHUB_SERVER_URL || "https://github.com").replace(/\/+$/, "")}/${owner}/${repo}`,
    runUrl,
  };
  const pr = payload.pull_request;
  if (pr) {
    const fromFork =
      !pr.head.repo || (pr.head.repo.full_name ?? "") !== (pr.base.repo?.full_name ?? `${owner}/${repo}`);
    const bot = (payload.sender?.login ?? env.GITHUB_ACTOR ?? "") === "dependabot[bot]";
    return {
      ...common,
      base: pr.base.sha,
      head: pr.head.sha,
      pullRequest: { number: pr.number, fromFork },
      readOnlyToken: fromFork
        ? "this pull request comes from a fork"
        : bot
          ? "this pull request was opened by Dependabot"
          : null,
    };
  }
  const head = (eventName === "push" && payload.after) || env.GITHUB_SHA;
  if (!head) throw new InputError("neither the event payload nor GITHUB_SHA names a commit");
  const before = eventName === "push" ? payload.before : undefined;
  return {
    ...common,
    base: before && !ZERO_SHA.test(before) ? before : null,
    head,
    pullRequest: null,
    readOnlyToken: null,
  };
}

function readPayload(path: string | undefined): PullRequestPayload {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, "utf8")) as PullRequestPayload;
  } catch (err) {
    throw new InputError(`cannot read the event payload ${path}: ${(err as Error).message}`);
  }
}

/** RUNNER_OS (Linux, macOS, Windows) as a dotops platform; the Node platform off a runner. */
export function runnerPlatform(env: Env): RunnerPlatform {
  const os = env.RUNNER_OS ?? process.platform;
  if (/^(macos|darwin)$/i.test(os)) return "darwin";
  if (/^linux$/i.test(os)) return "linux";
  if (/^(windows|win32)$/i.test(os)) return "windows";
  return "unknown";
}

/**
 * `pull_request_target` runs in the base repository's context, with its
 * secrets and a token that can write. A fork's config there is untrusted code
 * next to them: it may be read (a plan between the two commits runs nothing
 * from the config), never run on the runner.
 */
export function untrustedHead(ctx: RunContext): string | null {
  return ctx.eventName === "pull_request_target" && ctx.pullRequest?.fromFork
    ? "this pull_request_target run is for a fork's pull request, and runs with this repository's secrets"
    : null;
}
