/**
 * Concurrency (issue 14, part 4), through the real CLI as separate processes:
 * applies racing each other, gc and the agent; a stale lock under load; a
 * lock from another machine sharing the state dir; and commands that refuse
 * (or wait at a prompt) without creating the state dir or holding the lock.
 * Whatever the interleaving, HOME ends at exactly one generation and nothing
 * is left pending.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor, withRemote } from "./agent-helpers.js";
import {
  currentGen,
  dotopsInPty,
  expectSettled,
  GEN1,
  GEN2,
  generations,
  listTree,
  type Snapshot,
  snapshot,
} from "./fault-helpers.js";
import { CLI, type CliResult, ConfigRepo, dotops, sandbox } from "./helpers.js";

// Generation 3: the two copies of generation 1 go (destructive for one the user edited).
const GEN3: Record<string, string | null> = {
  "home/files.yaml": `files:
  - { target: ~/.zshrc, source: files/zshrc }
  - { target: ~/.config/app/conf, source: files/app.conf }
`,
};

let repo: ConfigRepo;
let c1: string;
let c2: string;
let c3: string;
let S1: Snapshot;
let S2: Snapshot;

interface Where {
  home: string;
  state: string;
}

const cli = (w: Where, args: string[], env?: Record<string, string>) =>
  dotops(["--repo", repo.dir, ...args], { home: w.home, env });

async function at(commit: string): Promise<Where> {
  const w = sandbox();
  const r = await cli(w, ["apply", "--commit", commit]);
  expect(r.exitCode, r.stderr).toBe(0);
  return w;
}

/** The snapshot HOME must equal when `commit`'s generation is current. */
const expected = (commit: string | null | undefined) => (commit === c1 ? S1 : commit === c2 ? S2 : undefined);

const LOCKED = /the state dir is locked by dotops \w+ \(pid \d+, since /;

/** Exit 0, or 1 with the lock message: what a command racing others may answer. */
function expectDoneOrLocked(r: CliResult, what: string) {
  if (r.exitCode === 0) return;
  expect(r.exitCode, `${what}: ${r.stderr}`).toBe(1);
  expect(r.stderr, what).toMatch(new RegExp(`error: ${LOCKED.source}`));
}

/** HOME is exactly the current generation's, and nothing is half-done. */
async function expectOneGeneration(w: Where, what: string) {
  const cur = await currentGen(w.home);
  expect(cur, what).toBeDefined();
  expect(snapshot(w.home, w.state), what).toEqual(expected(cur?.commit));
  await expectSettled(w.home, w.state);
}

/** The built CLI as a process of its own, left running (a hung apply holds its lock until killed). */
function start(w: Where, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [CLI, "--repo", repo.dir, ...args], {
    cwd: w.home,
    env: { PATH: process.env.PATH ?? "", HOME: w.home, NO_COLOR: "1", ...env },
    stdio: "ignore",
  });
}
const running: ChildProcess[] = [];
afterAll(() => {
  for (const p of running) if (p.exitCode === null) p.kill("SIGKILL");
});
async function kill(p: ChildProcess) {
  p.kill("SIGKILL");
  if (p.exitCode === null && p.signalCode === null) await new Promise((resolve) => p.once("exit", resolve));
}

/** A pid that belonged to a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid as number;

beforeAll(async () => {
  repo = await ConfigRepo.create(GEN1);
  c1 = await repo.head();
  c2 = await repo.commit(GEN2, "gen 2");
  c3 = await repo.commit({ ...GEN1, ...GEN3 }, "gen 3");
  const w = await at(c1);
  S1 = snapshot(w.home, w.state);
  expect((await cli(w, ["apply", "--commit", c2])).exitCode).toBe(0);
  S2 = snapshot(w.home, w.state);
});

describe("applies at once", () => {
  it("three applies of two commits, four times over: each applies or is told who holds the lock, HOME ends at one generation", async () => {
    const w = await at(c1);
    for (let round = 0; round < 4; round++) {
      const commits = round % 2 ? [c1, c2, c2] : [c2, c1, c2];
      const results = await Promise.all(commits.map((c) => cli(w, ["apply", "--commit", c])));
      for (const [i, r] of results.entries()) expectDoneOrLocked(r, `round ${round}, apply ${i}`);
      expect(results.some((r) => r.exitCode === 0)).toBe(true);
      await expectOneGeneration(w, `round ${round}`);
    }
  }, 300_000);

  it("apply and gc at once: either waits its turn or is told, and gc never takes what the current generation needs", async () => {
    const w = await at(c1);
    expect((await cli(w, ["apply", "--commit", c2])).exitCode).toBe(0);
    for (let round = 0; round < 4; round++) {
      const [applied, collected] = await Promise.all([
        cli(w, ["apply", "--commit", round % 2 ? c2 : c1]),
        cli(w, ["gc", "--keep", "1"]),
      ]);
      expectDoneOrLocked(applied, `round ${round}, apply`);
      expectDoneOrLocked(collected, `round ${round}, gc`);
      await expectOneGeneration(w, `round ${round}`);
      const status = await cli(w, ["--json", "status"]);
      expect(status.exitCode, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout).drift, `round ${round}`).toEqual([]);
    }
  }, 300_000);

  it("a stale lock (its pid dead) under four applies at once: taken over by one, never by two", async () => {
    const w = await at(c1);
    for (let round = 0; round < 3; round++) {
      writeFileSync(
        join(w.state, "lock"),
        JSON.stringify({ pid: deadPid(), host: hostname(), command: "apply", since: "2020-01-01T00:00:00Z" }),
      );
      const commit = round % 2 ? c1 : c2;
      const results = await Promise.all([0, 1, 2, 3].map(() => cli(w, ["apply", "--commit", commit])));
      for (const [i, r] of results.entries()) expectDoneOrLocked(r, `round ${round}, apply ${i}`);
      expect(results.some((r) => r.exitCode === 0)).toBe(true);
      expect((await currentGen(w.home))?.commit).toBe(commit);
      await expectOneGeneration(w, `round ${round}`);
    }
  }, 300_000);
});

describe("a lock from another machine sharing the state dir", () => {
  it("is refused naming the machine and what to do, and never taken over, even with a pid that is dead here", async () => {
    const w = await at(c1);
    expect((await cli(w, ["apply", "--commit", c2])).exitCode).toBe(0);
    const lockPath = join(w.state, "lock");
    const lock = JSON.stringify({
      pid: deadPid(),
      host: "other-machine",
      command: "apply",
      since: "2030-01-01",
    });
    writeFileSync(lockPath, lock);
    for (const args of [["apply", "--commit", c1], ["gc"], ["rollback", "1"]]) {
      const r = await cli(w, args);
      expect(r.exitCode, `${args[0]}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toContain(
        `error: the state dir is locked by dotops apply on another machine, other-machine (pid `,
      );
      expect(r.stderr).toContain(
        `hint: the state dir is shared with other-machine (a network or synced folder), so dotops cannot tell from here whether that process still runs`,
      );
      expect(r.stderr).toContain(`remove the lock file (rm ${lockPath})`);
      expect(readFileSync(lockPath, "utf8")).toBe(lock);
    }
    expect(snapshot(w.home, w.state)).toEqual(S2);
    // Readers still answer from the last record.
    expect((await currentGen(w.home))?.commit).toBe(c2);
  });

  it("the lock a running apply holds names this machine", async () => {
    const w = await at(c1);
    const hung = start(w, ["apply", "--commit", c2], {
      DOTOPS_FAULT: `appendFile:${w.state}/journal:hang:after=1`,
    });
    running.push(hung);
    const lockPath = join(w.state, "lock");
    const lock = await waitFor("the apply to hold the lock", async () =>
      existsSync(join(w.state, "journal")) ? JSON.parse(readFileSync(lockPath, "utf8")) : undefined,
    );
    expect(lock).toMatchObject({ pid: hung.pid, host: hostname(), command: "apply" });
    // Meanwhile another apply is told, and HOME is not planned from its half-applied state.
    const other = await cli(w, ["apply", "--commit", c1]);
    expect(other.exitCode, other.stderr).toBe(1);
    expect(other.stderr).toMatch(LOCKED);
    await kill(hung);
    const st = await cli(w, ["status"]);
    expect(st.exitCode, st.stderr).toBe(0);
    await expectOneGeneration(w, "after the hung apply was killed");
    expect((await currentGen(w.home))?.commit).toBe(c1);
  });
});

describe("the agent and a manual apply", () => {
  it("a pass while a manual apply holds the lock is retried, not recorded failed: the next pass applies the commit", async () => {
    const { work, remote, push } = await withRemote(GEN1);
    const w = sandbox();
    const agent = (...args: string[]) => dotops(["--json", "agent", "--once", ...args], { home: w.home });
    const first = await agent("--remote", remote);
    expect(first.exitCode, first.stderr).toBe(0);
    await work.commit(GEN2, "gen 2");
    await push();

    const manual = spawn(process.execPath, [CLI, "--repo", work.dir, "apply"], {
      cwd: w.home,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: w.home,
        NO_COLOR: "1",
        DOTOPS_FAULT: `appendFile:${w.state}/journal:hang:after=1`,
      },
      stdio: "ignore",
    });
    running.push(manual);
    await waitFor("the manual apply to hold the lock", async () =>
      existsSync(join(w.state, "journal")) ? true : undefined,
    );
    const busy = await agent();
    expect(busy.exitCode, busy.stderr).toBe(1);
    expect(JSON.parse(busy.stdout)).toMatchObject({
      kind: "failed",
      retry: true,
      error: expect.stringMatching(LOCKED),
    });

    await kill(manual); // a crash mid-apply: the agent's next pass recovers it, then applies
    const next = await agent();
    expect(next.exitCode, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ kind: "applied", commit: await work.head() });
    const gens = await generations(w.home);
    expect(gens.map((g) => [g.number, g.outcome, g.current])).toEqual([
      [1, "applied", false],
      [2, "failed", false],
      [3, "applied", true],
    ]);
    await expectSettled(w.home, w.state);
    expect(readFileSync(join(w.home, ".zshrc"), "utf8")).toBe("zsh two\n");
  }, 300_000);
});

describe("a refused command changes nothing", () => {
  it("on a fresh HOME: a refused apply, gc and a rollback to nothing create no state dir", async () => {
    const w = sandbox();
    writeFileSync(join(w.home, ".zshrc"), "mine\n"); // in the way
    const refused = await cli(w, ["apply", "--commit", c1]);
    expect(refused.exitCode, refused.stderr).toBe(4);
    expect(refused.stderr).toContain("refusing to apply: 1 path(s) in the way");
    expect(existsSync(w.state)).toBe(false);
    expect((await cli(w, ["gc"])).exitCode).toBe(0);
    expect((await cli(w, ["rollback", "3"])).exitCode).toBe(1);
    expect(existsSync(join(w.home, ".local"))).toBe(false);
    expect(readFileSync(join(w.home, ".zshrc"), "utf8")).toBe("mine\n");
  });

  it("with a state dir: a refused apply (a path in the way, destructive steps not allowed) leaves no lock and no new file", async () => {
    const w = await at(c1);
    const before = listTree(w.state);
    writeFileSync(join(w.home, ".npmrc"), "npm one, edited\n"); // generation 3 removes it: destructive
    const destructive = await cli(w, ["apply", "--commit", c3]);
    expect(destructive.exitCode, destructive.stderr).toBe(4);
    expect(destructive.stderr).toContain("refusing 1 destructive step(s)");
    expect(listTree(w.state)).toEqual(before);

    writeFileSync(join(w.home, ".config/nvim"), "mine\n"); // generation 2 makes it a directory
    const inTheWay = await cli(w, ["apply", "--commit", c2]);
    expect(inTheWay.exitCode, inTheWay.stderr).toBe(4);
    expect(inTheWay.stderr).toContain("path(s) in the way");
    expect(listTree(w.state)).toEqual(before);
    expect(await cli(w, ["rollback", "7"])).toMatchObject({ exitCode: 1 });
    expect(listTree(w.state)).toEqual(before);
  });
});

describe("a prompt holds no lock", () => {
  it("while apply waits for a yes, gc takes the lock and finishes; the yes then applies what was shown", async () => {
    const w = await at(c1);
    writeFileSync(join(w.home, ".npmrc"), "npm one, edited\n");
    const asking = dotopsInPty(["--repo", repo.dir, "apply", "--commit", c3], { home: w.home });
    await asking.shown("Apply anyway? [y/N]");
    expect(existsSync(join(w.state, "lock"))).toBe(false);
    const gc = await cli(w, ["gc"]);
    expect(gc.exitCode, gc.stderr).toBe(0);
    asking.type("y\n");
    expect(await asking.exit, asking.output()).toBe(0);
    expect(asking.output()).toContain("Applied generation 2.");
    expect(existsSync(join(w.home, ".npmrc"))).toBe(false);
    expect(existsSync(join(w.home, ".ssh/config"))).toBe(false);
    const gens = await generations(w.home);
    expect(gens.map((g) => [g.number, g.outcome, g.current])).toEqual([
      [1, "applied", false],
      [2, "applied", true],
    ]);
    await expectSettled(w.home, w.state);
  });

  it("a yes covers only what was shown: a destructive step that appeared meanwhile is refused, nothing changed", async () => {
    const w = await at(c1);
    writeFileSync(join(w.home, ".npmrc"), "npm one, edited\n");
    const asking = dotopsInPty(["--repo", repo.dir, "apply", "--commit", c3], { home: w.home });
    await asking.shown("Apply anyway? [y/N]");
    writeFileSync(join(w.home, ".ssh/config"), "ssh one, edited\n"); // now removing it loses edits too
    asking.type("y\n");
    expect(await asking.exit, asking.output()).toBe(4);
    expect(asking.output()).toContain("refusing 1 destructive step(s) that were not in the plan approved");
    expect(asking.output()).toContain("delete file ~/.ssh/config");
    expect(readFileSync(join(w.home, ".npmrc"), "utf8")).toBe("npm one, edited\n");
    expect(readFileSync(join(w.home, ".ssh/config"), "utf8")).toBe("ssh one, edited\n");
    expect((await generations(w.home)).map((g) => [g.number, g.current])).toEqual([[1, true]]);
    await expectSettled(w.home, w.state);
  });
});
