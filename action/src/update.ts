import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gitText } from "../../src/git/git.js";
import type { InputCache } from "../../src/git/input-cache.js";
import { commitFiles, forcePushHead } from "../../src/git/push.js";
import { formatLock, LOCK_FILE, parseLock } from "../../src/inputs/lock-file.js";
import { type LockChange, relock } from "../../src/inputs/relock.js";
import type { RunContext } from "./context.js";
import type { Core, Env } from "./core.js";
import { GitHubApi } from "./github.js";
import type { ActionInputs } from "./input.js";
import type { ConfigRepo } from "./repo.js";

const TITLE = "dotops: update inputs";

/**
 * mode: update (a scheduled job): `dotops update` on the checkout, and when
 * dotops.lock moved, one commit on one branch (force-pushed: it always holds
 * exactly the latest update) and one pull request, opened or updated. The
 * context returned is that pull request's, so the run goes on to plan it and
 * post the plan as the PR's comment: a pull request the workflow token opens
 * starts no workflow of its own. null: nothing moved, nothing to review.
 */
export async function openUpdatePull(
  core: Core,
  env: Env,
  inputs: ActionInputs,
  ctx: RunContext,
  repo: ConfigRepo,
  cache: InputCache,
): Promise<RunContext | null> {
  const dir = join(repo.root, repo.prefix);
  const lockPath = join(dir, LOCK_FILE);
  const before = existsSync(lockPath) ? readFileSync(lockPath, "utf8") : undefined;
  const r = await relock(
    cache,
    readFileSync(join(dir, "dotops.yaml"), "utf8"),
    before === undefined ? undefined : parseLock(before),
    "all",
  );
  const text = formatLock(r.lock);
  if (text === before || !r.entries.length) {
    core.notice("dotops: every input and external is at the newest commit of its ref: nothing to update");
    return null;
  }
  const moved = r.entries.filter((e) => e.from !== e.to);
  const lines = [
    ...moved.map(describeChange),
    ...r.removed.map((k) => `- ${k}: removed (no longer declared)`),
  ];
  const base = await gitText(repo.root, ["rev-parse", "HEAD"]);
  writeFileSync(lockPath, text);
  const head = await commitFiles(
    repo.root,
    [join(repo.prefix, LOCK_FILE)],
    `${TITLE}\n\n${lines.join("\n")}\n`,
  );
  await forcePushHead(repo.root, inputs.updateBranch);
  core.info(`dotops: pushed ${head.slice(0, 12)} to ${inputs.updateBranch}`);

  const api = new GitHubApi({
    token: inputs.githubToken,
    apiUrl: ctx.apiUrl,
    owner: ctx.owner,
    repo: ctx.repo,
  });
  const body = [
    `\`dotops update\` moved ${moved.length === 1 ? "this pin" : "these pins"} in \`${join(repo.prefix, LOCK_FILE)}\`:`,
    "",
    ...lines,
    "",
    "The plan of every host is in the comment below. This branch is rewritten by each scheduled update until it is merged or closed.",
  ].join("\n");
  const open = await api.findPull(inputs.updateBranch);
  const number =
    open ??
    (await api.createPull({
      branch: inputs.updateBranch,
      base: env.GITHUB_REF_NAME || "main",
      title: TITLE,
      body,
    }));
  if (open) await api.updatePull(open, { title: TITLE, body });
  core.info(`dotops: pull request #${number} ${open ? "updated" : "opened"}`);
  return {
    ...ctx,
    eventName: "pull_request",
    base,
    head,
    pullRequest: { number, fromFork: false },
    readOnlyToken: null,
  };
}

function describeChange(e: LockChange): string {
  const at = (rev: string) => `\`${rev.slice(0, 12)}\``;
  if (!e.from) return `- ${e.kind} **${e.key}**: locked at ${at(e.to)} (${e.source})`;
  const n = e.archive
    ? "the archive changed"
    : e.commits === undefined
      ? "history rewritten"
      : `${e.commits} commit${e.commits === 1 ? "" : "s"}`;
  return `- ${e.kind} **${e.key}**: ${at(e.from)} → ${at(e.to)} (${n}, ${e.source}${e.ref ? ` ${e.ref}` : ""})`;
}
