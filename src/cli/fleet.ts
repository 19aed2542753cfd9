import type { Command } from "commander";
import { parseDuration } from "../config/duration.js";
import { ExitCode, UsageError } from "../errors.js";
import { RealHost } from "../host/real-host.js";
import type { FleetHost, FleetRow } from "../report/fleet.js";
import type { WaveState } from "../rollout/gate.js";
import type { Rollout } from "../rollout/waves.js";
import type { Cli } from "./context.js";
import type { CliFactory } from "./program.js";

/** agent.interval when the config sets none (as the agent polls). */
const DEFAULT_INTERVAL_MS = 60_000;

export function registerFleet(program: Command, cli: CliFactory) {
  program
    .command("fleet")
    .description(
      "every host's last deploy as its agent reported it to GitHub: commit, generation, outcome, age, commits behind, stale",
    )
    .option("--commit <rev>", "read the hosts and their agent settings from this commit (default HEAD)")
    .option("--depth <n>", "most commits to read back per branch (default 300)")
    .option("--detailed-exitcode", "exit 3 when a host is stale or its last deploy failed")
    .action(async (o: { commit?: string; depth?: string; detailedExitcode?: boolean }) => {
      const c = cli();
      const depth = o.depth === undefined ? undefined : Number(o.depth);
      if (depth !== undefined && !(Number.isInteger(depth) && depth > 0))
        throw new UsageError(`--depth wants a positive whole number, not "${o.depth}"`);
      const repo = c.repoDir();
      const { hosts, rollout } = await fleetHosts(c, repo, o.commit);
      const gh = hosts[0]?.github;
      if (!gh)
        throw new UsageError(
          "no host has agent.github: `dotops fleet` reads the commit statuses agents post there",
          "set agent.github.repo in dotops.yaml (and a token: DOTOPS_GITHUB_TOKEN)",
        );
      // Loaded here, not with every command: the GitHub client and the key handling.
      const [{ readFleet }, { githubCredentials }, { countBetween }, { waveStates }] = await Promise.all([
        import("../report/fleet.js"),
        import("./github-credentials.js"),
        import("../git/history.js"),
        import("../rollout/gate.js"),
      ]);
      const timeoutMs = gh.timeout ? parseDuration(gh.timeout) : undefined;
      const token = await githubCredentials(new RealHost({ home: c.home }), c.env, gh, c.stateDir, c.log, {
        strict: true,
        timeoutMs,
      });
      const { rows, commits } = await readFleet(
        hosts.map((h) => h.fleet),
        {
          token: token as NonNullable<typeof token>,
          timeoutMs,
          depth,
          behind: (from, to) => countBetween(repo, from, to),
        },
      );
      // A staged rollout: each wave's state for the newest commits any host reported on.
      const now = Date.now();
      const waves = rollout
        ? commits
            .filter((k) => k.reports.size)
            .slice(0, ROLLOUT_COMMITS)
            .map((k) => ({ commit: k.oid, waves: waveStates(rollout, k.reports, now) }))
        : undefined;
      if (c.opts.json) c.printJson({ hosts: rows, ...(waves ? { rollout: waves } : {}) });
      else c.print(renderFleet(rows, c) + (rollout && waves ? `\n\n${renderRollout(rollout, waves)}` : ""));
      const troubled = rows.some(
        (r) => r.stale || (r.outcome !== null && !["applied", "applying"].includes(r.outcome)),
      );
      if (o.detailedExitcode && troubled) process.exitCode = ExitCode.changes;
    });
}

/** Every host of the config at `commit` with agent.github, its merged agent settings, and the rollout's waves. */
async function fleetHosts(c: Cli, repo: string, commit: string | undefined) {
  const source = await c.sourceLoader({ commit }, repo, { fromStore: false })();
  const [{ listHosts, loadConfig, loadPolicy }, { withContent }] = await Promise.all([
    import("../config/load.js"),
    import("../config/source.js"),
  ]);
  const out: { fleet: FleetHost; github: NonNullable<ReturnType<typeof loadConfig>["agent"]["github"]> }[] =
    [];
  for (const name of Object.keys(listHosts(source)).sort()) {
    const agent = (await withContent(source, () => loadConfig(source, { host: name }))).agent;
    if (!agent.github) {
      c.log.warn(`host ${name} has no agent.github: its agent reports nowhere, so fleet cannot show it`);
      continue;
    }
    out.push({
      github: agent.github,
      fleet: {
        name,
        repo: agent.github.repo,
        apiUrl: agent.github.apiUrl,
        branch: agent.branch,
        intervalMs: agent.interval ? parseDuration(agent.interval) : DEFAULT_INTERVAL_MS,
      },
    });
  }
  const first = Object.keys(listHosts(source))[0];
  const rollout =
    first === undefined
      ? undefined
      : (await withContent(source, () => loadPolicy(source, { host: first }))).rollout;
  return { hosts: out, rollout };
}

/** Commits of a staged rollout shown, newest first. */
const ROLLOUT_COMMITS = 5;

function renderRollout(r: Omit<Rollout, "wave">, commits: { commit: string; waves: WaveState[] }[]): string {
  const placed = r.waves
    .map((hosts, i) => (hosts.length ? `${i + 1} ${hosts.join(", ")}` : ""))
    .filter(Boolean)
    .join(" · ");
  const lines = commits.map(
    ({ commit, waves }) =>
      `${commit.slice(0, 12)}  ${waves
        .map((w) => {
          const detail =
            w.state === "halted" && w.failed.length
              ? ` (failed: ${w.failed.join(", ")})`
              : w.state === "applying"
                ? ` (${w.succeeded.length} of ${w.needed})`
                : "";
          return `wave ${w.wave} ${w.state}${detail}`;
        })
        .join(", ")}`,
  );
  return [`Rollout (waves: ${placed})`, ...lines].join("\n");
}

function renderFleet(rows: FleetRow[], c: Cli): string {
  const head = ["HOST", "COMMIT", "GEN", "OUTCOME", "AGE", "BEHIND", ""];
  const cells = rows.map((r) => [
    r.host,
    r.commit ? r.commit.slice(0, 12) : "-",
    r.generation === null ? "-" : String(r.generation),
    r.outcome ?? "never reported",
    r.ageSeconds === null ? "-" : age(r.ageSeconds),
    r.behind === null ? "-" : String(r.behind),
    r.stale ? "stale" : "",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] as string).length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) =>
        i === 2 || i === 5 ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number),
      )
      .join("  ")
      .trimEnd();
  const tips = [
    ...new Set(rows.map((r) => `${r.repo} ${r.branch ?? "?"} at ${r.tip ? r.tip.slice(0, 12) : "?"}`)),
  ];
  const body = cells.map((row, i) => {
    const text = line(row);
    const r = rows[i] as FleetRow;
    if (r.stale) return c.palette.yellow(text);
    if (r.outcome && !["applied", "applying"].includes(r.outcome)) return c.palette.red(text);
    return text;
  });
  return [...tips.map((t) => `Branch ${t}`), line(head), ...body].join("\n");
}

/** 42s, 5m, 3h, 2d: how long ago, roughly. */
function age(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}
