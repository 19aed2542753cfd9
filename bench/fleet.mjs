// Fleet scale: N agents polling one config repo.
//
// The model follows src/agent/loop.ts, src/agent/reconcile.ts and src/report/github.ts:
//  - after each reconcile an agent sleeps agent.interval jittered uniformly by ±10 %;
//  - an idle poll (tip already applied) is a `git ls-remote` and a drift check: no GitHub API call
//    (and no fetch);
//  - a new tip is applied once (only the newest commit; commits in between are superseded), and
//    with agent.github it makes 1 REST call: its final commit status (`success`/`failure`).
//    agent.github.pending adds one (`pending`), agent.github.deployments two (create deployment,
//    final deployment status), three with both.
//  - a GitHub App installation's token is bought with the App's JWT, which counts against the
//    App's own limit, not the installation's: the installation's budget is the statuses alone.
// A small real run (10 agent processes, one bare remote, a loopback fake of the GitHub API)
// checks both the call count and the time for a commit to reach every host.

import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { currentCommit, startAgent, stopAgent, waitFor } from "./agent.mjs";
import { freshHome, log, RUN, round, stats, tempIn } from "./runner.mjs";
import { commitChange, git, rng } from "./tree.mjs";

export const CALLS_PER_APPLY = { statuses: 1, statusesAndPending: 2, statusesAndDeployments: 3 };
export const TOKEN_LIMIT_PER_HOUR = 5000;

/**
 * A GitHub App installation's primary limit, by GitHub's documented rule: at
 * least 5,000 requests an hour; on an organisation with more than 20 users,
 * 50 more an hour for each user, and with more than 20 repositories, 50 more
 * for each repository; at most 12,500 (GitHub Enterprise Cloud: 15,000).
 */
export function installationLimitPerHour({ users = 1, repos = 1 } = {}) {
  const more = (n) => (n > 20 ? 50 * n : 0);
  return Math.min(12_500, 5000 + more(users) + more(repos));
}

const jitter = (rand, ms) => ms * (0.9 + rand() * 0.2);

/**
 * One simulated hour (after a warm-up hour) of N agents and commits arriving
 * every 3600/commitsPerHour s. Returns REST calls in that hour (shared token).
 */
function simulateHour({ agents, intervalMs, pollMs, applyMs, commitsPerHour, callsPerApply, rand }) {
  const hour = 3_600_000;
  const commits = [];
  for (let t = hour; t < 2 * hour; t += hour / commitsPerHour) commits.push(t + rand() * 1000);
  const tipAt = (t) => {
    let tip = -1;
    for (let i = 0; i < commits.length && commits[i] <= t; i++) tip = i;
    return tip;
  };
  let calls = 0;
  for (let a = 0; a < agents; a++) {
    let t = rand() * intervalMs; // each agent started at an arbitrary moment
    let applied = -1;
    while (t < 2 * hour) {
      const tip = tipAt(t);
      if (tip > applied) {
        applied = tip;
        if (t >= hour) calls += callsPerApply;
        t += applyMs;
      } else t += pollMs;
      t += jitter(rand, intervalMs);
    }
  }
  return calls;
}

/** For one commit pushed at a random moment: when each of N agents has applied it. */
function propagation({ agents, intervalMs, pollMs, applyMs, trials, rand }) {
  const all = [];
  const each = [];
  for (let k = 0; k < trials; k++) {
    let worst = 0;
    for (let a = 0; a < agents; a++) {
      // Agents are in steady state: the push lands at a uniform point of the current sleep+poll cycle.
      const cycle = jitter(rand, intervalMs) + pollMs;
      const untilPoll = rand() * cycle;
      const arrive = untilPoll + applyMs; // fetch is part of the poll; apply follows
      each.push(arrive);
      worst = Math.max(worst, arrive);
    }
    all.push(worst);
  }
  const pct = (xs, p) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  return {
    perHostMedianS: round(pct(each, 0.5) / 1000, 1),
    allHostsMedianS: round(pct(all, 0.5) / 1000, 1),
    allHostsP95S: round(pct(all, 0.95) / 1000, 1),
    allHostsMaxS: round(Math.max(...all) / 1000, 1),
  };
}

/**
 * The model, for N in `sizes`, at the default agent.interval of 60 s and a
 * 5-minute one. The fleet shares one token or one App installation on a
 * personal account or a small organisation (one repo, ≤ 20 users): 5,000
 * calls an hour either way.
 */
export function fleetModel({ pollMs, applyMs, sizes = [10, 100, 1000] }) {
  const rand = rng(6);
  const rows = [];
  const limit = installationLimitPerHour({ users: 1, repos: 1 });
  for (const intervalMs of [60_000, 300_000]) {
    for (const agents of sizes) {
      const calls = (commitsPerHour, callsPerApply = CALLS_PER_APPLY.statuses) =>
        simulateHour({ agents, intervalMs, pollMs, applyMs, commitsPerHour, callsPerApply, rand });
      const perHour = { 1: calls(1), 4: calls(4), 10: calls(10), 60: calls(60) };
      rows.push({
        agents,
        intervalS: intervalMs / 1000,
        // git ls-remote, no API call
        idlePollsPerHour: Math.round((agents * 3_600_000) / (intervalMs + pollMs)),
        apiCallsPerHour: perHour,
        apiCallsPerHourWithPending: { 4: calls(4, CALLS_PER_APPLY.statusesAndPending) },
        apiCallsPerHourWithDeployments: { 4: calls(4, CALLS_PER_APPLY.statusesAndDeployments) },
        // Commits/hour one token or installation sustains: each commit costs 1 call per host.
        maxCommitsPerHourSharedToken: Math.floor(limit / (agents * CALLS_PER_APPLY.statuses)),
        // Upper bound however fast commits come: at most one apply per poll.
        worstCaseCallsPerHour: Math.round(
          (agents * CALLS_PER_APPLY.statuses * 3_600_000) / (intervalMs * 0.9 + pollMs + applyMs),
        ),
        propagation: propagation({ agents, intervalMs, pollMs, applyMs, trials: 400, rand }),
      });
    }
  }
  return {
    tokenLimitPerHour: TOKEN_LIMIT_PER_HOUR,
    installationLimitPerHour: limit,
    // An installation on an organisation with 100 users and 100 repositories, for scale.
    installationLimitPerHourLargeOrg: installationLimitPerHour({ users: 100, repos: 100 }),
    pollMs,
    applyMs,
    rows,
  };
}

/**
 * Staged rollout (src/rollout/gate.ts, src/agent/reconcile.ts): a commit
 * pushed at a random moment, waves of `sizes` hosts. A wave-1 host applies at
 * its first poll (+ apply). A host of wave N applies at its first poll at
 * which every host of wave N-1 (and before) has reported success and wave
 * N-1 has been green for `bake` (the minSuccess-th success: all here). While
 * it waits on an earlier wave each poll reads the commit's statuses (1 call);
 * once it knows the bake's end it asks nothing until then. Times to the last
 * host of the last wave, over `trials` pushes.
 */
export function rolloutModel({ pollMs, applyMs, sizes = [1, 3, 10], trials = 400 }) {
  const rand = rng(19);
  const rows = [];
  const pct = (xs, p) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  for (const intervalMs of [60_000, 300_000]) {
    for (const bakeMs of [0, 600_000, 1_800_000]) {
      const done = [];
      const reads = [];
      for (let k = 0; k < trials; k++) {
        const green = []; // when each wave had all its hosts' success
        let calls = 0;
        for (const [w, size] of sizes.entries()) {
          const at = [];
          for (let h = 0; h < size; h++) {
            // Steady state: the push lands at a uniform point of the host's poll cycle.
            let t = rand() * (jitter(rand, intervalMs) + pollMs);
            let notBefore = 0;
            while (w > 0) {
              if (t >= notBefore) {
                calls++; // a read of the commit's statuses
                const short = green.findIndex((g) => g > t); // first earlier wave not yet green
                if (short < 0 && t >= (green[w - 1] ?? 0) + bakeMs) break; // all green and baked: apply
                // The gate's notBefore: the bake of the last green wave ahead of the blocking one.
                const ahead = short < 0 ? green[w - 1] : green[short - 1];
                notBefore = ahead !== undefined && t < ahead + bakeMs ? ahead + bakeMs : 0;
              }
              t += jitter(rand, intervalMs) + pollMs;
            }
            at.push(t + applyMs);
          }
          green.push(Math.max(...at));
        }
        done.push(green.at(-1));
        reads.push(calls);
      }
      const total = sizes.reduce((a, b) => a + b, 0);
      rows.push({
        intervalS: intervalMs / 1000,
        bakeS: bakeMs / 1000,
        allHostsMedianS: round(pct(done, 0.5) / 1000, 0),
        allHostsP95S: round(pct(done, 0.95) / 1000, 0),
        // Each wave adds up to one interval (its hosts' next poll) and apply; each after the first, the bake.
        boundS: round(
          (sizes.length * (intervalMs * 1.1 + pollMs + applyMs) + (sizes.length - 1) * bakeMs) / 1000,
          0,
        ),
        statusReadsPerCommit: pct(reads, 0.5),
        // Every host posts its final status; a host of a later wave one "waiting for wave N" before it.
        statusPostsPerCommit: total + (total - (sizes[0] ?? 0)),
      });
    }
  }
  return { waves: sizes, pollMs, applyMs, rows };
}

/** A loopback stand-in for the GitHub REST API that counts calls by route. */
async function fakeGitHub() {
  const calls = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      calls.push({ t: Date.now(), method: req.method, url: req.url, body });
      res.writeHead(201, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: calls.length, state: "success" }));
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, calls, close: () => server.close() };
}

/**
 * The real thing, small: `agents` agent processes with their own HOMEs follow
 * one bare remote, reporting to the fake API. Counts REST calls per applied
 * commit and per idle poll, and times each pushed commit until every host runs it.
 */
export async function fleetReal(tree, { agents = 10, interval = "5s", commits = 2, idleSeconds = 12 }) {
  const gh = await fakeGitHub();
  const work = join(tempIn("fleet-"), "work");
  git(RUN, "clone", "-q", tree.dir, work);
  const yaml = join(work, "dotops.yaml");
  writeFileSync(
    yaml,
    `${readFileSync(yaml, "utf8")}agent:\n  github: { repo: bench/dotfiles, apiUrl: "${gh.url}", statuses: true }\n`,
  );
  git(work, "commit", "-q", "-am", "report to the (fake) GitHub API");
  const remote = join(RUN, "fleet.git");
  git(RUN, "clone", "-q", "--bare", work, remote);
  git(work, "remote", "set-url", "origin", remote);
  const tip0 = git(work, "rev-parse", "HEAD");

  const fleet = [];
  for (let i = 0; i < agents; i++) {
    const home = freshHome(`fleet-${i}`);
    fleet.push(startAgent(home, { remote, interval, env: { DOTOPS_GITHUB_TOKEN: "bench-token" } }));
  }
  try {
    const t0 = Date.now();
    await waitFor(
      "every agent's first apply",
      () => fleet.every((a) => currentCommit(a.home) === tip0),
      300_000,
    );
    const firstApplyAllMs = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 1000)); // the success status follows the switch
    const afterFirst = gh.calls.length;
    log(`fleet: ${agents} agents at generation 1; ${afterFirst} API calls; idle for ${idleSeconds} s`);
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const idleCalls = gh.calls.length - afterFirst;

    const reach = [];
    const perHost = [];
    for (let c = 0; c < commits; c++) {
      const sha = commitChange(work, tree.paths, `fleet commit ${c}`);
      const pushed = Date.now();
      git(work, "push", "-q", "origin", "main");
      const arrived = new Map();
      await waitFor(
        `commit ${c} on every host`,
        () => {
          for (const a of fleet)
            if (!arrived.has(a.pid) && currentCommit(a.home) === sha) arrived.set(a.pid, Date.now() - pushed);
          return arrived.size === fleet.length;
        },
        300_000,
        25,
      );
      reach.push(Math.max(...arrived.values()));
      perHost.push(...arrived.values());
    }
    await new Promise((r) => setTimeout(r, 1500));
    const total = gh.calls.length;
    const statusCalls = gh.calls.filter((c) => /\/statuses\//.test(c.url)).length;
    return {
      agents,
      interval,
      files: tree.n,
      firstApplyAllHostsMs: firstApplyAllMs,
      apiCalls: {
        total,
        commitStatuses: statusCalls,
        appliedCommits: commits + 1,
        perAppliedCommitPerHost: round(total / ((commits + 1) * agents), 2),
        duringIdlePolls: idleCalls,
        idleSeconds,
      },
      commitToAllHostsMs: stats(reach),
      commitToEachHostMs: stats(perHost),
    };
  } finally {
    await Promise.all(fleet.map(stopAgent));
    gh.close();
  }
}
