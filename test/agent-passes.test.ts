import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { gens, startAgent, waitFor, withRemote } from "./agent-helpers.js";
import { dotops, minimalConfig, sandbox } from "./helpers.js";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("a pass that died is retried; one that hangs is killed", () => {
  it("a pass killed right after recording `pending` leaves the commit to the next pass, which applies it", async () => {
    const { work, remote } = await withRemote(minimalConfig());
    const { home } = sandbox();
    const tip = await work.head();
    const killed = await dotops(["agent", "--once", "--remote", remote], {
      home,
      env: { DOTOPS_FAILPOINT: "agent:pending=kill" },
    });
    expect(killed.exitCode, killed.stderr).toBe(-1); // SIGKILL: no exit code
    const state = JSON.parse(readFileSync(join(home, ".local/state/dotops/agent.json"), "utf8"));
    expect(state.lastAttempted).toMatchObject({ commit: tip, outcome: "pending", pid: expect.any(Number) });
    expect(alive(state.lastAttempted.pid)).toBe(false);
    expect(await gens(home)).toEqual([]);

    const r = await dotops(["--json", "agent", "--once"], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: "applied", commit: tip, generation: 1 });
    expect(r.stderr).toMatch(/the pass that was applying [0-9a-f]{12} \(pid \d+\) died; trying it again/);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
  });

  it("kills a pass that runs past agent.passTimeout, with the processes it started, and goes on", async () => {
    const files = minimalConfig();
    const config = `${files["dotops.yaml"]}agent:\n  interval: 300ms\n  passTimeout: 15s\n`;
    const { work, remote, push } = await withRemote({ ...files, "dotops.yaml": config });
    const { home } = sandbox();
    const agent = startAgent(home, ["--remote", remote]);
    const log = join(home, ".local/state/dotops/agent.log");
    try {
      await waitFor("generation 1", async () => ((await gens(home)).length === 1 ? true : undefined));
      // The next commit's health check never ends (and ignores SIGTERM, as a stuck program may).
      await work.commit({
        "files/zshrc": "export V=2\n", // a new generation: health checks run only then
        "dotops.yaml": `${config}  healthChecks:\n    - { name: hangs, run: [sh, -c, "trap '' TERM; echo $$ > hang.pid; sleep 120 & wait"], timeout: 300s }\n`,
      });
      await push();
      const pidFile = join(home, "hang.pid");
      await waitFor("the health check", async () => (existsSync(pidFile) ? true : undefined), 60_000);
      await waitFor(
        "the pass to be killed",
        async () =>
          /time limit of 15s \(agent\.passTimeout\)/.test(readFileSync(log, "utf8")) ? true : undefined,
        40_000,
      );
      const pid = Number(readFileSync(pidFile, "utf8"));
      await waitFor("the health check to be gone", async () => (alive(pid) ? undefined : true), 5_000);
      expect(agent.exitCode).toBeNull(); // the agent goes on
      const failed = readFileSync(log, "utf8")
        .split("\n")
        .filter((l) => l.includes("time limit"))
        .map((l) => JSON.parse(l));
      expect(failed[0]).toMatchObject({ level: 50, kind: "failed" });
    } finally {
      agent.kill("SIGTERM");
    }
    const done = await agent;
    expect(done.exitCode, done.stderr).toBe(0);
    expect(existsSync(join(home, ".local/state/dotops/agent.lock"))).toBe(false);
  }, 150_000);
});
