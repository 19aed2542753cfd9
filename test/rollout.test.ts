import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { gate } from "../src/rollout/gate.js";
import type { Rollout } from "../src/rollout/waves.js";
import { withRemote } from "./agent-helpers.js";
import { FakeGitHub } from "./github-fake.js";
import { ConfigRepo, dotops, git, sandbox } from "./helpers.js";

/*
 * Staged rollout with no server: real agents (each `dotops agent --once` a
 * process of its own, each machine its own sandbox HOME and state dir) follow
 * one bare remote and report to the loopback GitHub, which keeps the
 * statuses; wave N's agents read wave N-1's from it.
 */

const TOKEN = "ghp_rollouttoken";

/** Four machines in three waves; a commit whose ~/.zshrc says BROKEN fails the health check. */
function rolloutConfig(apiUrl: string, rollout = "{ waves: [[canary], [laptop, devbox]] }") {
  return {
    "dotops.yaml": [
      "version: 1",
      "imports: [home/*.yaml]",
      "hosts:",
      "  canary: { platform: linux }",
      "  laptop: { platform: linux }",
      "  devbox: { platform: linux }",
      "  server: { platform: linux, wave: 3 }",
      `rollout: ${rollout}`,
      "agent:",
      `  github: { repo: alice/dotfiles, apiUrl: "${apiUrl}" }`,
      "  healthChecks:",
      '    - { name: zshrc is sound, run: [sh, -c, "! grep -q BROKEN $HOME/.zshrc"] }',
      "",
    ].join("\n"),
    "home/files.yaml": "files:\n  - { target: ~/.zshrc, source: files/zshrc }\n",
    "files/zshrc": "export V=1\n",
  };
}

describe("staged rollout (rollout:)", () => {
  let gh: FakeGitHub;
  afterEach(async () => gh?.stop());

  async function fleet(rollout?: string) {
    gh = await new FakeGitHub().start();
    const { work, remote, push } = await withRemote(rolloutConfig(gh.url, rollout));
    gh.repoDir = remote;
    const homes = Object.fromEntries(
      ["canary", "laptop", "devbox", "server"].map((h) => [h, sandbox().home]),
    ) as Record<string, string>;
    /** One pass of host `name`'s agent: its exit code and its log. */
    const pass = async (name: string, extra: string[] = [], env: Record<string, string> = {}) => {
      const r = await dotops(["--host", name, "agent", "--once", "--remote", remote, ...extra], {
        home: homes[name] as string,
        env: { DOTOPS_GITHUB_TOKEN: TOKEN, ...env },
      });
      return { code: r.exitCode, log: r.stderr };
    };
    const zshrc = (name: string) => readFileSync(join(homes[name] as string, ".zshrc"), "utf8");
    const status = (sha: string, name: string) => gh.statuses.get(sha)?.get(`dotops/${name}`);
    const posts = (name: string) =>
      gh.calls.filter((c) => c.method === "POST" && c.body.context === `dotops/${name}`).length;
    const reads = () => gh.calls.filter((c) => c.method === "GET" && c.path.endsWith("/status")).length;
    return { work, remote, push, pass, zshrc, status, posts, reads, homes };
  }

  it("moves a good commit wave by wave; a wave waits (said once) until the earlier waves report success", async () => {
    const f = await fleet();
    const c1 = await f.work.head();
    // A fresh machine in wave 2 waits for the canary too.
    expect((await f.pass("laptop")).code).toBe(0);
    expect(f.status(c1, "laptop")).toMatchObject({ state: "pending" });
    expect(f.status(c1, "laptop")?.description).toMatch(
      /^waiting for wave 1: 0 of 1 needed applied \(not yet: canary\)/,
    );
    for (const h of ["canary", "laptop", "devbox", "server"]) expect((await f.pass(h)).code).toBe(0);
    for (const h of ["canary", "laptop", "devbox", "server"]) expect(f.zshrc(h)).toBe("export V=1\n");

    const c2 = await f.work.commit({ "files/zshrc": "export V=2\n" }, "two");
    await f.push();
    const before = f.posts("laptop");
    const waiting = await f.pass("laptop");
    expect(waiting.code).toBe(0);
    expect(waiting.log).toMatch(
      /waiting for wave 1: 0 of 1 needed applied \(not yet: canary\); staying on generation 1/,
    );
    expect(f.zshrc("laptop")).toBe("export V=1\n");
    expect(f.status(c2, "laptop")).toMatchObject({ state: "pending" });
    const st = await dotops(["status"], { home: f.homes.laptop as string });
    expect(st.stdout).toContain(
      `The agent holds commit ${c2.slice(0, 12)} back (staged rollout): waiting for wave 1`,
    );
    await f.pass("laptop"); // another poll: asks GitHub again, says nothing new
    expect(f.posts("laptop")).toBe(before + 1);

    expect((await f.pass("canary")).code).toBe(0);
    expect(f.zshrc("canary")).toBe("export V=2\n");
    expect((await f.pass("laptop")).code).toBe(0);
    expect(f.zshrc("laptop")).toBe("export V=2\n");
    expect(f.status(c2, "laptop")).toMatchObject({ state: "success" });
    // Wave 3 needs all of wave 2: devbox has not applied it yet.
    const server = await f.pass("server");
    expect(server.log).toMatch(/waiting for wave 2: 1 of 2 needed applied \(not yet: devbox\)/);
    expect(f.zshrc("server")).toBe("export V=1\n");
    await f.pass("devbox");
    await f.pass("server");
    expect(f.zshrc("server")).toBe("export V=2\n");
    expect(gh.problems).toEqual([]);

    // dotops fleet shows the commit's waves.
    const r = await dotops(["--json", "fleet"], {
      home: sandbox().home,
      cwd: f.work.dir,
      env: { DOTOPS_GITHUB_TOKEN: TOKEN },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    const { rollout } = JSON.parse(r.stdout);
    expect(rollout[0]).toMatchObject({ commit: c2 });
    expect(rollout[0].waves.map((w: { wave: number; state: string }) => [w.wave, w.state])).toEqual([
      [1, "done"],
      [2, "done"],
      [3, "done"],
    ]);
  });

  it("halts a commit the canary's health check fails: later waves stay and say why; a newer commit starts a new rollout", async () => {
    const f = await fleet();
    for (const h of ["canary", "laptop", "devbox", "server"]) expect((await f.pass(h)).code).toBe(0);
    const bad = await f.work.commit({ "files/zshrc": "export V=BROKEN\n" }, "bad");
    await f.push();
    expect((await f.pass("canary")).code).toBe(5); // rolled back
    expect(f.zshrc("canary")).toBe("export V=1\n");

    const laptop = await f.pass("laptop");
    expect(laptop.code).toBe(4);
    expect(laptop.log).toMatch(
      /halted: wave 1 host canary rolled it back .*health check .*zshrc is sound.* failed/,
    );
    expect(f.status(bad, "laptop")).toMatchObject({ state: "error" });
    expect(f.status(bad, "laptop")?.description).toMatch(/^halted: wave 1 host canary rolled it back/);
    const server = await f.pass("server");
    expect(server.code).toBe(4);
    expect(server.log).toMatch(/halted: wave 1 host canary/);
    // Halted is final for that commit: no more calls for it.
    const reads = f.reads();
    expect((await f.pass("laptop")).code).toBe(4);
    expect(f.reads()).toBe(reads);
    for (const h of ["laptop", "devbox", "server"]) expect(f.zshrc(h)).toBe("export V=1\n");

    const text = await dotops(["fleet"], {
      home: sandbox().home,
      cwd: f.work.dir,
      env: { DOTOPS_GITHUB_TOKEN: TOKEN },
    });
    expect(text.stdout).toMatch(
      new RegExp(`${bad.slice(0, 12)}\\s+wave 1 halted \\(failed: canary\\), wave 2 halted, wave 3 halted`),
    );

    const fixed = await f.work.commit({ "files/zshrc": "export V=3\n" }, "fixed");
    await f.push();
    for (const h of ["canary", "laptop", "devbox", "server"]) expect((await f.pass(h)).code).toBe(0);
    for (const h of ["canary", "laptop", "devbox", "server"]) expect(f.zshrc(h)).toBe("export V=3\n");
    expect(f.status(fixed, "server")).toMatchObject({ state: "success" });
    expect(gh.problems).toEqual([]);
  });

  it("honours the bake time: wave 2 starts only after wave 1 has been green that long, and asks GitHub nothing meanwhile", async () => {
    const f = await fleet("{ waves: [[canary], [laptop, devbox]], bake: 3s }");
    await f.pass("canary");
    await f.pass("laptop", ["--ignore-rollout"]); // not waiting for the first commit to bake
    const c2 = await f.work.commit({ "files/zshrc": "export V=2\n" }, "two");
    await f.push();
    await f.pass("canary");
    const green = Date.now();
    const waiting = await f.pass("laptop");
    expect(waiting.log).toMatch(/waiting for wave 1 to bake: green \d+s of 3s, until /);
    expect(f.zshrc("laptop")).toBe("export V=1\n");
    const reads = f.reads();
    await f.pass("laptop");
    if (Date.now() - green < 3000) {
      expect(f.reads()).toBe(reads); // not before the bake's end
      expect(f.zshrc("laptop")).toBe("export V=1\n");
    }
    await new Promise((r) => setTimeout(r, Math.max(0, 3200 - (Date.now() - green))));
    expect((await f.pass("laptop")).code).toBe(0);
    expect(f.zshrc("laptop")).toBe("export V=2\n");
    expect(f.status(c2, "laptop")).toMatchObject({ state: "success" });
  });

  it("without GitHub a wave-2 host keeps its generation and warns; --ignore-rollout applies on that host only", async () => {
    const f = await fleet();
    for (const h of ["canary", "laptop", "devbox"]) await f.pass(h);
    await f.work.commit({ "files/zshrc": "export V=2\n" }, "two");
    await f.push();
    const noToken = await f.pass("laptop", [], { DOTOPS_GITHUB_TOKEN: "" });
    expect(noToken.code).toBe(0);
    expect(noToken.log).toMatch(/cannot tell whether wave 1 applied [0-9a-f]{12}: no GitHub token/);
    expect(noToken.log).toMatch(/"level":40,.*cannot tell whether wave 1 applied/); // a warning
    expect(f.zshrc("laptop")).toBe("export V=1\n");
    gh.failNext(...Array.from({ length: 6 }, () => ({ status: 502, body: { message: "Bad Gateway" } })));
    const down = await f.pass("laptop", [], { DOTOPS_GITHUB_RETRY_MS: "1" });
    expect(down.log).toMatch(/GitHub did not answer/);
    expect(f.zshrc("laptop")).toBe("export V=1\n");

    const forced = await f.pass("laptop", ["--ignore-rollout"]);
    expect(forced.code).toBe(0);
    expect(forced.log).toMatch(/--ignore-rollout: applying [0-9a-f]{12} without waiting for wave 1/);
    expect(f.zshrc("laptop")).toBe("export V=2\n");
    expect(f.zshrc("devbox")).toBe("export V=1\n");
    const usage = await dotops(["agent", "--ignore-rollout"], { home: f.homes.laptop as string });
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr).toMatch(/--ignore-rollout is for one pass/);
  });

  it("dotops apply by hand on a wave-2 host holds a pushed commit too, unless --ignore-rollout; a local commit is nobody's rollout", async () => {
    const f = await fleet();
    for (const h of ["canary", "laptop"]) await f.pass(h);
    const clone = join(sandbox().root, "dotfiles");
    await git(f.homes.laptop as string, "clone", "-q", f.remote, clone);
    const apply = (...args: string[]) =>
      dotops(["--host", "laptop", "apply", ...args], {
        home: f.homes.laptop as string,
        cwd: clone,
        env: { DOTOPS_GITHUB_TOKEN: TOKEN },
      });
    expect((await apply()).exitCode).toBe(0); // what the agent applied: nothing to hold

    await f.work.commit({ "files/zshrc": "export V=2\n" }, "two");
    await f.push();
    await git(clone, "pull", "-q");
    const held = await apply();
    expect(held.exitCode).toBe(4);
    expect(held.stderr).toMatch(
      /[0-9a-f]{12} is in a staged rollout and laptop is in wave 2: waiting for wave 1: 0 of 1 needed applied \(not yet: canary\)/,
    );
    expect(held.stderr).toMatch(/dotops apply --ignore-rollout/);
    expect(f.zshrc("laptop")).toBe("export V=1\n");
    const forced = await apply("--ignore-rollout");
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(f.zshrc("laptop")).toBe("export V=2\n");

    writeFileSync(join(clone, "files/zshrc"), "export V=local\n");
    await git(clone, "commit", "-qam", "local");
    const local = await apply();
    expect(local.exitCode, local.stderr).toBe(0);
    expect(f.zshrc("laptop")).toBe("export V=local\n");
  });

  it("check refuses a rollout it cannot run, naming the place", async () => {
    const { home } = sandbox();
    const check = async (yaml: string) => {
      const repo = await ConfigRepo.create({ "dotops.yaml": yaml });
      return dotops(["check"], { home, cwd: repo.dir });
    };
    const hosts = "hosts:\n  a: { platform: linux }\n  b: { platform: linux }\n";
    const github = "agent:\n  github: { repo: o/r }\n";
    let r = await check(`version: 1\n${hosts}rollout:\n  waves: [[a], [c]]\n${github}`);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/dotops\.yaml:6:\d+: .*no host named c in hosts/);
    r = await check(`version: 1\n${hosts}rollout:\n  waves: [[a], [a, b]]\n${github}`);
    expect(r.stderr).toMatch(/host a is in wave 1 and wave 2/);
    r = await check("version: 1\nhosts:\n  a: { platform: linux, wave: 2 }\n");
    expect(r.stderr).toMatch(/dotops\.yaml:3:\d+: .*a wave needs `rollout:`/);
    r = await check(`version: 1\n${hosts}rollout:\n  waves: [[a]]\n`);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/host b is in wave 2 but has no agent\.github/);
    expect(r.stderr).toMatch(/host a is in wave 1 but has no agent\.github: the later waves learn from its/);
    r = await check(
      `version: 1\nhosts:\n  a: { platform: linux, agent: { github: { repo: o/r, statuses: false } } }\n  b: { platform: linux }\nrollout:\n  waves: [[a], [b]]\n${github}`,
    );
    expect(r.stderr).toMatch(
      /host a is in wave 1, which a later wave waits on, but its agent\.github\.statuses is false/,
    );
    r = await check(`version: 1\n${hosts}rollout: { waves: [[a], [b]], minSuccess: "150%" }\n${github}`);
    expect(r.stderr).toMatch(/minSuccess/);
    r = await check(
      `version: 1\n${hosts}rollout: { waves: [[a], [b]], minSuccess: 1, bake: 30m }\n${github}`,
    );
    expect(r.exitCode, r.stderr).toBe(0);
  });
});

describe("the rollout gate (rollout/gate.ts), from statuses alone", () => {
  const r = (o: Partial<Rollout> = {}): Rollout => ({
    waves: [["a", "b", "c", "d"], ["e"]],
    wave: 2,
    minSuccess: "all",
    bakeMs: 0,
    onFailure: "halt",
    ...o,
  });
  const ok = (at = 0) => ({ state: "success", description: "generation 3: +0 ~1 -0", at });
  const reports = (entries: [string, { state: string; description: string | null; at: number }][]) =>
    new Map(entries);

  it("counts minSuccess as all, a number or a percentage rounded up", () => {
    const two = reports([
      ["a", ok()],
      ["b", ok()],
    ]);
    expect(gate(r(), two, 1000)).toMatchObject({ go: false, kind: "waiting", wave: 1 });
    expect(gate(r({ minSuccess: 2 }), two, 1000)).toEqual({ go: true });
    expect(gate(r({ minSuccess: "50%" }), two, 1000)).toEqual({ go: true });
    expect(gate(r({ minSuccess: "51%" }), two, 1000)).toMatchObject({ go: false, kind: "waiting" });
    expect(gate(r({ minSuccess: 9 }), two, 1000)).toMatchObject({ go: false }); // at most the wave's size: all 4
  });

  it("halts on a failure, or with onFailure: continue lets minSuccess decide", () => {
    const mixed = reports([
      ["a", ok()],
      ["b", ok()],
      ["c", { state: "failure", description: "generation 4: health check x failed", at: 0 }],
    ]);
    expect(gate(r({ minSuccess: 2 }), mixed, 1000)).toMatchObject({ kind: "halted", wave: 1 });
    expect(gate(r({ minSuccess: 2, onFailure: "continue" }), mixed, 1000)).toEqual({ go: true });
  });

  it("bakes from the moment minSuccess was reached, and ignores the Action's plan statuses", () => {
    const two = reports([
      ["a", ok(1000)],
      ["b", ok(5000)],
      ["c", ok(9000)],
    ]);
    const g = gate(r({ minSuccess: 2, bakeMs: 10_000 }), two, 12_000);
    expect(g).toMatchObject({ go: false, kind: "waiting", notBefore: 15_000 });
    expect(gate(r({ minSuccess: 2, bakeMs: 10_000 }), two, 15_000)).toEqual({ go: true });
    // "0 to create, 1 to update" is a pull request's plan on that commit, not an apply.
    const planned = reports([
      ["a", { state: "success", description: "0 to create, 1 to update, 0 to delete", at: 0 }],
    ]);
    expect(gate(r({ minSuccess: 1 }), planned, 1000)).toMatchObject({ go: false, kind: "waiting" });
  });
});
