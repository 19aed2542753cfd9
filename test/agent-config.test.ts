import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { gens, startAgent, waitFor, withRemote } from "./agent-helpers.js";
import { ConfigRepo, dotops, git, minimalConfig, ROOT, sandbox, tempDir } from "./helpers.js";

const withAgent = (yaml: string) => `${minimalConfig()["dotops.yaml"]}agent:\n${yaml}`;

describe("agent settings do what they say", () => {
  it("one duration grammar: what the config accepts, --interval and gc --older-than accept", async () => {
    const { remote } = await withRemote(minimalConfig());
    const { home } = sandbox();
    const day = await dotops(["agent", "--once", "--interval", "1d", "--remote", remote], { home });
    expect(day.exitCode, day.stderr).toBe(0);
    expect((await dotops(["gc", "--older-than", "1d", "--dry-run"], { home })).exitCode).toBe(0);

    const hint = 'a duration like "60s", "10m", "2h" or "30d"';
    const week = await dotops(["agent", "--once", "--interval", "1w"], { home });
    expect(week.exitCode).toBe(2);
    expect(week.stderr).toContain(`--interval wants ${hint}, not "1w"`);
    expect((await dotops(["gc", "--older-than", "1w"], { home })).exitCode).toBe(2);
    const repo = await ConfigRepo.create(minimalConfig({ "dotops.yaml": withAgent("  interval: 1w\n") }));
    const check = await dotops(["--repo", repo.dir, "check"], { home });
    expect(check.exitCode).toBe(2);
    expect(check.stderr).toContain(hint);
  });

  it("follows agent.remote of the applied config once a clone exists; --remote overrides it", async () => {
    const { work, remote, push } = await withRemote(minimalConfig());
    const { home } = sandbox();
    expect((await dotops(["agent", "--once", "--remote", remote], { home })).exitCode).toBe(0);
    // The repo moves: a copy elsewhere, and the config says so (pushed to the old place).
    const moved = join(tempDir("dotops-moved-"), "dotfiles.git");
    // (With a file change too: a commit whose manifest is unchanged makes no generation, and the
    // policy in force is the current generation's commit's.)
    await work.commit(
      { "dotops.yaml": withAgent(`  remote: ${moved}\n`), "files/zshrc": "export WHERE=before\n" },
      "the repo moves",
    );
    await push();
    await git(work.dir, "clone", "-q", "--bare", work.dir, moved);
    expect((await dotops(["agent", "--once"], { home })).exitCode).toBe(0); // applies the move

    await work.commit({ "files/zshrc": "export WHERE=moved\n" }, "only on the new remote");
    await git(work.dir, "push", "-q", moved, "main");
    const follow = await dotops(["agent", "--once"], { home });
    expect(follow.exitCode, follow.stderr).toBe(0);
    expect(follow.stderr).toContain(`the agent's clone now fetches from ${moved} (was ${remote})`);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export WHERE=moved\n");

    await work.commit({ "files/zshrc": "export WHERE=old\n" }, "only on the old remote");
    await push();
    const override = await dotops(["agent", "--once", "--remote", remote], { home });
    expect(override.exitCode, override.stderr).toBe(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export WHERE=old\n");
  });

  it("follows the remote's default branch when it is not main, and holds a testing branch to it", async () => {
    const work = new ConfigRepo(tempDir("dotops-repo-"));
    await git(work.dir, "init", "-q", "-b", "trunk");
    await work.commit(minimalConfig());
    const remote = join(tempDir("dotops-remote-"), "dotfiles.git");
    await git(work.dir, "clone", "-q", "--bare", work.dir, remote);
    await git(work.dir, "remote", "add", "origin", remote);
    const { home } = sandbox();
    const first = await dotops(["agent", "--once", "--remote", remote], { home });
    expect(first.exitCode, first.stderr).toBe(0);
    const b = await work.commit({ "files/zshrc": "export B=1\n" });
    await git(work.dir, "push", "-q", "origin", "trunk");
    expect((await dotops(["agent", "--once"], { home })).exitCode).toBe(0);
    expect((await gens(home)).at(-1).commit).toBe(b);

    await git(work.dir, "checkout", "-q", "-b", "testing");
    await work.commit({ "files/zshrc": "export T=1\n" }, "on top of trunk");
    await git(work.dir, "push", "-q", "origin", "testing");
    expect((await dotops(["agent", "--once", "--branch", "testing"], { home })).exitCode).toBe(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export T=1\n");
    await git(work.dir, "checkout", "-q", "trunk");
    await work.commit({ "files/app.conf": "color = false\n" }, "trunk moves");
    await git(work.dir, "push", "-q", "origin", "trunk");
    await git(work.dir, "checkout", "-q", "testing");
    await work.commit({ "files/zshrc": "export T=2\n" }, "stale testing commit");
    await git(work.dir, "push", "-q", "origin", "testing");
    const stale = await dotops(["agent", "--once", "--branch", "testing"], { home });
    expect(stale.exitCode).toBe(4);
    expect(stale.stderr).toMatch(/testing branch testing is not on top of trunk/);
  });

  it("follows the current dir when it holds dotops.yaml, as the other commands do (--once and the agent)", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const { home } = sandbox();
    const once = await dotops(["agent", "--once"], { home, cwd: repo.dir });
    expect(once.exitCode, once.stderr).toBe(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
    const c = await repo.commit({ "files/zshrc": "export HERE=1\n" });
    const agent = startAgent(home, ["--interval", "1h"], { cwd: repo.dir });
    try {
      await waitFor("generation 2", async () =>
        (await gens(home)).find((g: { commit: string }) => g.commit === c),
      );
    } finally {
      agent.kill("SIGTERM");
    }
    expect((await agent).exitCode).toBe(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export HERE=1\n");
    expect(existsSync(join(home, ".local/state/dotops/repo"))).toBe(false); // no clone was needed
  });

  it("install-agent asks the host for launchd's uid (id -u), and refuses to guess one", async () => {
    const { home } = sandbox();
    const sim = tempDir("dotops-sim-");
    // An `id` that cannot answer, as on a machine without one that works.
    const bin = tempDir("dotops-noid-");
    writeFileSync(join(bin, "id"), "#!/bin/sh\necho 'id: cannot find name for user ID' >&2\nexit 1\n", {
      mode: 0o755,
    });
    const r = await dotops(["install-agent", "--platform", "darwin"], {
      home,
      env: { PATH: `${bin}:${join(ROOT, "test/simulators/bin")}:${process.env.PATH}`, SIM_STATE: sim },
    });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("id -u failed (exit 1): id: cannot find name for user ID");
    expect(existsSync(join(sim, "launchctl.log"))).toBe(false);
    expect(existsSync(join(home, "Library/LaunchAgents/dev.dotops.agent.plist"))).toBe(false);
  });
});
