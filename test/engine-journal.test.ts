/**
 * Crash recovery of the journaled apply, through the real CLI: the apply is
 * SIGKILLed (DOTOPS_FAILPOINT) after journaling each step in turn, and the
 * next dotops command must leave HOME exactly at one generation, never a mix.
 */
import { spawn } from "node:child_process";
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigRepo, dotops, minimalConfig, sandbox } from "./helpers.js";

// Generation 1: links, copies (with permissions) and a few directories.
const GEN1: Record<string, string> = {
  "dotops.yaml": "version: 1\nimports: [home/*.yaml]\nhosts:\n  box:\n    platform: linux\n",
  "home/files.yaml": `files:
  - { target: ~/.zshrc, source: files/zshrc }
  - { target: ~/.inputrc, source: files/inputrc }
  - { target: ~/.config/app/conf, source: files/app.conf }
  - { target: ~/.ssh/config, source: files/ssh_config, mode: copy, permissions: "0600" }
  - { target: ~/.npmrc, source: files/npmrc, mode: copy }
  - { target: ~/bin/old, source: files/old.sh, mode: copy, permissions: "0755" }
  - { target: ~/.tmux.conf, source: files/tmux.conf }
`,
  "files/zshrc": "zsh one\n",
  "files/inputrc": "input one\n",
  "files/app.conf": "app one\n",
  "files/ssh_config": "ssh one\n",
  "files/npmrc": "npm one\n",
  "files/old.sh": "#!/bin/sh\necho old\n",
  "files/tmux.conf": "tmux one\n",
};

// Generation 2 creates (links in new nested dirs, a copy in a new dir), updates
// (link content, copy content + permissions, link → copy) and deletes (a link
// and its dir, a copy, a copy and its dir).
const GEN2: Record<string, string | null> = {
  "home/files.yaml": `files:
  - { target: ~/.zshrc, source: files/zshrc }
  - { target: ~/.inputrc, source: files/inputrc }
  - { target: ~/.config/nvim, source: files/nvim }
  - { target: ~/.ssh/config, source: files/ssh_config, mode: copy, permissions: "0640" }
  - { target: ~/scripts/hello, source: files/hello.sh, mode: copy, permissions: "0755" }
  - { target: ~/.tmux.conf, source: files/tmux.conf, mode: copy }
`,
  "files/zshrc": "zsh two\n",
  "files/ssh_config": "ssh two\n",
  "files/tmux.conf": "tmux two\n",
  "files/nvim/init.lua": "-- init two\n",
  "files/nvim/lua/plugins.lua": "-- plugins two\n",
  "files/hello.sh": "#!/bin/sh\necho hello\n",
  "files/app.conf": null,
  "files/npmrc": null,
  "files/old.sh": null,
};

type Snapshot = Record<string, string>;

/**
 * Every path under HOME except the state dir: type, permissions, file
 * content, and for links the target (HOME written as ~) and what it resolves to.
 */
function snapshot(home: string, opts: { withState?: boolean } = {}): Snapshot {
  const out: Snapshot = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(join(home, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (r === ".local/state" && !opts.withState) continue;
      const abs = join(home, r);
      const st = lstatSync(abs);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) {
        let content: string;
        try {
          content = JSON.stringify(readFileSync(abs, "utf8"));
        } catch (err) {
          content = `<${(err as NodeJS.ErrnoException).code}>`;
        }
        out[r] = `link -> ${readlinkSync(abs).replace(home, "~")} = ${content}`;
      } else if (st.isDirectory()) {
        out[r] = `dir ${mode}`;
        walk(r);
      } else if (st.isFile()) out[r] = `file ${mode} ${JSON.stringify(readFileSync(abs, "utf8"))}`;
      else out[r] = `other ${mode}`;
    }
  };
  walk("");
  return out;
}

const stateOf = (home: string) => join(home, ".local/state/dotops");

type JournalLine =
  | { type: "begin"; generation: number | null; pid: number }
  | { type: "step"; i: number; step: { op: string } }
  | { type: "commit" };

function readJournal(home: string): JournalLine[] {
  return readFileSync(join(stateOf(home), "journal"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as JournalLine);
}

function meta(home: string, n: number): { outcome: string; error?: string; number: number } {
  return JSON.parse(readFileSync(join(stateOf(home), `generations/${n}/meta.json`), "utf8"));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface Gen {
  number: number;
  outcome: string;
  current: boolean;
  error?: string;
}

/** Runs fn over 0..n-1, a few at a time (each run spawns several CLIs). */
async function forEachIndex(n: number, fn: (i: number) => Promise<void>, limit = 2): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

let repo: ConfigRepo;
let c1: string;
let c2: string;
let S1: Snapshot;
let S2: Snapshot;
/** Steps in the gen 1 → gen 2 transaction, counted from a journal. */
let applySteps: number;

const cli = (home: string, args: string[], failpoint?: string) =>
  dotops(["--repo", repo.dir, ...args], {
    home,
    env: failpoint ? { DOTOPS_FAILPOINT: failpoint } : {},
  });

/** A fresh HOME with generation 1 applied. */
async function atGen1(): Promise<string> {
  const { home } = sandbox();
  const r = await cli(home, ["apply", "--commit", c1]);
  expect(r.exitCode, r.stderr).toBe(0);
  return home;
}

/** A fresh HOME with generations 1 and 2 applied (2 current). */
async function atGen2(): Promise<string> {
  const home = await atGen1();
  const r = await cli(home, ["apply", "--commit", c2]);
  expect(r.exitCode, r.stderr).toBe(0);
  return home;
}

async function generations(home: string): Promise<Gen[]> {
  const r = await cli(home, ["--json", "generations"]);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

beforeAll(async () => {
  repo = await ConfigRepo.create(GEN1);
  c1 = await repo.head();
  c2 = await repo.commit(GEN2, "gen 2");

  const home = await atGen1();
  S1 = snapshot(home);
  const second = await cli(home, ["apply", "--commit", c2]);
  expect(second.exitCode, second.stderr).toBe(0);
  S2 = snapshot(home);

  // A commit=kill run journals every step and commits none: that is the step count.
  const probe = await atGen1();
  const killed = await cli(probe, ["apply", "--commit", c2], "commit=kill");
  expect(killed.exitCode).toBe(-1); // killed by a signal, no exit code
  applySteps = readJournal(probe).filter((l) => l.type === "step").length;
});

describe("reference generations", () => {
  it("generation 1 and 2 are the expected, different trees", () => {
    const link = (rel: string, content: string) =>
      `link -> ~/.local/state/dotops/current/home/${rel} = ${JSON.stringify(content)}`;
    // ~/.local holds the state dir: its mode is the state dir's business, not a generation's.
    const { ".local": _l1, ...s1 } = S1;
    const { ".local": _l2, ...s2 } = S2;
    expect(s1).toEqual({
      ".config": "dir 755",
      ".config/app": "dir 755",
      ".config/app/conf": link(".config/app/conf", "app one\n"),
      ".inputrc": link(".inputrc", "input one\n"),
      ".npmrc": 'file 644 "npm one\\n"',
      ".ssh": "dir 755",
      ".ssh/config": 'file 600 "ssh one\\n"',
      ".tmux.conf": link(".tmux.conf", "tmux one\n"),
      ".zshrc": link(".zshrc", "zsh one\n"),
      bin: "dir 755",
      "bin/old": 'file 755 "#!/bin/sh\\necho old\\n"',
    });
    expect(s2).toEqual({
      ".config": "dir 755",
      ".config/nvim": "dir 755",
      ".config/nvim/init.lua": link(".config/nvim/init.lua", "-- init two\n"),
      ".config/nvim/lua": "dir 755",
      ".config/nvim/lua/plugins.lua": link(".config/nvim/lua/plugins.lua", "-- plugins two\n"),
      ".inputrc": link(".inputrc", "input one\n"),
      ".ssh": "dir 755",
      ".ssh/config": 'file 640 "ssh two\\n"',
      ".tmux.conf": 'file 644 "tmux two\\n"',
      ".zshrc": link(".zshrc", "zsh two\n"),
      scripts: "dir 755",
      "scripts/hello": 'file 755 "#!/bin/sh\\necho hello\\n"',
    });
    // mkdir ×3, symlink ×2, write, unlink-link + write, write, switch, unlink ×3, rmdir ×2
    expect(applySteps).toBeGreaterThanOrEqual(12);
  });
});

describe("apply killed at every journaled step", () => {
  it("the next command rolls back to exactly generation 1, marks generation 2 failed and takes over the stale lock", async () => {
    await forEachIndex(applySteps, async (i) => {
      const home = await atGen1();
      const crash = await cli(home, ["apply", "--commit", c2], `step:${i}=kill`);
      expect(crash.exitCode, `step ${i}: ${crash.stderr}`).toBe(-1);

      // What the crash left: a journal up to step i, a stale lock, a pending generation.
      const journal = readJournal(home);
      expect(journal[0]).toMatchObject({ type: "begin", generation: 2 });
      const steps = journal.filter((l) => l.type === "step");
      expect(steps.map((l) => l.i)).toEqual([...Array(i + 1).keys()]);
      expect(journal.some((l) => l.type === "commit")).toBe(false);
      const lock = JSON.parse(readFileSync(join(stateOf(home), "lock"), "utf8"));
      expect(lock).toMatchObject({ pid: (journal[0] as { pid: number }).pid, command: "apply" });
      expect(alive(lock.pid)).toBe(false);
      expect(meta(home, 2).outcome).toBe("pending");

      const st = await cli(home, ["--json", "status"]);
      expect(st.exitCode, `step ${i}: ${st.stderr}`).toBe(0);
      expect(st.stderr).toMatch(/rolled back an interrupted apply/);
      const status = JSON.parse(st.stdout);
      expect(status.generation.number).toBe(1);
      expect(status.drift).toEqual([]);

      expect(existsSync(join(stateOf(home), "journal")), `journal after step ${i}`).toBe(false);
      expect(existsSync(join(stateOf(home), "lock")), `lock after step ${i}`).toBe(false);
      expect(snapshot(home), `HOME after a kill at step ${i}`).toEqual(S1);
      expect(meta(home, 2)).toMatchObject({ outcome: "failed", error: expect.stringMatching(/interrupted/) });
      expect(meta(home, 1).outcome).toBe("applied");
      const gens = await generations(home);
      expect(gens.map((g) => [g.number, g.outcome, g.current])).toEqual([
        [1, "applied", true],
        [2, "failed", false],
      ]);
      expect(readlinkSync(join(stateOf(home), "current"))).toBe(join(stateOf(home), "generations/1"));

      // The recovered machine is a sound base: applying again reaches generation 2's content.
      const again = await cli(home, ["apply", "--commit", c2]);
      expect(again.exitCode, again.stderr).toBe(0);
      expect(snapshot(home)).toEqual(S2);
      expect(readlinkSync(join(stateOf(home), "current"))).toBe(join(stateOf(home), "generations/3"));
      expect(meta(home, 3).outcome).toBe("applied");
    });
  }, 300_000);

  it("a kill at commit (every step done, no commit record) rolls everything back", async () => {
    const home = await atGen1();
    expect((await cli(home, ["apply", "--commit", c2], "commit=kill")).exitCode).toBe(-1);
    expect(snapshot(home)).not.toEqual(S1); // every step ran: HOME was gen 2's before recovery
    expect(readJournal(home).filter((l) => l.type === "step")).toHaveLength(applySteps);

    const r = await cli(home, ["generations"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\s+1 .* applied .*\(current\)$/m);
    expect(r.stdout).toMatch(/^\s+2 .* failed /m);
    expect(existsSync(join(stateOf(home), "journal"))).toBe(false);
    expect(existsSync(join(stateOf(home), "lock"))).toBe(false);
    expect(snapshot(home)).toEqual(S1);
    expect(meta(home, 2).outcome).toBe("failed");
  });

  it("a kill at finalize (commit recorded) is finished: generation 2 applied and current", async () => {
    const home = await atGen1();
    expect((await cli(home, ["apply", "--commit", c2], "finalize=kill")).exitCode).toBe(-1);
    expect(readJournal(home).at(-1)).toEqual({ type: "commit" });
    expect(meta(home, 2).outcome).toBe("pending");

    const st = await cli(home, ["--json", "status"]);
    expect(st.exitCode, st.stderr).toBe(0);
    expect(st.stderr).toMatch(/finished an interrupted apply of generation 2/);
    expect(JSON.parse(st.stdout)).toMatchObject({ generation: { number: 2, outcome: "applied" }, drift: [] });
    expect(existsSync(join(stateOf(home), "journal"))).toBe(false);
    expect(existsSync(join(stateOf(home), "lock"))).toBe(false);
    expect(snapshot(home)).toEqual(S2);
    expect(meta(home, 2).outcome).toBe("applied");
    expect((await generations(home)).map((g) => [g.number, g.outcome, g.current])).toEqual([
      [1, "applied", false],
      [2, "applied", true],
    ]);
  });

  it("apply as the first command after a crash takes over the stale lock, recovers, then applies", async () => {
    const home = await atGen1();
    const mid = Math.floor(applySteps / 2);
    expect((await cli(home, ["apply", "--commit", c2], `step:${mid}=kill`)).exitCode).toBe(-1);
    const stalePid = JSON.parse(readFileSync(join(stateOf(home), "lock"), "utf8")).pid;
    expect(alive(stalePid)).toBe(false);

    const r = await cli(home, ["apply", "--commit", c2]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/rolled back an interrupted apply/);
    expect(r.stdout).toMatch(/Applied generation 3\./);
    expect(snapshot(home)).toEqual(S2);
    expect(existsSync(join(stateOf(home), "lock"))).toBe(false);
    expect((await generations(home)).map((g) => [g.number, g.outcome, g.current])).toEqual([
      [1, "applied", false],
      [2, "failed", false],
      [3, "applied", true],
    ]);
  });
});

describe("apply failing at every step", () => {
  it("exits 1, undoes everything, records generation 2 as failed and keeps generation 1 current", async () => {
    await forEachIndex(applySteps, async (i) => {
      const home = await atGen1();
      const r = await cli(home, ["apply", "--commit", c2], `step:${i}=throw`);
      expect(r.exitCode, `step ${i}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toContain(
        `apply failed and was undone (${i + 1} steps reverted): failpoint step:${i}`,
      );
      expect(r.stderr).not.toMatch(/This is a bug/);
      expect(snapshot(home), `HOME after a failure at step ${i}`).toEqual(S1);
      expect(existsSync(join(stateOf(home), "journal"))).toBe(false);
      expect(existsSync(join(stateOf(home), "lock"))).toBe(false);
      expect(meta(home, 2)).toMatchObject({ outcome: "failed", error: expect.stringContaining(`step:${i}`) });
      const gens = await generations(home);
      expect(gens.map((g) => [g.number, g.outcome, g.current])).toEqual([
        [1, "applied", true],
        [2, "failed", false],
      ]);
    });
  }, 300_000);

  it("a failure at commit undoes every step too", async () => {
    const home = await atGen1();
    const r = await cli(home, ["apply", "--commit", c2], "commit=throw");
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`(${applySteps} steps reverted): failpoint commit`);
    expect(snapshot(home)).toEqual(S1);
    expect(meta(home, 2).outcome).toBe("failed");
  });
});

describe("rollback killed at every journaled step", () => {
  it("recovers to exactly one generation and leaves the target generation's record alone", async () => {
    const probe = await atGen2();
    expect((await cli(probe, ["rollback", "1"], "commit=kill")).exitCode).toBe(-1);
    const journal = readJournal(probe);
    expect(journal[0]).toMatchObject({ type: "begin", generation: 1 });
    const n = journal.filter((l) => l.type === "step").length;
    expect(n).toBeGreaterThanOrEqual(10);

    const points = [...Array.from({ length: n }, (_, i) => `step:${i}`), "commit", "finalize"];
    await forEachIndex(points.length, async (k) => {
      const point = points[k] as string;
      const home = await atGen2();
      expect((await cli(home, ["rollback", "1"], `${point}=kill`)).exitCode, point).toBe(-1);
      const st = await cli(home, ["--json", "status"]);
      expect(st.exitCode, st.stderr).toBe(0);
      const finished = point === "finalize";
      expect(JSON.parse(st.stdout).generation.number, point).toBe(finished ? 1 : 2);
      expect(snapshot(home), `HOME after a rollback killed at ${point}`).toEqual(finished ? S1 : S2);
      expect(existsSync(join(stateOf(home), "journal"))).toBe(false);
      // Neither generation is marked failed by the interrupted switch.
      expect([meta(home, 1).outcome, meta(home, 2).outcome], point).toEqual(["applied", "applied"]);
      // ...so a plain rollback still finds generation 1.
      const again = await cli(home, ["rollback"]);
      expect(again.exitCode, `${point}: ${again.stderr}`).toBe(finished ? 1 : 0);
      if (!finished) {
        expect(snapshot(home)).toEqual(S1);
      }
      expect(readlinkSync(join(stateOf(home), "current"))).toBe(join(stateOf(home), "generations/1"));
    });
  }, 300_000);
});

describe("lock", () => {
  let sleeper: ReturnType<typeof spawn> | undefined;
  afterAll(() => {
    if (sleeper?.pid && sleeper.exitCode === null) sleeper.kill("SIGKILL");
  });

  it("a lock held by a live process makes apply exit 1 naming the pid and the lock, changing nothing", async () => {
    const cfg = await ConfigRepo.create(minimalConfig());
    const { home, state } = sandbox();
    const run = (...args: string[]) => dotops(["--repo", cfg.dir, ...args], { home });
    expect((await run("apply")).exitCode).toBe(0);
    await cfg.commit({ "files/zshrc": "export EDITOR=vim\n" });

    sleeper = spawn("sleep", ["300"], { stdio: "ignore" });
    const pid = sleeper.pid as number;
    expect(alive(pid)).toBe(true);
    const lockPath = join(state, "lock");
    writeFileSync(lockPath, JSON.stringify({ pid }));
    const before = snapshot(home, { withState: true });

    const r = await run("apply");
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`pid ${pid}`);
    expect(r.stderr).toContain(lockPath);
    expect(r.stderr).toMatch(/hint: wait for it to finish/);
    expect(snapshot(home, { withState: true })).toEqual(before);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
    expect(JSON.parse(readFileSync(lockPath, "utf8"))).toEqual({ pid });

    // Once the holder is gone the lock is stale and the next apply takes it over.
    sleeper.kill("SIGKILL");
    await new Promise((resolve) => sleeper?.once("exit", resolve));
    const after = await run("apply");
    expect(after.exitCode, after.stderr).toBe(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=vim\n");
    expect(existsSync(lockPath)).toBe(false);
  });
});

describe("corrupt generation records", () => {
  it("a corrupt meta.json makes generations and apply exit 1 naming the file and what to do", async () => {
    const cfg = await ConfigRepo.create(minimalConfig());
    const { home, state } = sandbox();
    const run = (...args: string[]) => dotops(["--repo", cfg.dir, ...args], { home });
    expect((await run("apply")).exitCode).toBe(0);
    await cfg.commit({ "files/zshrc": "export EDITOR=vim\n" });
    expect((await run("apply")).exitCode).toBe(0);
    const metaPath = join(state, "generations/1/meta.json");
    writeFileSync(metaPath, '{"number": 1, "outc');

    for (const args of [["generations"], ["--json", "generations"], ["apply"], ["rollback"]]) {
      const r = await run(...args);
      expect(r.exitCode, args.join(" ")).toBe(1);
      expect(r.stderr).toContain(`generation 1 is corrupt: ${metaPath} is not valid JSON`);
      expect(r.stderr).toMatch(/hint: restore the file from a backup, or delete that generation's directory/);
      expect(r.stderr).not.toMatch(/This is a bug/);
    }
    expect(existsSync(join(state, "lock"))).toBe(false);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=vim\n");

    // Following the hint: without the broken generation everything works again.
    rmSync(join(state, "generations/1"), { recursive: true });
    const gens = await run("--json", "generations");
    expect(gens.exitCode, gens.stderr).toBe(0);
    expect(JSON.parse(gens.stdout).map((g: Gen) => g.number)).toEqual([2]);
  });

  it("a missing meta.json is reported as an incomplete generation", async () => {
    const cfg = await ConfigRepo.create(minimalConfig());
    const { home, state } = sandbox();
    expect((await dotops(["--repo", cfg.dir, "apply"], { home })).exitCode).toBe(0);
    unlinkSync(join(state, "generations/1/meta.json"));
    const r = await dotops(["--repo", cfg.dir, "generations"], { home });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(
      `generation 1 is incomplete: cannot read ${join(state, "generations/1/meta.json")}`,
    );
  });
});
