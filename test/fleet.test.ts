import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeGitHub } from "./github-fake.js";
import { ConfigRepo, dotops, git, ROOT, sandbox, tempDir } from "./helpers.js";

const TOKEN = "ghp_fleetreadtoken";

/** Three hosts on one branch: a at the default interval, b polling hourly, c every minute. */
function fleetConfig(apiUrl: string): Record<string, string> {
  return {
    "dotops.yaml": [
      "version: 1",
      "imports: [home/*.yaml]",
      "hosts:",
      "  a: { platform: linux }",
      "  b: { platform: linux, agent: { interval: 1h } }",
      "  c: { platform: linux, agent: { interval: 1m } }",
      "agent:",
      `  github: { repo: alice/dotfiles, apiUrl: "${apiUrl}" }`,
      "",
    ].join("\n"),
    "home/files.yaml": "files:\n  - { target: ~/.zshrc, source: files/zshrc }\n",
    "files/zshrc": "export V=1\n",
  };
}

describe("dotops fleet", () => {
  let gh: FakeGitHub;
  afterEach(async () => gh?.stop());

  it("shows each host's last reported commit, generation, outcome, age and commits behind, and which are stale", async () => {
    gh = await new FakeGitHub().start();
    const work = await ConfigRepo.create(fleetConfig(gh.url));
    const remote = join(tempDir("dotops-remote-"), "dotfiles.git");
    await git(work.dir, "clone", "-q", "--bare", work.dir, remote);
    gh.repoDir = remote; // the fake serves the branch's history from it
    const push = () => git(work.dir, "push", "-q", remote, "main");
    const env = { DOTOPS_GITHUB_TOKEN: TOKEN };
    /** Host `name`'s agent applies the remote tip and reports it, its report stamped `minutesAgo`. */
    const deploy = async (name: string, minutesAgo: number) => {
      gh.clock = () => new Date(Date.now() - minutesAgo * 60_000);
      const r = await dotops(["--host", name, "agent", "--once", "--remote", remote], {
        home: sandbox().home,
        env,
      });
      expect(r.exitCode, r.stderr).toBe(0);
    };

    const c1 = await work.head();
    await deploy("c", 120); // c took commit 1 two hours ago, and has not reported since
    const c2 = await work.commit({ "files/zshrc": "export V=2\n" }, "two");
    await push();
    await deploy("b", 40);
    const c3 = await work.commit({ "files/zshrc": "export V=3\n" }, "three");
    await push();
    await deploy("a", 30);
    expect(gh.problems).toEqual([]);

    const json = await dotops(["--json", "fleet"], { home: sandbox().home, cwd: work.dir, env });
    expect(json.exitCode, json.stderr).toBe(0);
    const { hosts, rollout } = JSON.parse(json.stdout);
    // Without `rollout:` nothing changes: no agent read statuses, fleet shows no waves.
    expect(gh.calls.filter((c) => c.method === "GET")).toEqual([]);
    expect(rollout).toBeUndefined();
    expect(hosts.map((h: { host: string }) => h.host)).toEqual(["a", "b", "c"]);
    const common = { repo: "alice/dotfiles", branch: "main", tip: c3, outcome: "applied", generation: 1 };
    expect(hosts[0]).toMatchObject({
      ...common,
      host: "a",
      commit: c3,
      appliedCommit: c3,
      behind: 0,
      stale: false,
    });
    expect(hosts[1]).toMatchObject({
      ...common,
      host: "b",
      commit: c2,
      behind: 1,
      stale: false,
      intervalSeconds: 3600,
    });
    // c: commit 2 reached the fleet 40 minutes ago, more than 3 × its 1-minute interval.
    expect(hosts[2]).toMatchObject({
      ...common,
      host: "c",
      commit: c1,
      behind: 2,
      stale: true,
      intervalSeconds: 60,
    });
    expect(hosts[0].description).toMatch(/^generation 1: \+1 ~0 -0$/);
    expect(hosts[2].ageSeconds).toBeGreaterThanOrEqual(120 * 60);
    expect(Date.parse(hosts[1].reportedAt)).toBeLessThan(Date.parse(hosts[0].reportedAt));
    expect(Object.keys(hosts[0]).sort()).toEqual(
      [
        "ageSeconds",
        "appliedCommit",
        "behind",
        "branch",
        "commit",
        "description",
        "generation",
        "host",
        "intervalSeconds",
        "outcome",
        "repo",
        "reportedAt",
        "stale",
        "tip",
      ].sort(),
    );
    // One GraphQL query for the whole fleet, with the read token.
    const reads = gh.calls.filter((c) => c.path === "/graphql");
    expect(reads).toHaveLength(1);
    expect(reads[0]?.auth).toBe(`token ${TOKEN}`);

    const text = await dotops(["fleet", "--detailed-exitcode"], { home: sandbox().home, cwd: work.dir, env });
    expect(text.exitCode, text.stderr).toBe(3); // a stale host
    const lines = text.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`Branch alice/dotfiles main at ${c3.slice(0, 12)}`);
    expect(lines[1]).toMatch(/^HOST\s+COMMIT\s+GEN\s+OUTCOME\s+AGE\s+BEHIND$/);
    expect(lines[2]).toMatch(new RegExp(`^a\\s+${c3.slice(0, 12)}\\s+1\\s+applied\\s+30m\\s+0$`));
    expect(lines[3]).toMatch(new RegExp(`^b\\s+${c2.slice(0, 12)}\\s+1\\s+applied\\s+40m\\s+1$`));
    expect(lines[4]).toMatch(new RegExp(`^c\\s+${c1.slice(0, 12)}\\s+1\\s+applied\\s+2h\\s+2\\s+stale$`));
  });

  it("says what is missing: no agent.github (exit 2), no token (exit 1), a repository GitHub does not have (exit 1)", async () => {
    gh = await new FakeGitHub().start();
    const { home } = sandbox();
    const bare = await ConfigRepo.create({ "dotops.yaml": "version: 1\nhosts:\n  a: { platform: linux }\n" });
    const none = await dotops(["fleet"], { home, cwd: bare.dir, env: { DOTOPS_GITHUB_TOKEN: TOKEN } });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/no host has agent\.github/);

    const work = await ConfigRepo.create(fleetConfig(gh.url));
    const noToken = await dotops(["fleet"], { home, cwd: work.dir });
    expect(noToken.exitCode).toBe(1);
    expect(noToken.stderr).toMatch(/no token/);

    const missing = await dotops(["fleet"], { home, cwd: work.dir, env: { DOTOPS_GITHUB_TOKEN: TOKEN } });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/GitHub has no repository alice\/dotfiles/);
  });

  it("config-examples/fleet: three machines of two people on the pinned team base, each at its own commit", async () => {
    gh = await new FakeGitHub().start();
    const work = await ConfigRepo.fromExample("fleet");
    const yaml = work
      .read("dotops.yaml")
      .replace("    statuses: true\n", `    statuses: true\n    apiUrl: "${gh.url}"\n`);
    const c1 = await work.commit({ "dotops.yaml": yaml }, "report to the test's GitHub");
    // Beside the team base, as on a Git server: the agents' clones find `../fleet-base` from their origin.
    const remote = join(dirname(work.dir), "dotfiles.git");
    await git(work.dir, "clone", "-q", "--bare", work.dir, remote);
    gh.repoDir = remote;
    const push = () => git(work.dir, "push", "-q", remote, "main");
    // The Macs' Homebrew and defaults are the simulators (as in test/examples.test.ts).
    const env = {
      DOTOPS_GITHUB_TOKEN: TOKEN,
      PATH: `${join(ROOT, "test/simulators/bin")}:${process.env.PATH}`,
      SIM_STATE: tempDir("dotops-sim-"),
    };
    const deploy = async (host: string) => {
      const r = await dotops(["--host", host, "agent", "--once", "--remote", remote], {
        home: sandbox().home,
        env,
      });
      expect(r.exitCode, r.stderr).toBe(0);
    };
    await deploy("bob-mbp");
    const c2 = await work.commit(
      { "overlays/alice/git.yaml": `${work.read("overlays/alice/git.yaml")}\n` },
      "alice: tidy",
    );
    await push();
    await deploy("alice-devbox");
    const c3 = await work.commit(
      { "overlays/bob/git.yaml": `${work.read("overlays/bob/git.yaml")}\n` },
      "bob: tidy",
    );
    await push();
    await deploy("alice-mbp");
    expect(gh.problems).toEqual([]);

    const r = await dotops(["--json", "fleet"], { home: sandbox().home, cwd: work.dir, env });
    expect(r.exitCode, r.stderr).toBe(0);
    const hosts = JSON.parse(r.stdout).hosts as {
      host: string;
      commit: string;
      behind: number;
      outcome: string;
    }[];
    expect(hosts.map((h) => [h.host, h.commit, h.behind, h.outcome])).toEqual([
      ["alice-devbox", c2, 1, "applied"],
      ["alice-mbp", c3, 0, "applied"],
      ["bob-mbp", c1, 2, "applied"],
    ]);
    const text = await dotops(["fleet"], { home: sandbox().home, cwd: work.dir, env });
    expect(text.stdout).toMatch(new RegExp(`bob-mbp\\s+${c1.slice(0, 12)}\\s+1\\s+applied`));
  });
});
