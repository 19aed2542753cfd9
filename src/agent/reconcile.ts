import type { LoadOptions } from "../config/load.js";
import type { AgentConfig } from "../config/schema.js";
import type { Engine } from "../engine/engine.js";
import { currentGeneration, readMeta } from "../engine/generations.js";
import { TransactionError } from "../engine/journal.js";
import { LockedError } from "../engine/lock.js";
import { status } from "../engine/status.js";
import { ConfigError, DotopsError, PolicyError } from "../errors.js";
import { checkSignature, commitsBetween, isAncestor, isBareRepo, readRef } from "../git/history.js";
import { inputCache, lockedRepo, lockTextAt } from "../git/input-cache.js";
import { BranchMissingError, fetchIfMoved, RemoteUnreachableError } from "../git/remote.js";
import { commitSource } from "../git/source.js";
import type { GitLock } from "../inputs/lock-file.js";
import type { GitHubReporter } from "../report/github.js";
import { gate } from "../rollout/gate.js";
import { earlierWaves, type Rollout } from "../rollout/waves.js";
import { type AgentState, readAgentState, suspension, writeAgentState } from "./agent-state.js";
import { defaultBranch, followRemote } from "./clone.js";

/*
 * Each pass of the long-running agent is a process of its own (agent/child.ts),
 * and most passes are idle polls: the config loader (zod, yaml) and the apply
 * engine load only when a pass needs them (a policy not handed over, a commit
 * to apply, drift to heal).
 */
const loadDeploy = () => import("../engine/deploy.js");

export interface ReconcileOptions {
  repo: string;
  loadOptions: LoadOptions;
  /** Overrides agent.branch from the config. */
  branch?: string;
  /**
   * Set when `repo` is the agent's own clone in the state dir: its origin
   * follows `remote` (--remote), else agent.remote of the applied config.
   * A work tree's origin is the user's and is left alone.
   */
  clone?: { remote?: string };
  /** Makes a GitHub reporter for the policy in force (null when not configured); it may read a token file first. */
  reporter?: (policy: AgentConfig, host: string) => Promise<GitHubReporter | null> | GitHubReporter | null;
  /** True when reports a rate limit held back are due (its reset has passed): an idle pass sends them too. */
  reportsDue?: () => Promise<boolean>;
  fetchTimeoutMs?: number;
  /** `agent --once --ignore-rollout`: apply the tip now, whatever the earlier waves of a staged rollout did. */
  ignoreRollout?: boolean;
  /** Aborted when the agent is stopping: an apply in flight still finishes, reporting stops waiting. */
  signal?: AbortSignal;
}

/**
 * What one pass did. `retry` says what the loop should do next (Flux's error
 * classes): a bad commit stalls until a new one arrives, an unreachable
 * remote is retried with backoff.
 */
export type ReconcileOutcome =
  | { kind: "suspended"; reason: string }
  | { kind: "offline"; error: string }
  | { kind: "unchanged"; commit: string | null; drift: number; healed: boolean }
  | { kind: "applied"; commit: string; generation: number; rollbackOf: number | null; superseded: string[] }
  | { kind: "rolled-back"; commit: string; generation: number; to: number; error: string }
  | { kind: "refused"; commit: string; error: string }
  /** A staged rollout holds the commit back: the earlier waves have not applied it yet, or one failed it (halted). */
  | { kind: "waiting" | "halted"; commit: string; reason: string; generation: number | null }
  | { kind: "failed"; commit: string | null; error: string; retry: boolean };

/**
 * One reconcile, as a list of named stages: fetch → choose the tip → policy
 * (history, signature) → deploy (apply + health) → record and report. Status
 * is always written at the end, success or not.
 */
export async function reconcileOnce(eng: Engine, opts: ReconcileOptions): Promise<ReconcileOutcome> {
  const paused = await suspension(eng.host, eng.state);
  if (paused) return { kind: "suspended", reason: paused.reason };

  const current = await currentGeneration(eng.host, eng.state);
  const applied = current === null ? null : await readMeta(eng.host, eng.state, current);
  const lastApplied = applied?.commit ?? null;
  // Policy comes from the config already applied, never from the commit asking to be
  // applied: a commit cannot switch off the signature requirement for itself.
  const appliedConfig = await policyConfig(opts, lastApplied);
  const bare = await isBareRepo(opts.repo);
  const remote = opts.clone && (opts.clone.remote ?? appliedConfig?.agent.remote);
  if (remote) {
    const configured = appliedConfig?.agent.remote;
    if (configured && configured !== remote)
      eng.log.debug(`--remote ${remote} overrides agent.remote ${configured}`);
    await followRemote(opts.repo, remote, eng.log);
  }
  const base = await defaultBranch(opts.repo, bare);
  const branch = opts.branch ?? appliedConfig?.agent.branch ?? base;
  if (!branch)
    return {
      kind: "failed",
      commit: null,
      error: `cannot tell which branch to follow: ${opts.repo} has no default branch (a detached HEAD); set agent.branch or pass --branch`,
      retry: true,
    };

  try {
    // ls-remote first: an idle poll fetches nothing.
    await fetchIfMoved(
      opts.repo,
      base && branch !== base ? [branch, base] : [branch],
      bare,
      opts.fetchTimeoutMs,
    );
  } catch (err) {
    if (err instanceof RemoteUnreachableError) return { kind: "offline", error: err.message };
    if (err instanceof BranchMissingError)
      return { kind: "failed", commit: null, error: err.message, retry: true };
    throw err;
  }
  const tip = await chooseTip(opts.repo, branch, bare);
  if (!tip)
    return {
      kind: "failed",
      commit: null,
      error: `branch ${branch} has no commits in ${opts.repo}`,
      retry: true,
    };
  // On first use the tip's own config sets the policy: the user chose this repo.
  const trusted = appliedConfig ?? (await policyConfig(opts, tip));
  const policy = trusted?.agent ?? {};

  let agentState = await readAgentState(eng.host, eng.state);
  const last = agentState.lastAttempted;
  const hostName = trusted?.host.name ?? opts.loadOptions.host ?? "unknown";
  // Up to date: the tip is the current generation's commit, or a later one with the same content.
  if (
    tip === lastApplied ||
    (last?.commit === tip && last.outcome === "applied" && last.generation === current)
  ) {
    await sendHeldReports(opts, policy, hostName);
    return driftPass(eng, opts, policy, tip);
  }
  if (last?.commit === tip && last.outcome !== "applied" && !diedPending(eng, last)) {
    // Stalled on this commit: a new one is needed (or `dotops apply` by hand).
    await sendHeldReports(opts, policy, hostName);
    return { kind: "unchanged", commit: lastApplied, drift: 0, healed: false };
  }
  const rollout = trusted?.rollout;
  if (rollout && earlierWaves(rollout, rollout.wave).length) {
    if (opts.ignoreRollout)
      eng.log.warn(
        `--ignore-rollout: applying ${tip.slice(0, 12)} without waiting for wave ${rollout.wave - 1}`,
      );
    else {
      const held = await rolloutHold(eng, opts, { tip, rollout, policy, hostName, agentState, current });
      if (held) return held;
    }
    if (agentState.rollout) {
      agentState = { ...agentState, rollout: undefined };
      await writeAgentState(eng.host, eng.state, agentState);
    }
  }
  if (last?.commit === tip && last.outcome === "pending")
    eng.log.warn(
      { commit: tip, pid: last.pid },
      `the pass that was applying ${tip.slice(0, 12)} (pid ${last.pid ?? "?"}) died; trying it again`,
    );

  const record = (outcome: string, error?: string, generation?: number | null) =>
    writeAgentState(eng.host, eng.state, {
      ...agentState,
      lastAttempted: {
        commit: tip,
        at: new Date().toISOString(),
        outcome,
        ...(error ? { error } : {}),
        ...(generation !== undefined ? { generation } : {}),
        ...(outcome === "pending" ? { pid: process.pid } : {}),
      },
    });
  await record("pending");
  eng.failpoints?.hit("agent:pending");
  const reporter = (await opts.reporter?.(policy, hostName)) ?? null;
  await reporter?.resendHeld(); // queued first: GitHub keeps the order reports were made in
  try {
    return await attempt(eng, opts, {
      tip,
      lastApplied,
      branch,
      base,
      bare,
      policy,
      record,
      before: agentState,
      reporter,
    });
  } finally {
    // Reports were queued, not awaited: now they get a bounded time to go out.
    await reporter?.flush(undefined, opts.signal);
  }
}

/**
 * A staged rollout's gate for the tip (rollout/gate.ts), read from the
 * commit's statuses: null lets it through. Said on GitHub once per commit and
 * wave waited for, not every poll; a halted commit and a wave still baking are
 * not asked about again (until a new commit, or the bake's end).
 */
async function rolloutHold(
  eng: Engine,
  opts: ReconcileOptions,
  a: {
    tip: string;
    rollout: Rollout;
    policy: AgentConfig;
    hostName: string;
    agentState: AgentState;
    current: number | null;
  },
): Promise<ReconcileOutcome | null> {
  const { tip, agentState } = a;
  const seen = agentState.rollout?.commit === tip ? agentState.rollout : undefined;
  const hold = (kind: "waiting" | "halted", reason: string): ReconcileOutcome => ({
    kind,
    commit: tip,
    reason: `${reason}; staying on generation ${a.current ?? "none"}`,
    generation: a.current,
  });
  if (seen?.kind === "halted" || (seen?.notBefore && Date.now() < seen.notBefore))
    return hold(seen.kind, seen.reason);
  const reporter = (await opts.reporter?.(a.policy, a.hostName)) ?? null;
  const read = reporter ? await reporter.reportsOn(tip) : null;
  if (!read) {
    const why = reporter ? "GitHub did not answer" : "no GitHub token (see agent.github)";
    return hold(
      "waiting",
      `cannot tell whether wave ${a.rollout.wave - 1} applied ${tip.slice(0, 12)}: ${why}; \`dotops agent --once --ignore-rollout\` applies it on this host now`,
    );
  }
  const g = gate(a.rollout, read.reports, read.now);
  if (g.go) return null;
  const key = `${g.kind}:${g.wave}`;
  if (seen?.key !== key) {
    reporter?.report(tip, g.kind === "halted" ? "error" : "pending", g.reason, { always: true });
    await reporter?.flush(undefined, opts.signal);
  }
  await writeAgentState(eng.host, eng.state, {
    ...agentState,
    rollout: {
      commit: tip,
      kind: g.kind,
      key,
      reason: g.reason,
      // GitHub's clock stamped the reports: the bake ends that long from now on ours.
      ...(g.kind === "waiting" && g.notBefore ? { notBefore: Date.now() + (g.notBefore - read.now) } : {}),
    },
  });
  return hold(g.kind, g.reason);
}

/**
 * Reports a rate limit held back go out with the first pass after its
 * reset, an idle one too (a quick look at the outbox; no reporter, and no
 * GitHub client loaded, when nothing is due).
 */
async function sendHeldReports(opts: ReconcileOptions, policy: AgentConfig, host: string): Promise<void> {
  if (!(await opts.reportsDue?.())) return;
  const reporter = await opts.reporter?.(policy, host);
  if (!reporter) return;
  await reporter.resendHeld();
  await reporter.flush(undefined, opts.signal);
}

/**
 * A "pending" record outlives its pass only when the pass died (killed, out
 * of memory, power loss): passes run one at a time under the agent lock. Its
 * process being gone, the commit is tried again; one that is still there
 * (and is not this pass or the agent running it) is left to finish.
 */
function diedPending(eng: Engine, last: NonNullable<AgentState["lastAttempted"]>): boolean {
  if (last.outcome !== "pending") return false;
  const pid = last.pid;
  if (pid === undefined || pid === process.pid || pid === process.ppid) return true;
  return !eng.host.processAlive(pid);
}

interface Attempt {
  tip: string;
  lastApplied: string | null;
  branch: string;
  base: string | null;
  bare: boolean;
  policy: AgentConfig;
  record: (outcome: string, error?: string, generation?: number | null) => Promise<void>;
  /** The agent's state before this attempt recorded it pending. */
  before: AgentState;
  reporter: GitHubReporter | null;
}

/** Policy, then deploy (apply + health), recording and reporting the outcome. */
async function attempt(eng: Engine, opts: ReconcileOptions, a: Attempt): Promise<ReconcileOutcome> {
  const { tip, lastApplied, record, reporter } = a;
  const refusal =
    (await checkPolicy(opts.repo, tip, lastApplied, a.branch, a.base, a.bare, a.policy)) ??
    (a.policy.requireSignedCommits ? await unsignedInput(eng, opts.repo, tip, a.policy) : null);
  if (refusal) {
    await record("refused", refusal);
    reporter?.report(tip, "failure", `refused: ${refusal}`);
    return { kind: "refused", commit: tip, error: refusal };
  }

  reporter?.report(tip, "pending", "applying"); // with agent.github.pending only; queued, never awaited
  const superseded = lastApplied ? (await commitsBetween(opts.repo, lastApplied, tip)).slice(1) : [];
  try {
    const { deploy } = await loadDeploy();
    const r = await deploy(eng, {
      load: () => commitSource(opts.repo, tip, { inputs: inputCache(eng, opts.repo) }),
      commit: async () => tip,
      repoDir: opts.repo,
      loadOptions: opts.loadOptions,
      superseded,
      parentCommit: lastApplied,
      allowDestructive: a.policy.allowDestructive,
    });
    const n = r.generation as number;
    if (r.rolledBackTo !== null) {
      const failed = r.health.find((h) => !h.ok);
      const error = `health check "${failed?.name}" failed (${failed?.detail}); rolled back to generation ${r.rolledBackTo}`;
      await record("rolled-back", error);
      reporter?.report(tip, "failure", error, { generation: n });
      return { kind: "rolled-back", commit: tip, generation: n, to: r.rolledBackTo, error };
    }
    const failedCheck = r.health.find((h) => !h.ok);
    if (failedCheck) {
      // The first generation has nothing to roll back to: it stays, but this commit failed.
      const error = `health check "${failedCheck.name}" failed (${failedCheck.detail}); no earlier generation to roll back to`;
      await record("failed", error, n);
      reporter?.report(tip, "failure", error, { generation: n });
      return { kind: "failed", commit: tip, error, retry: false };
    }
    await record("applied", undefined, n);
    if (r.noop) {
      reporter?.report(tip, "success", "no changes", { generation: n });
      return { kind: "unchanged", commit: tip, drift: 0, healed: false };
    }
    const summary = `+${r.plan.summary.create} ~${r.plan.summary.update} -${r.plan.summary.delete}${r.plan.rollbackTo ? ` (rollback to ${r.plan.rollbackTo.generation})` : ""}`;
    reporter?.report(tip, "success", summary, { generation: n });
    return {
      kind: "applied",
      commit: tip,
      generation: n,
      rollbackOf: r.plan.rollbackTo?.generation ?? null,
      superseded,
    };
  } catch (err) {
    const error = (err as Error).message;
    if (err instanceof LockedError) {
      // A `dotops apply` by hand (or gc) holds the state dir: not this commit's failure. The
      // record goes back to what it was, and the next pass tries again.
      await writeAgentState(eng.host, eng.state, a.before);
      return { kind: "failed", commit: tip, error, retry: true };
    }
    const refused = err instanceof PolicyError;
    await record(refused ? "refused" : "failed", error);
    reporter?.report(tip, "failure", error.split("\n")[0] ?? error);
    if (refused) return { kind: "refused", commit: tip, error };
    if (err instanceof ConfigError || err instanceof TransactionError || err instanceof DotopsError)
      return { kind: "failed", commit: tip, error, retry: false };
    throw err;
  }
}

/** What the agent takes from a commit's config: its policy, and the host it was loaded for. */
export interface Policy {
  agent: AgentConfig;
  host: { name: string };
  /** This host's place in a staged rollout (`rollout:`). */
  rollout?: Rollout;
}

export async function policyConfig(
  opts: ReconcileOptions,
  lastApplied: string | null,
): Promise<Policy | null> {
  if (!lastApplied) return null;
  // A commit's config never changes: an idle poll reuses it instead of reading the whole tree again.
  const key = `${opts.repo}\0${lastApplied}\0${JSON.stringify(opts.loadOptions)}`;
  if (policyMemo?.key === key) return policyMemo.policy;
  const { loadPolicy } = await import("../config/load.js"); // outside the try: never a silent "no policy"
  try {
    // dotops.yaml alone: policy is entry-only, so it never waits on an input's fetch.
    const policy = loadPolicy(await commitSource(opts.repo, lastApplied), opts.loadOptions);
    policyMemo = { key, policy };
    return policy;
  } catch {
    return null; // the applied commit is gone (history rewritten) or unreadable: no extra policy
  }
}

/**
 * The last policy read, as JSON: the agent hands it from one pass's process
 * to the next (agent/child.ts), so that an idle poll does not read the whole
 * tree at the applied commit again.
 */
export type PolicyMemo = { key: string; policy: Policy };
let policyMemo: PolicyMemo | undefined;

export function savedPolicy(): PolicyMemo | undefined {
  return policyMemo;
}

export function restorePolicy(memo: PolicyMemo | undefined): void {
  if (
    memo &&
    typeof memo.key === "string" &&
    memo.policy?.agent &&
    typeof memo.policy.host?.name === "string"
  )
    policyMemo = memo;
}

/**
 * The commit to apply: the branch tip, taking the newer of the local branch
 * and origin's in a work-tree clone (so a local commit applies too).
 */
async function chooseTip(repo: string, branch: string, bare: boolean): Promise<string | null> {
  const local = await readRef(repo, `refs/heads/${branch}`);
  if (bare) return local;
  const remote = await readRef(repo, `refs/remotes/origin/${branch}`);
  if (!remote || !local) return local ?? remote;
  if (await isAncestor(repo, remote, local)) return local;
  if (await isAncestor(repo, local, remote)) return remote;
  return remote; // diverged: the remote is the source of truth; the history check decides
}

async function checkPolicy(
  repo: string,
  tip: string,
  lastApplied: string | null,
  branch: string,
  base: string | null,
  bare: boolean,
  policy: AgentConfig,
): Promise<string | null> {
  if (lastApplied && !policy.allowForcePush && !(await isAncestor(repo, lastApplied, tip))) {
    return `history rewritten: ${tip.slice(0, 12)} does not descend from the applied ${lastApplied.slice(0, 12)} (force-push?); set agent.allowForcePush or apply it by hand with \`dotops apply --commit ${tip.slice(0, 12)}\``;
  }
  if (base && branch !== base && !policy.allowForcePush) {
    // A testing branch: it must carry everything the default branch has.
    const fetched = await readRef(repo, bare ? `refs/heads/${base}` : `refs/remotes/origin/${base}`);
    const baseTip = fetched ?? (await readRef(repo, `refs/heads/${base}`));
    if (baseTip && !(await isAncestor(repo, baseTip, tip))) {
      return `testing branch ${branch} is not on top of ${base} (${baseTip.slice(0, 12)}); rebase it onto ${base}`;
    }
  }
  if (policy.requireSignedCommits) {
    const why = await untrusted(repo, tip, policy);
    if (why) return `commit ${tip.slice(0, 12)} ${why}; agent.requireSignedCommits is on`;
  }
  return null;
}

/** Why `commit` is not signed by a trusted signer, or null when it is. */
async function untrusted(repo: string, commit: string, policy: AgentConfig): Promise<string | null> {
  const sig = await checkSignature(repo, commit, policy.trustedSigners ?? []);
  if (sig.trusted) return null;
  return sig.status === "N"
    ? "is not signed"
    : `is signed by ${sig.signer || sig.key || "an unknown key"}, which is not in agent.trustedSigners (git: ${sig.status})`;
}

/**
 * An input is config too: with requireSignedCommits, each commit dotops.lock
 * pins for an input must be signed by a trusted signer, as the config's own
 * commits are. Externals (a third party's plugin) are pinned, not signed.
 */
async function unsignedInput(
  eng: Engine,
  repo: string,
  tip: string,
  policy: AgentConfig,
): Promise<string | null> {
  const text = await lockTextAt(repo, tip);
  if (text === undefined) return null;
  const { parseLock } = await import("../inputs/lock-file.js");
  let inputs: Record<string, GitLock>;
  try {
    inputs = parseLock(text).inputs;
  } catch (err) {
    return (err as Error).message; // an unreadable lock pins nothing that can be checked
  }
  const cache = inputCache(eng, repo);
  for (const [key, locked] of Object.entries(inputs).sort()) {
    const dir = await lockedRepo(cache, { what: `input ${key}`, ...locked });
    const why = await untrusted(dir, locked.rev, policy);
    if (why)
      return `input ${key}: its locked commit ${locked.rev.slice(0, 12)} ${why}; agent.requireSignedCommits applies to inputs too`;
  }
  return null;
}

/** No new commit: look for drift, report it on change, heal it when asked. */
async function driftPass(
  eng: Engine,
  opts: ReconcileOptions,
  policy: AgentConfig,
  tip: string,
): Promise<ReconcileOutcome> {
  const s = await status(eng);
  const agentState = await readAgentState(eng.host, eng.state);
  const key = s.drift.map((d) => `${d.action}:${d.kind}:${d.id}`).join(",");
  if (!s.drift.length) {
    if (agentState.driftKey)
      await writeAgentState(eng.host, eng.state, { ...agentState, driftKey: undefined });
    return { kind: "unchanged", commit: tip, drift: 0, healed: false };
  }
  if ((policy.onDrift ?? "report") === "heal") {
    try {
      const { deploy } = await loadDeploy();
      await deploy(eng, {
        load: () => commitSource(opts.repo, tip, { inputs: inputCache(eng, opts.repo) }),
        repoDir: opts.repo,
        loadOptions: opts.loadOptions,
      });
      eng.log.info({ drift: s.drift.length }, `healed drift: ${key}`);
      return { kind: "unchanged", commit: tip, drift: s.drift.length, healed: true };
    } catch (err) {
      eng.log.warn({ drift: s.drift.length }, `could not heal drift: ${(err as Error).message}`);
      return { kind: "unchanged", commit: tip, drift: s.drift.length, healed: false };
    }
  }
  if (agentState.driftKey !== key) {
    eng.log.warn(
      { drift: s.drift.map((d) => d.id) },
      `drift from generation ${s.generation?.number}: ${s.drift.length} resource(s)`,
    );
    await writeAgentState(eng.host, eng.state, { ...agentState, driftKey: key });
  }
  return { kind: "unchanged", commit: tip, drift: s.drift.length, healed: false };
}
