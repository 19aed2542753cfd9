/**
 * The state-dir lock under contention: real processes racing to take over a
 * stale lock (its holder's pid is dead), and lock files dotops did not write.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundleScript, ConfigRepo, dotops, minimalConfig, sandbox, tempDir } from "./helpers.js";

const WORKERS = 8;
const ROUNDS = Number(process.env.LOCK_RACE_ROUNDS ?? 60);

/**
 * One racer: on each "go" line from stdin it tries to take the lock; when it
 * gets it, it appends "enter <id>", holds the lock a few ms, appends
 * "exit <id>" and releases. O_APPEND writes land in the file in the order
 * they happen, so two holders at once show up as two enters in a row,
 * whatever the clocks say.
 */
const WORKER = `
import { appendFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { acquireLock } from "./src/engine/lock.ts";
import { RealHost } from "./src/host/real-host.ts";
const [lockPath, events, id] = process.argv.slice(2);
const host = new RealHost({ home: process.env.HOME ?? "/" });
const log = (line) => appendFileSync(events, line + "\\n");
for await (const round of createInterface({ input: process.stdin })) {
  try {
    const lock = await acquireLock(host, lockPath, "race");
    log(\`\${round} enter \${id} \${process.hrtime.bigint()}\`);
    await new Promise((r) => setTimeout(r, 3));
    log(\`\${round} exit \${id} \${process.hrtime.bigint()}\`);
    await lock.release();
  } catch (err) {
    log(\`\${round} \${/locked by/.test(err.message) ? "busy" : "error"} \${id} \${JSON.stringify(err.message)}\`);
  }
  process.stdout.write("done\\n");
}
`;

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", ""]);
  return r.pid as number;
}

describe("lock", () => {
  it(`${WORKERS} processes racing to take over a stale lock never hold it at once (${ROUNDS} rounds)`, async () => {
    const dir = tempDir("dotops-lock-");
    const script = join(dir, "worker.mjs");
    await bundleScript(WORKER, script);
    const lockPath = join(dir, "lock");
    const events = join(dir, "events");
    writeFileSync(events, "");
    const workers = Array.from({ length: WORKERS }, (_, id) =>
      spawn(process.execPath, [script, lockPath, events, String(id)], { stdio: ["pipe", "pipe", "inherit"] }),
    );
    let done = 0;
    let wake: (() => void) | undefined;
    for (const w of workers)
      w.stdout.on("data", (d: Buffer) => {
        done += String(d).split("\n").filter(Boolean).length;
        wake?.();
      });
    const allDone = (n: number) =>
      new Promise<void>((resolve) => {
        wake = () => done >= n && resolve();
        wake();
      });
    const pid = deadPid();
    try {
      for (let round = 0; round < ROUNDS; round++) {
        writeFileSync(lockPath, JSON.stringify({ pid, command: "apply", since: "2020-01-01T00:00:00.000Z" }));
        for (const w of workers) w.stdin.write(`${round}\n`);
        await allDone((round + 1) * WORKERS);
        expect(existsSync(lockPath), `round ${round}: the last holder released the lock`).toBe(false);
      }
    } finally {
      for (const w of workers) w.stdin.end();
    }
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once("exit", resolve))));

    const lines = readFileSync(events, "utf8").split("\n").filter(Boolean);
    let overlaps = 0;
    const entered = new Set<number>();
    let inside: string | null = null;
    for (const line of lines) {
      const [round, what, id] = line.split(" ") as [string, string, string];
      if (what === "enter") {
        if (inside !== null) overlaps++;
        inside = id;
        entered.add(Number(round));
      } else if (what === "exit") inside = null;
    }
    expect(overlaps, lines.join("\n")).toBe(0);
    // Losers are told who holds it; nobody gives up on a lock that is free or stale.
    expect(lines.filter((l) => / error /.test(l))).toEqual([]);
    // Every round the stale lock was taken over by someone.
    expect(entered.size).toBe(ROUNDS);
  }, 120_000);

  describe("a lock file dotops did not write", () => {
    async function setup() {
      const cfg = await ConfigRepo.create(minimalConfig());
      const { home, state } = sandbox();
      mkdirSync(state, { recursive: true });
      const lockPath = join(state, "lock");
      const apply = () => dotops(["--repo", cfg.dir, "apply"], { home });
      return { home, lockPath, apply };
    }

    for (const [what, text] of [
      ["garbage", "hello\n"],
      ["JSON without a pid", '{"owner":"someone"}'],
      ["a pid that is no process", '{"pid":-1}'],
    ] as const) {
      it(`is refused, naming the file and what to do: ${what}`, async () => {
        const { home, lockPath, apply } = await setup();
        writeFileSync(lockPath, text);
        utimesSync(lockPath, new Date(0), new Date(0)); // old: age alone does not make it stale
        const r = await apply();
        expect(r.exitCode, r.stderr).toBe(1);
        expect(r.stderr).toContain(`error: the lock file ${lockPath} is not a dotops lock`);
        expect(r.stderr).toContain(`hint: if no dotops is running, remove it (rm ${lockPath}) and try again`);
        expect(r.stderr).not.toMatch(/This is a bug/);
        expect(readFileSync(lockPath, "utf8")).toBe(text);
        expect(existsSync(join(home, ".zshrc"))).toBe(false);
      });
    }

    it("an empty lock older than a few seconds is a crash between create and write: taken over", async () => {
      const { home, lockPath, apply } = await setup();
      writeFileSync(lockPath, "");
      const old = new Date(Date.now() - 60_000);
      utimesSync(lockPath, old, old);
      const r = await apply();
      expect(r.exitCode, r.stderr).toBe(0);
      expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
      expect(existsSync(lockPath)).toBe(false);
    });

    it("a fresh empty lock is a process about to write its pid: waited for, not taken over", async () => {
      const { home, lockPath, apply } = await setup();
      const sleeper = spawn("sleep", ["30"], { stdio: "ignore" });
      try {
        writeFileSync(lockPath, "");
        const running = apply();
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const body = JSON.stringify({ pid: sleeper.pid, command: "apply" });
        writeFileSync(lockPath, body);
        const r = await running;
        expect(r.exitCode, r.stderr).toBe(1);
        expect(r.stderr).toContain(`locked by dotops apply (pid ${sleeper.pid}`);
        expect(readFileSync(lockPath, "utf8")).toBe(body);
        expect(existsSync(join(home, ".zshrc"))).toBe(false);
      } finally {
        sleeper.kill("SIGKILL");
      }
    });
  });
});
