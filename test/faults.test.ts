/**
 * Disk faults (issue 14, part 3), through the real CLI on real files: a full
 * disk, a read-only target directory, a state dir on another file system than
 * HOME, a journal torn by a power loss, a crash around the switch of
 * `current`. Each case creates the fault, runs the next command, and checks
 * that HOME is exactly at one generation and the state dir holds nothing
 * half-done: recovered or refused, nothing lost.
 *
 * Faults are injected at the Host seam (DOTOPS_FAULT, src/host/faulty-host.ts)
 * so that no case needs root; where the machine allows it, a real small
 * tmpfs, a real read-only bind mount and /dev/shm are used as well.
 */
import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectSettled, GEN1, GEN2, generations, type Snapshot, snapshot } from "./fault-helpers.js";
import { ConfigRepo, dotops, sandbox, tempDir } from "./helpers.js";

let repo: ConfigRepo;
let c1: string;
let c2: string;
let S1: Snapshot;
let S2: Snapshot;

interface Where {
  home: string;
  state: string;
  /** Global flags that put the state dir where it is (--state), if not the default. */
  global: string[];
}

const cli = (w: Where, args: string[], env?: Record<string, string>) =>
  dotops(["--repo", repo.dir, ...w.global, ...args], { home: w.home, env });

/** A fresh HOME (state dir at `state`, default: inside HOME) with `commit` applied. */
async function at(commit: string, state?: string, env?: Record<string, string>): Promise<Where> {
  const { home, state: inHome } = sandbox();
  const w = { home, state: state ?? inHome, global: state ? ["--state", state] : [] };
  const r = await cli(w, ["apply", "--commit", commit], env);
  expect(r.exitCode, r.stderr).toBe(0);
  return w;
}

/** Generations as [number, outcome, current] rows. */
async function rows(w: Where, env?: Record<string, string>) {
  return (await generations(w.home, w.global, env)).map((g) => [g.number, g.outcome, g.current]);
}

/**
 * Runs fn over 0..n-1, two at a time (each spawns several CLIs; two cores).
 * A failure stops new runs but waits for the one in flight: nothing outlives the test.
 */
async function forEachIndex(n: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      try {
        await fn(next++);
      } catch (err) {
        next = n;
        throw err;
      }
    }
  };
  const results = await Promise.allSettled([worker(), worker()]);
  for (const r of results) if (r.status === "rejected") throw r.reason;
}

/** Mounts a file system (root only); false where the machine does not allow it. Unmounted by unmountAll. */
function mount(args: string[]): boolean {
  const ok = spawnSync("mount", args, { stdio: "ignore" }).status === 0;
  if (ok) mounted.push(args.at(-1) as string);
  return ok;
}
const mounted: string[] = [];
function unmountAll() {
  for (const m of mounted.splice(0).reverse()) spawnSync("umount", ["-l", m], { stdio: "ignore" });
}
afterAll(unmountAll); // before helpers' afterAll removes the temp dirs (after-hooks run last-registered first)

beforeAll(async () => {
  repo = await ConfigRepo.create(GEN1);
  c1 = await repo.head();
  c2 = await repo.commit(GEN2, "gen 2");
  const w = await at(c1);
  S1 = snapshot(w.home, w.state);
  expect((await cli(w, ["apply", "--commit", c2])).exitCode).toBe(0);
  S2 = snapshot(w.home, w.state);
  expect(S2).not.toEqual(S1);
});

describe("a full disk", () => {
  it("while the store is written: nothing changes, the error names the file and what to do, and the next apply goes through", async () => {
    const w = await at(c1);
    const full = { DOTOPS_FAULT: `writeFile:${w.state}/store/:ENOSPC:after=1` };
    const r = await cli(w, ["apply", "--commit", c2], full);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toContain(`error: no space left on the device while writing ${w.state}/store/`);
    expect(r.stderr).toContain(
      "hint: free some space on that file system (`dotops gc` deletes old generations",
    );
    expect(r.stderr).not.toMatch(/This is a bug/);
    expect(snapshot(w.home, w.state)).toEqual(S1);
    expect(await rows(w)).toEqual([[1, "applied", true]]);
    await expectSettled(w.home, w.state);

    const again = await cli(w, ["apply", "--commit", c2]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(snapshot(w.home, w.state)).toEqual(S2);

    // The very first apply on a full disk: HOME untouched, no generation recorded.
    const { home, state } = sandbox();
    const first = await dotops(["--repo", repo.dir, "apply", "--commit", c1], {
      home,
      env: { DOTOPS_FAULT: `writeFile:${state}/store/:ENOSPC` },
    });
    expect(first.exitCode, first.stderr).toBe(1);
    expect(first.stderr).toContain("no space left on the device");
    expect(snapshot(home, state)).toEqual({});
    expect(await generations(home)).toEqual([]);
    await expectSettled(home, state);
  }, 180_000);

  it("at each write of the apply (HOME, the journal, the generation's records): undone or never begun, nothing half-done", async () => {
    const cases = [
      {
        what: "a copy written in HOME",
        fault: (w: Where) => `writeFile:${w.home}/.npmrc:ENOSPC`,
        gen2: "failed",
      },
      {
        what: "a step line of the journal",
        fault: (w: Where) => `appendFile:${w.state}/journal:ENOSPC:after=2`,
        gen2: "failed",
      },
      {
        what: "the journal's first line",
        fault: (w: Where) => `appendFile:${w.state}/journal:ENOSPC`,
        gen2: "failed",
      },
      {
        what: "the generation's records",
        fault: (w: Where) => `writeFile:${w.state}/generations/:ENOSPC:after=2`,
        gen2: null,
      },
    ];
    await forEachIndex(cases.length, async (i) => {
      const c = cases[i] as (typeof cases)[number];
      const w = await at(c1);
      const r = await cli(w, ["apply", "--commit", c2], { DOTOPS_FAULT: c.fault(w) });
      expect(r.exitCode, `${c.what}: ${r.stderr}`).toBe(1);
      expect(r.stderr, c.what).toContain("no space left on the device while writing");
      expect(r.stderr, c.what).not.toMatch(/This is a bug/);
      if (c.gen2) expect(r.stderr, c.what).toMatch(/apply failed and was undone \(\d+ steps reverted\)/);
      expect(snapshot(w.home, w.state), c.what).toEqual(S1);
      expect(await rows(w), c.what).toEqual([[1, "applied", true], ...(c.gen2 ? [[2, c.gen2, false]] : [])]);
      await expectSettled(w.home, w.state);
      const again = await cli(w, ["apply", "--commit", c2]);
      expect(again.exitCode, `${c.what}: ${again.stderr}`).toBe(0);
      expect(snapshot(w.home, w.state), c.what).toEqual(S2);
    });
  }, 180_000);

  it("while the outcome is recorded (after commit): the apply stands, and the next command finishes the record", async () => {
    const w = await at(c1);
    // 2.partial/meta.json is written first; generations/2/meta.json is the record after commit.
    const r = await cli(w, ["apply", "--commit", c2], {
      DOTOPS_FAULT: `writeFile:${w.state}/generations/2/meta.json:ENOSPC`,
    });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toContain(
      "error: the apply is done, but recording it failed: no space left on the device",
    );
    expect(r.stderr).toContain(`the journal ${w.state}/journal is kept`);
    expect(r.stderr).toContain("then any dotops command (`dotops status`) finishes the record");
    expect(r.stderr).not.toMatch(/This is a bug/);
    expect(snapshot(w.home, w.state)).toEqual(S2);
    // Not marked failed by the apply that could not record it: it is current.
    expect(JSON.parse(readFileSync(join(w.state, "generations/2/meta.json"), "utf8")).outcome).toBe(
      "pending",
    );

    const st = await cli(w, ["status"]);
    expect(st.exitCode, st.stderr).toBe(0);
    expect(st.stderr).toMatch(/finished an interrupted apply of generation 2/);
    expect(await rows(w)).toEqual([
      [1, "applied", false],
      [2, "applied", true],
    ]);
    expect(snapshot(w.home, w.state)).toEqual(S2);
    await expectSettled(w.home, w.state);
  });

  it("while a failed apply is undone: the journal is kept, and the next command finishes the undo", async () => {
    const w = await at(c1);
    // ~/.npmrc is written, ~/.ssh/config is not, and undoing ~/.npmrc (writing it back) fails too.
    const full = `writeFile:${w.home}/.ssh/config:ENOSPC,writeFile:${w.home}/.npmrc:ENOSPC:after=1`;
    const r = await cli(w, ["apply", "--commit", c2], { DOTOPS_FAULT: full });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      /error: apply failed \(no space left on the device while writing .*\) and undoing it failed too/,
    );
    expect(r.stderr).toContain("then any dotops command (`dotops status`) finishes the undo");
    expect(r.stderr).not.toMatch(/This is a bug/);
    expect(existsSync(join(w.state, "journal"))).toBe(true);
    expect(readFileSync(join(w.home, ".npmrc"), "utf8")).toBe("npm two\n"); // not undone yet

    const st = await cli(w, ["status"]);
    expect(st.exitCode, st.stderr).toBe(0);
    expect(st.stderr).toMatch(/rolled back an interrupted apply/);
    expect(snapshot(w.home, w.state)).toEqual(S1);
    expect(await rows(w)).toEqual([
      [1, "applied", true],
      [2, "failed", false],
    ]);
    await expectSettled(w.home, w.state);
  });

  it("for real: a small file system that fills up under the store, then under HOME (a tmpfs where it can be mounted, else the injected fault)", async () => {
    const big = "x".repeat(2 * 1024 * 1024); // twice the file system
    const bigRepo = await ConfigRepo.create(GEN1);
    const small = await bigRepo.head();
    const withBig = await bigRepo.commit({
      "home/big.yaml": `files:\n  - { target: ~/big.dat, source: files/big.dat, mode: copy }\n`,
      "files/big.dat": big,
    });
    const run = (w: Where, args: string[], env?: Record<string, string>) =>
      dotops(["--repo", bigRepo.dir, ...w.global, ...args], { home: w.home, env });
    const tmpfs = (): string | null => {
      const dir = tempDir("dotops-tmpfs-");
      return mount(["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir]) ? dir : null;
    };

    // The state dir on a full file system: the store write fails.
    const disk = tmpfs();
    const { home: home1 } = sandbox();
    const w1: Where = { home: home1, state: join(disk ?? tempDir(), "dotops"), global: [] };
    w1.global = ["--state", w1.state];
    const fault1 = disk ? undefined : { DOTOPS_FAULT: `writeFile:${w1.state}/store/:ENOSPC` };
    expect((await run(w1, ["apply", "--commit", small])).exitCode).toBe(0);
    const before1 = snapshot(w1.home, w1.state);
    const r1 = await run(w1, ["apply", "--commit", withBig], fault1);
    expect(r1.exitCode, r1.stderr).toBe(1);
    expect(r1.stderr).toContain(`error: no space left on the device while writing ${w1.state}/store/`);
    expect(snapshot(w1.home, w1.state)).toEqual(before1);
    expect(await rows(w1)).toEqual([[1, "applied", true]]);
    await expectSettled(w1.home, w1.state, w1.global);

    // HOME on a full file system: the copy's write fails mid-apply and everything is undone.
    const root = tempDir("dotops-home-");
    const home2 = join(root, "home");
    mkdirSync(home2);
    const homeDisk = mount(["-t", "tmpfs", "-o", "size=1m", "tmpfs", home2]);
    const w2: Where = { home: home2, state: join(root, "state"), global: ["--state", join(root, "state")] };
    const fault2 = homeDisk ? undefined : { DOTOPS_FAULT: `writeFile:${home2}/big.dat:ENOSPC` };
    expect((await run(w2, ["apply", "--commit", small])).exitCode).toBe(0);
    const before2 = snapshot(w2.home, w2.state);
    const r2 = await run(w2, ["apply", "--commit", withBig], fault2);
    expect(r2.exitCode, r2.stderr).toBe(1);
    expect(r2.stderr).toMatch(
      /apply failed and was undone \(\d+ steps reverted\): no space left on the device while writing/,
    );
    expect(r2.stderr).toContain(`${home2}/big.dat`);
    expect(snapshot(w2.home, w2.state)).toEqual(before2);
    expect(await rows(w2)).toEqual([
      [1, "applied", true],
      [2, "failed", false],
    ]);
    await expectSettled(w2.home, w2.state, w2.global);
    unmountAll();
  }, 180_000);
});

describe("a read-only target directory", () => {
  const WRITES = "mkdir|symlink|writeFile|rename|unlink|rmdir|chmod|removeTree";

  for (const code of ["EROFS", "EACCES"]) {
    it(`(${code}): the apply fails, everything is undone, and the message names the directory`, async () => {
      const w = await at(c1);
      const r = await cli(w, ["apply", "--commit", c2], {
        DOTOPS_FAULT: `${WRITES}:${w.home}/.config/:${code}`,
      });
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/apply failed and was undone \(\d+ steps reverted\)/);
      expect(r.stderr).toContain(
        code === "EROFS"
          ? `${w.home}/.config/nvim: ${w.home}/.config is on a read-only file system`
          : `permission denied: ${w.home}/.config/nvim (in ${w.home}/.config) is not accessible to this user`,
      );
      expect(r.stderr).toContain(
        code === "EROFS"
          ? `hint: the machine is as it was before; remount ${w.home}/.config read-write`
          : "ls -ld",
      );
      expect(snapshot(w.home, w.state)).toEqual(S1);
      expect(await rows(w)).toEqual([
        [1, "applied", true],
        [2, "failed", false],
      ]);
      await expectSettled(w.home, w.state);
    });
  }

  it("for real: a read-only bind mount where it can be made, else the injected EROFS", async () => {
    const w = await at(c1);
    const dir = join(w.home, ".config");
    const ro = mount(["--bind", dir, dir]) && mount(["-o", "remount,bind,ro", dir, dir]);
    const env = ro ? undefined : { DOTOPS_FAULT: `mkdir|symlink|unlink|rmdir:${dir}/:EROFS` };
    const r = await cli(w, ["apply", "--commit", c2], env);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toContain(`${dir} is on a read-only file system`);
    expect(snapshot(w.home, w.state)).toEqual(S1);
    expect(await rows(w)).toEqual([
      [1, "applied", true],
      [2, "failed", false],
    ]);
    await expectSettled(w.home, w.state);
    unmountAll();
  });
});

describe("the state dir on another file system than HOME", () => {
  /**
   * /dev/shm when it is another file system than the temp dir HOME is in
   * (Linux), else the injected EXDEV: every rename into or out of the state
   * dir fails as across devices.
   */
  function otherFileSystem(): { state: string; env: Record<string, string> } {
    const shm = "/dev/shm";
    if (existsSync(shm) && statSync(shm).dev !== statSync(tmpdir()).dev) {
      const dir = mkdtempSync(join(shm, "dotops-faults-"));
      cleanup.push(dir);
      return { state: join(dir, "state"), env: {} };
    }
    const state = join(tempDir("dotops-state-"), "state");
    return { state, env: { DOTOPS_FAULT: `rename:${state}:EXDEV` } };
  }
  const cleanup: string[] = [];
  afterAll(() => {
    for (const d of cleanup) rmSync(d, { recursive: true, force: true });
  });

  // Generation 3: ~/.npmrc goes (destructive once edited); ~/.config/app turns from a directory into a file.
  const GEN3: Record<string, string | null> = {
    "home/files.yaml": `files:
  - { target: ~/.zshrc, source: files/zshrc }
  - { target: ~/.config/app, source: files/app.conf }
  - { target: ~/.ssh/config, source: files/ssh_config, mode: copy, permissions: "0600" }
`,
  };

  it("apply, --backup, the trash of destructive steps, an undo out of the trash, rollback and gc all work", async () => {
    const other = otherFileSystem();
    const r3 = await ConfigRepo.create(GEN1);
    const g1 = await r3.head();
    const g3 = await r3.commit(GEN3, "gen 3");
    const { home } = sandbox();
    const w: Where = { home, state: other.state, global: ["--state", other.state] };
    const run = (args: string[], env: Record<string, string> = {}) =>
      dotops(["--repo", r3.dir, ...w.global, ...args], { home, env: { ...other.env, ...env } });

    // --backup: a file of the user's in the way is moved aside in HOME.
    writeFileSync(join(home, ".zshrc"), "mine\n");
    const first = await run(["apply", "--commit", g1, "--backup"]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(readFileSync(join(home, ".zshrc.dotops-backup"), "utf8")).toBe("mine\n");
    expect(readlinkSync(join(home, ".zshrc"))).toBe(join(other.state, "current/home/.zshrc"));
    const atG1 = snapshot(home, w.state);

    // The user edits a copy dotops will remove, and leaves a file where a directory becomes a file.
    writeFileSync(join(home, ".npmrc"), "npm one, edited\n");
    writeFileSync(join(home, ".config/app/mine.txt"), "my notes\n");
    const edited = snapshot(home, w.state);
    const refused = await run(["apply", "--commit", g3]);
    expect(refused.exitCode, refused.stderr).toBe(4);

    // A destructive apply that fails at the end: both moves into the trash are undone, back across.
    const failed = await run(["apply", "--commit", g3, "--allow-destructive"], {
      DOTOPS_FAILPOINT: "commit=throw",
    });
    expect(failed.exitCode, failed.stderr).toBe(1);
    expect(failed.stderr).toContain("apply failed and was undone");
    expect(snapshot(home, w.state)).toEqual(edited);

    const applied = await run(["apply", "--commit", g3, "--allow-destructive"]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(existsSync(join(home, ".npmrc"))).toBe(false);
    expect(readlinkSync(join(home, ".config/app"))).toBe(join(other.state, "current/home/.config/app"));
    const trash = join(w.state, "trash");
    // The apply that failed left its (empty) run dir; this one's holds what it removed.
    const run1 = readdirSync(trash).find((d) => existsSync(join(trash, d, ".npmrc")));
    expect(readFileSync(join(trash, `${run1}/.npmrc`), "utf8")).toBe("npm one, edited\n");
    expect(readFileSync(join(trash, `${run1}/.config/app/mine.txt`), "utf8")).toBe("my notes\n");
    await expectSettled(home, w.state, w.global, other.env);

    const back = await run(["rollback"]);
    expect(back.exitCode, back.stderr).toBe(0);
    expect(snapshot(home, w.state)).toEqual(atG1); // the edits stay in the trash, not in HOME
    const gc = await run(["gc", "--keep", "0"]); // the current generation is always kept
    expect(gc.exitCode, gc.stderr).toBe(0);
    expect(existsSync(trash)).toBe(false);
    expect(snapshot(home, w.state)).toEqual(atG1);
    expect((await generations(home, w.global, other.env)).map((g) => [g.number, g.current])).toEqual([
      [1, true],
    ]);
    await expectSettled(home, w.state, w.global, other.env);
  }, 180_000);

  it("a crash in the middle of a move into the trash is settled by the next command: nothing is lost", async () => {
    const crashes = [
      { what: "while copying", fault: "writeFile:.dotops-partial:kill" },
      { what: "after copying, while removing the original", fault: "removeTree:.dotops-moving:kill" },
    ];
    await forEachIndex(crashes.length, async (i) => {
      const c = crashes[i] as (typeof crashes)[number];
      const other = otherFileSystem();
      const r3 = await ConfigRepo.create(GEN1);
      const g1 = await r3.head();
      const g3 = await r3.commit(GEN3, "gen 3");
      const { home } = sandbox();
      const global = ["--state", other.state];
      const run = (args: string[], fault?: string) =>
        dotops(["--repo", r3.dir, ...global, ...args], {
          home,
          env: { DOTOPS_FAULT: [other.env.DOTOPS_FAULT, fault].filter(Boolean).join(",") },
        });
      expect((await run(["apply", "--commit", g1])).exitCode).toBe(0);
      writeFileSync(join(home, ".npmrc"), "npm one, edited\n");
      writeFileSync(join(home, ".config/app/mine.txt"), "my notes\n");
      const edited = snapshot(home, other.state);

      const crash = await run(["apply", "--commit", g3, "--allow-destructive"], c.fault);
      expect(crash.exitCode, `${c.what}: ${crash.stderr}`).toBe(-1); // SIGKILL
      const st = await run(["status"]);
      expect(st.exitCode, `${c.what}: ${st.stderr}`).toBe(0);
      expect(st.stderr, c.what).toMatch(/rolled back an interrupted apply/);
      expect(snapshot(home, other.state), c.what).toEqual(edited);
      expect(
        (await generations(home, global, other.env)).map((g) => [g.number, g.outcome, g.current]),
      ).toEqual([
        [1, "applied", true],
        [2, "failed", false],
      ]);
      await expectSettled(home, other.state, global, other.env);
    });
  }, 180_000);
});

describe("a journal torn by a power loss", () => {
  /** A HOME whose apply of generation 2 was killed at step `k`, its journal as the kill left it. */
  async function killedAt(k: number): Promise<Where> {
    const w = await at(c1);
    const r = await cli(w, ["apply", "--commit", c2], { DOTOPS_FAILPOINT: `step:${k}=kill` });
    expect(r.exitCode).toBe(-1);
    return w;
  }
  const journalOf = (w: Where) => join(w.state, "journal");

  it("torn in a step line: what it can read is undone, the torn line is reported, nothing crashes", async () => {
    const w = await killedAt(4);
    const text = readFileSync(journalOf(w), "utf8");
    const lastLine = text.slice(text.lastIndexOf("\n", text.length - 2) + 1);
    truncateSync(journalOf(w), text.length - Math.floor(lastLine.length / 2));
    const st = await cli(w, ["status"]);
    expect(st.exitCode, st.stderr).toBe(0);
    expect(st.stderr).toMatch(/rolled back an interrupted apply \(\d+ steps undone\)/);
    expect(st.stderr).toMatch(/1 journal line\(s\) could not be read/);
    expect(snapshot(w.home, w.state)).toEqual(S1);
    expect(await rows(w)).toEqual([
      [1, "applied", true],
      [2, "failed", false],
    ]);
    await expectSettled(w.home, w.state);
  });

  it("torn in its first line (power lost as the apply began): nothing ran, generation 2 is marked failed", async () => {
    const w = await killedAt(0);
    const text = readFileSync(journalOf(w), "utf8");
    truncateSync(journalOf(w), Math.floor(text.indexOf("\n") / 2));
    const r = await cli(w, ["generations"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/could not be read/);
    expect(snapshot(w.home, w.state)).toEqual(S1);
    expect(await rows(w)).toEqual([
      [1, "applied", true],
      [2, "failed", false],
    ]);
    await expectSettled(w.home, w.state);
  });

  it("lines that parse as something else, or name a step this dotops does not know, are reported, not run", async () => {
    const w = await killedAt(4);
    appendFileSync(
      journalOf(w),
      'null\n{"type":"step","i":5}\n{"type":"step","i":6,"step":{"op":"teleport"}}\n7\n',
    );
    const st = await cli(w, ["status"]);
    expect(st.exitCode, st.stderr).toBe(0);
    expect(st.stderr).not.toMatch(/This is a bug/);
    expect(st.stderr).toMatch(/4 journal line\(s\) could not be read/);
    expect(st.stderr).toContain("teleport");
    expect(snapshot(w.home, w.state)).toEqual(S1);
    await expectSettled(w.home, w.state);
  });
});

describe("a crash around the switch of current", () => {
  it("at each point between the generation's record and the journal's end, the next command leaves exactly one generation", async () => {
    const points = [
      // The generation laid out (meta.json pending), the journal not begun.
      {
        what: "before the journal's first line",
        fault: (w: Where) => `appendFile:${w.state}/journal:kill`,
        at: 1,
      },
      // meta.json written, the new `current` made beside the old one but not renamed over it.
      {
        what: "before current is renamed",
        fault: (w: Where) => `rename:${w.state}/current.dotops-new:kill`,
        at: 1,
      },
      // current renamed, every step done and committed, meta.json not yet "applied".
      {
        what: "before the outcome is recorded",
        fault: (w: Where) => `writeFile:${w.state}/generations/2/meta.json:kill`,
        at: 2,
      },
      // Recorded "applied", the journal not yet removed.
      { what: "before the journal is removed", fault: (w: Where) => `unlink:${w.state}/journal:kill`, at: 2 },
    ];
    await forEachIndex(points.length, async (i) => {
      const p = points[i] as (typeof points)[number];
      const w = await at(c1);
      const crash = await cli(w, ["apply", "--commit", c2], { DOTOPS_FAULT: p.fault(w) });
      expect(crash.exitCode, `${p.what}: ${crash.stderr}`).toBe(-1);
      expect(JSON.parse(readFileSync(join(w.state, "lock"), "utf8")).command, p.what).toBe("apply");
      const r = await cli(w, ["generations"]);
      expect(r.exitCode, `${p.what}: ${r.stderr}`).toBe(0);
      expect(snapshot(w.home, w.state), p.what).toEqual(p.at === 1 ? S1 : S2);
      expect(await rows(w), p.what).toEqual(
        p.at === 1
          ? [
              [1, "applied", true],
              [2, "failed", false],
            ]
          : [
              [1, "applied", false],
              [2, "applied", true],
            ],
      );
      expect(readlinkSync(join(w.state, "current")), p.what).toBe(join(w.state, `generations/${p.at}`));
      await expectSettled(w.home, w.state);
    });
  }, 180_000);

  it("a rollback killed before current is renamed leaves generation 2 current and both records as they were", async () => {
    const w = await at(c1);
    expect((await cli(w, ["apply", "--commit", c2])).exitCode).toBe(0);
    const crash = await cli(w, ["rollback", "1"], {
      DOTOPS_FAULT: `rename:${w.state}/current.dotops-new:kill`,
    });
    expect(crash.exitCode, crash.stderr).toBe(-1);
    const st = await cli(w, ["status"]);
    expect(st.exitCode, st.stderr).toBe(0);
    expect(snapshot(w.home, w.state)).toEqual(S2);
    expect(await rows(w)).toEqual([
      [1, "applied", false],
      [2, "applied", true],
    ]);
    await expectSettled(w.home, w.state);
  });
});
