// Runner: runs a command as a user would (its own process, HOME in a sandbox),
// times it by wall clock from spawn to exit, and summarises repetitions.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { makeHome } from "./tree.mjs";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** BENCH_CLI: another build of dotops to measure (e.g. one without a fix, for before/after). */
export const CLI = process.env.BENCH_CLI ?? join(ROOT, "dist/cli/main.js");
export const WORK = join(ROOT, "bench/work");
export const RUN = join(WORK, "run");
/** The no-op floor's name in the results (bench/floor.mjs). */
export const FLOOR = "node + lstat of the managed paths (floor)";

/** Runs `cmd` to completion; returns its wall time in ms. Throws when it fails (unless `ok` accepts the status). */
export function run(cmd, args, { env = {}, cwd, ok = (s) => s === 0, capture = false } = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd,
    env: { PATH: process.env.PATH, LANG: "C.UTF-8", NO_COLOR: "1", ...env },
    stdio: ["ignore", capture ? "pipe" : "ignore", "pipe"],
    maxBuffer: 256 << 20,
    encoding: "utf8",
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw r.error;
  if (!ok(r.status))
    throw new Error(`${cmd} ${args.join(" ")} exited ${r.status ?? r.signal}:\n${r.stderr.slice(-2000)}`);
  return { ms, status: r.status, stdout: r.stdout ?? "", stderr: r.stderr };
}

/** The built dotops CLI with HOME (and so the state dir) in `home`. */
export function dotops(home, args, opts = {}) {
  return run(process.execPath, [CLI, ...args], { ...opts, env: { HOME: home, ...opts.env } });
}

/**
 * The same, with bench/rss-preload.mjs loaded first: also returns the dotops
 * process's peak RSS in KiB. Kept out of the timed runs (it loads one more module).
 */
export function dotopsPeakRss(home, args, opts = {}) {
  const file = join(tempIn("rss-"), "maxrss");
  const preload = pathToFileURL(join(ROOT, "bench/rss-preload.mjs")).href;
  const r = run(process.execPath, ["--import", preload, CLI, ...args], {
    ...opts,
    env: { HOME: home, BENCH_RSS_FILE: file, ...opts.env },
  });
  return { ...r, maxRssKiB: Number(readFileSync(file, "utf8")) };
}

/**
 * Flushes dirty pages (sync(1)) before a measurement. dotops fsyncs its store
 * and journal, and on ext4 an fsync also waits for data other processes left
 * dirty (the previous repetition, a peer that never syncs): without this, each
 * measurement would pay for the writeback of the one before.
 */
export function settle() {
  spawnSync("sync");
}

/**
 * Repeats a measurement: `setup(i)` (untimed) prepares, `measure(state, i)`
 * returns milliseconds. Returns min, median, every sample.
 */
export function repeat(reps, measure, setup = () => undefined) {
  const samples = [];
  for (let i = 0; i < reps; i++) {
    const state = setup(i);
    settle();
    samples.push(round(measure(state, i)));
  }
  return stats(samples);
}

export function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median: round(median), samples };
}

export const round = (x, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

let homes = 0;
/** A fresh sandbox HOME that already holds unmanaged files in ~/.config. */
export function freshHome(label) {
  const dir = join(RUN, "homes", `${label}-${homes++}`);
  mkdirSync(dir, { recursive: true });
  return makeHome(dir);
}

export function tempIn(prefix) {
  mkdirSync(RUN, { recursive: true });
  return mkdtempSync(join(RUN, prefix));
}

export function cleanRun() {
  rmSync(RUN, { recursive: true, force: true });
  mkdirSync(RUN, { recursive: true });
}

export function log(msg) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}
