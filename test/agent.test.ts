import { existsSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { gens, startAgent, waitFor, withRemote } from "./agent-helpers.js";
import { CLI, ConfigRepo, dotops, git, minimalConfig, moduleTrace, sandbox, sshSigner } from "./helpers.js";

const storeCount = (home: string) => readdirSync(join(home, ".local/state/dotops/store")).length;

describe("agent: every commit a generation, git revert a rollback", () => {
  it("applies pushes as they arrive and recognises a revert as generation 1's content, reusing the store", async () => {
    const { work, remote, push } = await withRemote(minimalConfig());
    const { home } = sandbox();
    const agent = startAgent(home, ["--remote", remote, "--interval", "300ms"]);
    try {
      const a = await work.head();
      const g1 = await waitFor("generation 1", async () =>
        // Once recorded, as for generation 3 below: a pending record comes before the switch.
        (await gens(home)).find(
          (g: { commit: string; outcome: string }) => g.commit === a && g.outcome !== "pending",
        ),
      );
      expect(g1.number).toBe(1);
      expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");

      const b = await work.commit({ "files/zshrc": "export EDITOR=vim\n" }, "B");
      await push();
      await waitFor("generation 2", async () =>
        (await gens(home)).find(
          (g: { commit: string; outcome: string }) => g.commit === b && g.outcome !== "pending",
        ),
      );
      expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=vim\n");

      const objectsBefore = storeCount(home);
      const r = await work.revert();
      await push();
      const g3 = await waitFor("generation 3", async () =>
        // Once recorded: `current` switches before the record says "applied".
        (await gens(home)).find(
          (g: { commit: string; outcome: string }) => g.commit === r && g.outcome !== "pending",
        ),
      );
      expect(g3).toMatchObject({ number: 3, sameContentAs: 1, current: true, outcome: "applied" });
      expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
      expect(storeCount(home)).toBe(objectsBefore); // nothing rebuilt
      const meta = JSON.parse(
        readFileSync(join(home, ".local/state/dotops/generations/3/meta.json"), "utf8"),
      );
      expect(meta.sameContentAs).toBe(1);
    } finally {
      agent.kill("SIGTERM");
    }
    const done = await agent;
    expect(done.exitCode).toBe(0); // SIGTERM: clean stop
    expect(done.stderr).toMatch(/agent stopped/);
    expect(existsSync(join(home, ".local/state/dotops/agent.lock"))).toBe(false);
    const log = readFileSync(join(home, ".local/state/dotops/agent.log"), "utf8");
    expect(log).toMatch(/content of generation 1 \(revert\)/);
  });

  it("applies only the newest of a burst of commits and records the others as superseded", async () => {
    const { work, remote, push } = await withRemote(minimalConfig());
    const { home } = sandbox();
    expect((await dotops(["agent", "--once", "--remote", remote], { home })).exitCode).toBe(0);
    const burst: string[] = [];
    for (let i = 1; i <= 5; i++)
      burst.push(await work.commit({ "files/zshrc": `export N=${i}\n` }, `burst ${i}`));
    await push();
    const r = await dotops(["--json", "agent", "--once"], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    const list = await gens(home);
    expect(list).toHaveLength(2);
    expect(list[1].commit).toBe(burst[4]);
    expect([...list[1].superseded].sort()).toEqual(burst.slice(0, 4).sort());
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export N=5\n");
  });

  it("applies a local commit in a work-tree clone within seconds (ref watcher, no poll)", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const { home } = sandbox();
    const live = execa(
      process.execPath,
      [CLI, "--repo", repo.dir, "agent", "--interval", "1h", "--log-format", "json"],
      {
        env: { PATH: process.env.PATH ?? "", HOME: home },
        extendEnv: false,
        reject: false,
      },
    );
    try {
      await waitFor("generation 1", async () => ((await gens(home)).length === 1 ? true : undefined));
      const c = await repo.commit({ "files/zshrc": "export LOCAL=1\n" }, "local");
      const t0 = Date.now();
      await waitFor(
        "generation 2",
        async () => (await gens(home)).find((g: { commit: string }) => g.commit === c),
        10_000,
      );
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export LOCAL=1\n");
    } finally {
      live.kill("SIGTERM");
      await live;
    }
  });
});

describe("agent policy", () => {
  it("refuses a force-pushed history unless allowForcePush, and applies nothing", async () => {
    const { work, remote, push } = await withRemote(minimalConfig());
    const { home } = sandbox();
    await work.commit({ "files/zshrc": "export V=2\n" }, "B");
    await push();
    expect((await dotops(["agent", "--once", "--remote", remote], { home })).exitCode).toBe(0);
    // Rewrite: drop B, commit C on top of A, force-push.
    await git(work.dir, "reset", "-q", "--hard", "HEAD~1");
    await work.commit({ "files/zshrc": "export V=3\n" }, "C (rewritten)");
    await push("--force");
    const r = await dotops(["agent", "--once"], { home });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/history rewritten/);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export V=2\n");
    expect(await gens(home)).toHaveLength(1);

    // The policy of the applied config decides: allow it there, then the rewrite goes through.
    await work.commit(
      {
        "dotops.yaml": `${minimalConfig()["dotops.yaml"]}agent:\n  allowForcePush: true\n`,
        "files/zshrc": "export V=4\n",
      },
      "allow force push",
    );
    await push("--force");
    expect((await dotops(["agent", "--once"], { home })).exitCode).toBe(4); // still refused: the applied config says no
    expect(
      (await dotops(["--repo", join(home, ".local/state/dotops/repo"), "apply"], { home })).exitCode,
    ).toBe(0);
    await work.commit({ "files/zshrc": "export V=5\n" }, "after");
    await push();
    expect((await dotops(["agent", "--once"], { home })).exitCode).toBe(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export V=5\n");
  });

  it("carries out a destructive step only when the applied config's agent.allowDestructive says so", async () => {
    const config = (policy: string, notes: boolean) => ({
      "dotops.yaml": `version: 1\nhosts:\n  box: { platform: linux }\n${policy}files:\n${notes ? "  - { target: ~/.notes, source: notes, mode: copy }\n" : ""}  - { target: ~/.zshrc, text: "# zsh\\n" }\n`,
      notes: "todo\n",
    });
    for (const [policy, code] of [
      ["", 4],
      ["agent: { allowDestructive: true }\n", 0],
    ] as const) {
      const { work, remote, push } = await withRemote(config(policy, true));
      const { home } = sandbox();
      expect((await dotops(["agent", "--once", "--remote", remote], { home })).exitCode).toBe(0);
      writeFileSync(join(home, ".notes"), "todo\nmy own edit\n"); // a copy edited by hand
      await work.commit(config(policy, false), "drop the notes"); // removing it loses the edit
      await push();
      const r = await dotops(["agent", "--once"], { home });
      expect(r.exitCode, r.stderr).toBe(code);
      if (code === 4) {
        expect(r.stderr).toMatch(/refusing 1 destructive step/);
        expect(readFileSync(join(home, ".notes"), "utf8")).toBe("todo\nmy own edit\n");
      } else {
        expect(existsSync(join(home, ".notes"))).toBe(false);
        const trash = readdirSync(join(home, ".local/state/dotops"), { recursive: true }).map(String);
        expect(trash.some((p) => p.includes("trash") && p.endsWith(".notes"))).toBe(true);
      }
    }
  });

  it("requires commits signed by a trusted SSH key when requireSignedCommits", async () => {
    const [trusted, other] = [await sshSigner("trusted"), await sshSigner("other")];
    const config = minimalConfig({
      "dotops.yaml": `${minimalConfig()["dotops.yaml"]}agent:\n  requireSignedCommits: true\n  trustedSigners: ["${trusted.allowed}"]\n`,
    });
    const { work, remote, push } = await withRemote(config);
    const { home } = sandbox();
    // First commit is unsigned: refused on first use too.
    const unsigned = await dotops(["agent", "--once", "--remote", remote], { home });
    expect(unsigned.exitCode).toBe(4);
    expect(unsigned.stderr).toMatch(/is not signed/);
    expect(existsSync(join(home, ".zshrc"))).toBe(false);

    await trusted.commit(work, "signed", { "files/zshrc": "export SIGNED=1\n" });
    await push();
    expect((await dotops(["agent", "--once"], { home })).exitCode).toBe(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export SIGNED=1\n");

    await other.commit(work, "signed by a stranger", { "files/zshrc": "export EVIL=1\n" });
    await push();
    const stranger = await dotops(["agent", "--once"], { home });
    expect(stranger.exitCode).toBe(4);
    expect(stranger.stderr).toMatch(/not in agent.trustedSigners/);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export SIGNED=1\n");
  });

  it("rolls back automatically when a health check fails, and exits 5", async () => {
    const { work, remote, push } = await withRemote(minimalConfig());
    const { home } = sandbox();
    expect((await dotops(["agent", "--once", "--remote", remote], { home })).exitCode).toBe(0);
    await work.commit(
      {
        "dotops.yaml": `${minimalConfig()["dotops.yaml"]}agent:\n  healthChecks:\n    - { name: git works, run: [git, --version] }\n    - { name: zshrc has no typo, run: [grep, -q, EDITOR, .zshrc] }\n`,
        "files/zshrc": "export EDITRO=nvim\n",
      },
      "typo",
    );
    await push();
    const r = await dotops(["--json", "agent", "--once"], { home });
    expect(r.exitCode).toBe(5);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: "rolled-back", generation: 2, to: 1 });
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
    const list = await gens(home);
    expect(list.map((g: { outcome: string; current: boolean }) => [g.outcome, g.current])).toEqual([
      ["applied", true],
      ["rolled-back", false],
    ]);
    // The bad commit is not retried on the next poll.
    expect((await dotops(["agent", "--once"], { home })).exitCode).toBe(0);
    expect(await gens(home)).toHaveLength(2);
  });

  it("a commit with invalid config applies nothing and is not retried; the next good commit applies", async () => {
    const { work, remote, push } = await withRemote(minimalConfig());
    const { home } = sandbox();
    expect((await dotops(["agent", "--once", "--remote", remote], { home })).exitCode).toBe(0);
    await work.commit(
      { "home/files.yaml": "files:\n  - { target: ~/.zshrc, sorce: files/zshrc }\n" },
      "typo",
    );
    await push();
    const bad = await dotops(["agent", "--once"], { home });
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/home\/files.yaml:2:\d+: unknown key \\"sorce\\"/);
    const state = JSON.parse(readFileSync(join(home, ".local/state/dotops/agent.json"), "utf8"));
    expect(state.lastAttempted).toMatchObject({ outcome: "failed", commit: await work.head() });
    expect((await dotops(["agent", "--once"], { home })).exitCode).toBe(0); // stalled, not retried
    await work.commit(
      { "home/files.yaml": "files:\n  - { target: ~/.zshrc, source: files/zshrc }\n" },
      "fix",
    );
    await push();
    expect((await dotops(["agent", "--once"], { home })).exitCode).toBe(0);
    expect(await gens(home)).toHaveLength(2);
  });

  it("keeps the last generation when the remote is unreachable or the branch is gone", async () => {
    const { remote } = await withRemote(minimalConfig());
    const { home } = sandbox();
    expect((await dotops(["agent", "--once", "--remote", remote], { home })).exitCode).toBe(0);
    await git(remote, "branch", "-m", "main", "renamed");
    const gone = await dotops(["agent", "--once"], { home });
    expect(gone.exitCode).toBe(1);
    expect(gone.stderr).toMatch(/branch main does not exist/);
    rmSync(remote, { recursive: true, force: true });
    const offline = await dotops(["agent", "--once"], { home });
    expect(offline.exitCode).toBe(1);
    expect(offline.stderr).toMatch(/cannot fetch main/);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
    expect(await gens(home)).toHaveLength(1);
  });

  it("an idle poll asks the remote with ls-remote and fetches nothing; a new tip is fetched", async () => {
    const { work, push, remote } = await withRemote(minimalConfig());
    const { home } = sandbox();
    expect((await dotops(["agent", "--once", "--remote", remote], { home })).exitCode).toBe(0);
    // Every `git fetch` (re)writes FETCH_HEAD; ls-remote writes nothing.
    const fetchHead = join(home, ".local/state/dotops/repo/FETCH_HEAD");
    rmSync(fetchHead, { force: true });
    const idle = await dotops(["agent", "--once"], { home });
    expect(idle.exitCode, idle.stderr).toBe(0);
    expect(existsSync(fetchHead)).toBe(false);
    await work.commit({ "files/zshrc": "export NEW=1\n" }, "new tip");
    await push();
    const next = await dotops(["agent", "--once"], { home });
    expect(next.exitCode, next.stderr).toBe(0);
    expect(existsSync(fetchHead)).toBe(true);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export NEW=1\n");
  });

  it("heals drift when onDrift is heal, and only reports it otherwise", async () => {
    const files = minimalConfig();
    const { remote } = await withRemote({
      ...files,
      "dotops.yaml": `${files["dotops.yaml"]}agent:\n  onDrift: heal\n`,
    });
    const { home } = sandbox();
    expect((await dotops(["agent", "--once", "--remote", remote], { home })).exitCode).toBe(0);
    unlinkSync(join(home, ".zshrc"));
    expect((await dotops(["agent", "--once"], { home })).exitCode).toBe(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
    expect(await gens(home)).toHaveLength(1); // healed in place, no new generation

    const other = await withRemote(minimalConfig());
    const h2 = sandbox().home;
    expect((await dotops(["agent", "--once", "--remote", other.remote], { home: h2 })).exitCode).toBe(0);
    unlinkSync(join(h2, ".zshrc"));
    const r = await dotops(["agent", "--once"], { home: h2 });
    expect(r.stderr).toMatch(/drift from generation 1: 1 resource/);
    expect(existsSync(join(h2, ".zshrc"))).toBe(false);
  });

  it("suspend pauses the agent, rollback suspends it, resume re-applies the tip", async () => {
    const { work, remote, push } = await withRemote(minimalConfig());
    const { home } = sandbox();
    expect((await dotops(["agent", "--once", "--remote", remote], { home })).exitCode).toBe(0);
    await work.commit({ "files/zshrc": "export V=2\n" }, "B");
    await push();
    expect((await dotops(["agent", "--once"], { home })).exitCode).toBe(0);
    const rb = await dotops(["rollback"], { home });
    expect(rb.exitCode, rb.stderr).toBe(0);
    expect(rb.stdout).toMatch(/suspended/);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
    const paused = await dotops(["--json", "agent", "--once"], { home });
    expect(JSON.parse(paused.stdout).kind).toBe("suspended");
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
    const st = await dotops(["status"], { home });
    expect(st.stdout).toMatch(
      /The agent is suspended since .* \(rolled back to generation 1 by hand\): `dotops resume` to continue/,
    );
    expect(JSON.parse((await dotops(["--json", "status"], { home })).stdout).agent.suspended.reason).toMatch(
      /rolled back/,
    );
    expect((await dotops(["resume"], { home })).exitCode).toBe(0);
    expect((await dotops(["status"], { home })).stdout).not.toMatch(/suspended/);
    expect((await dotops(["agent", "--once"], { home })).exitCode).toBe(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export V=2\n");
  });

  it("refuses a second agent on the same state dir", async () => {
    const { remote } = await withRemote(minimalConfig());
    const { home } = sandbox();
    const first = startAgent(home, ["--remote", remote, "--interval", "1h"]);
    try {
      await waitFor("generation 1", async () => ((await gens(home)).length === 1 ? true : undefined));
      const second = await dotops(["agent", "--once"], { home });
      expect(second.exitCode).toBe(1);
      expect(second.stderr).toMatch(/locked by dotops agent \(pid \d+/);
    } finally {
      first.kill("SIGTERM");
      await first;
    }
  });

  it("a commit that fails mid-apply is rolled back and recorded as failed; the agent goes on", async () => {
    const { work, remote, push } = await withRemote(minimalConfig());
    const { home } = sandbox();
    expect((await dotops(["agent", "--once", "--remote", remote], { home })).exitCode).toBe(0);
    await work.commit(
      {
        "files/zshrc": "export V=2\n",
        "files/new": "new\n",
        "home/files.yaml": `${minimalConfig()["home/files.yaml"]}  - { target: ~/.new/file, source: files/new }\n`,
      },
      "B",
    );
    await push();
    const r = await dotops(["agent", "--once"], { home, env: { DOTOPS_FAILPOINT: "step:1=throw" } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/apply failed and was undone/);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
    expect(existsSync(join(home, ".new"))).toBe(false);
    const list = await gens(home);
    expect(list.map((g: { outcome: string; current: boolean }) => [g.outcome, g.current])).toEqual([
      ["applied", true],
      ["failed", false],
    ]);
  });

  it("a host on a testing branch refuses commits that are not on top of main", async () => {
    const files = minimalConfig();
    const { work, remote, push } = await withRemote({
      ...files,
      "dotops.yaml": (files["dotops.yaml"] ?? "").replace(
        "platform: linux",
        "platform: linux\n    agent: { branch: testing-box }",
      ),
    });
    const { home } = sandbox();
    await git(work.dir, "checkout", "-q", "-b", "testing-box");
    await work.commit({ "files/zshrc": "export T=1\n" }, "on top of main");
    await git(work.dir, "push", "-q", "origin", "testing-box");
    const first = await dotops(["agent", "--once", "--remote", remote, "--branch", "testing-box"], { home });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export T=1\n");
    // main moves on; a testing commit that is not based on it is refused.
    await git(work.dir, "checkout", "-q", "main");
    await work.commit({ "files/app.conf": "color = false\n" }, "main moves");
    await push();
    await git(work.dir, "checkout", "-q", "testing-box");
    await work.commit({ "files/zshrc": "export T=2\n" }, "stale testing commit");
    await git(work.dir, "push", "-q", "origin", "testing-box");
    const stale = await dotops(["agent", "--once"], { home });
    expect(stale.exitCode).toBe(4);
    expect(stale.stderr).toMatch(/testing branch testing-box is not on top of main/);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export T=1\n");
  });
});

describe("the long-running agent runs each reconcile in a process of its own", () => {
  const lockOf = (home: string) => join(home, ".local/state/dotops/agent.lock");

  it("keeps only the lock, the ref watcher and the timers: no engine, config loader, git or GitHub client", async () => {
    const { remote } = await withRemote(minimalConfig());
    const { home } = sandbox();
    // Records every module the agent's own process resolves (its passes run without the hook).
    const trace = moduleTrace();
    const agent = execa(
      process.execPath,
      [...trace.args, CLI, "-v", "--log-format", "json", "agent", "--remote", remote, "--interval", "200ms"],
      { env: { PATH: process.env.PATH ?? "", HOME: home, NO_COLOR: "1" }, extendEnv: false, reject: false },
    );
    try {
      await waitFor("generation 1", async () => ((await gens(home)).length === 1 ? true : undefined));
      const log = join(home, ".local/state/dotops/agent.log");
      await waitFor("two idle polls", async () =>
        (readFileSync(log, "utf8").match(/"up to date"/g)?.length ?? 0) >= 2 ? true : undefined,
      );
    } finally {
      agent.kill("SIGTERM");
    }
    expect((await agent).exitCode).toBe(0);
    // The CLI is a bundle: the trace maps each file loaded back to the source modules it holds.
    const loaded = trace.sources(agent.pid);
    expect(loaded).toContain("src/agent/loop.ts");
    const heavy = loaded.filter((m) =>
      /^node_modules\/(zod|yaml|simple-git|@octokit|pino|diff|execa)\/|^src\/(engine\/(?!lock\.ts)|config\/(?!duration\.ts)|agent\/(reconcile|deploy|once)\.ts|cli\/(program|context|agent-pass)\.ts)/.test(
        m,
      ),
    );
    expect(heavy).toEqual([]);
  });

  it("SIGTERM to its whole process group (systemd stopping the unit) lets the apply in flight finish, then stops", async () => {
    const files = minimalConfig();
    const { remote } = await withRemote({
      ...files,
      // The check ignores SIGTERM like a program that takes its time; it marks when the apply got there.
      "dotops.yaml": `${files["dotops.yaml"]}agent:\n  healthChecks:\n    - { name: slow, run: [sh, -c, "trap '' TERM INT; touch health-started; sleep 1"] }\n`,
    });
    const { home } = sandbox();
    const agent = execa(
      process.execPath,
      [CLI, "--log-format", "json", "agent", "--remote", remote, "--interval", "1h"],
      {
        env: { PATH: process.env.PATH ?? "", HOME: home, NO_COLOR: "1" },
        extendEnv: false,
        reject: false,
        detached: true, // its own process group, as under a service manager
      },
    );
    try {
      await waitFor("the health check", async () =>
        existsSync(join(home, "health-started")) ? true : undefined,
      );
    } finally {
      process.kill(-(agent.pid as number), "SIGTERM");
    }
    const done = await agent;
    expect(done.exitCode, done.stderr).toBe(0);
    const list = await gens(home);
    expect(list.map((g: { outcome: string; current: boolean }) => [g.outcome, g.current])).toEqual([
      ["applied", true],
    ]);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
    const msgs = done.stderr.split("\n").flatMap((l) => {
      try {
        return [String(JSON.parse(l).msg)];
      } catch {
        return [];
      }
    });
    const stopping = msgs.indexOf("SIGTERM: finishing the current reconcile, then stopping");
    expect(stopping).toBeGreaterThanOrEqual(0);
    expect(msgs.findIndex((m) => m.startsWith("applied "))).toBeGreaterThan(stopping);
    expect(msgs.at(-1)).toBe("agent stopped");
    expect(existsSync(lockOf(home))).toBe(false);
  });

  it("polls at agent.interval from the applied config", async () => {
    const files = minimalConfig();
    const { work, remote, push } = await withRemote({
      ...files,
      "dotops.yaml": `${files["dotops.yaml"]}agent:\n  interval: 300ms\n`,
    });
    const { home } = sandbox();
    const agent = startAgent(home, ["--remote", remote]); // no --interval: the default is 60 s
    try {
      await waitFor("generation 1", async () => ((await gens(home)).length === 1 ? true : undefined));
      const b = await work.commit({ "files/zshrc": "export V=2\n" }, "B");
      await push(); // to the remote: the clone's refs change only when a poll fetches
      await waitFor(
        "generation 2",
        async () => (await gens(home)).find((g: { commit: string }) => g.commit === b),
        10_000,
      );
    } finally {
      agent.kill("SIGTERM");
    }
    expect((await agent).exitCode).toBe(0);
  });

  it("a first pass that cannot start stops the agent with that pass's error, reported once", async () => {
    const { home } = sandbox();
    const r = await dotops(["agent"], { home });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.match(/no config repo/g)).toHaveLength(1);
    expect(existsSync(lockOf(home))).toBe(false);
    const j = await dotops(["--json", "agent"], { home });
    expect(j.exitCode).toBe(2);
    expect(JSON.parse(j.stdout).error).toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/no config repo/),
    });
  });

  it("--child is internal: hidden, and refused outside a running agent", async () => {
    const { home } = sandbox();
    const r = await dotops(["agent", "--child"], { home });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/--child is internal/);
    const help = await dotops(["agent", "--help"], { home });
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/--once/);
    expect(help.stdout).not.toMatch(/--child/);
  });

  it("a failing health check on the very first generation fails the pass instead of reporting success", async () => {
    const files = minimalConfig();
    const { remote } = await withRemote({
      ...files,
      "dotops.yaml": `${files["dotops.yaml"]}agent:\n  healthChecks:\n    - { name: never, run: ["false"] }\n`,
    });
    const { home } = sandbox();
    const r = await dotops(["--json", "agent", "--once", "--remote", remote], { home });
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      kind: "failed",
      error: expect.stringContaining('health check "never" failed'),
    });
    const state = JSON.parse(readFileSync(join(home, ".local/state/dotops/agent.json"), "utf8"));
    expect(state.lastAttempted.outcome).toBe("failed");
  });
});
