// The agent as a long-running process: start it against a bare remote, wait
// for it to apply a commit, and sample its memory and CPU from /proc.
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { CLI, round } from "./runner.mjs";

const CLK_TCK = 100; // getconf CLK_TCK on Linux

export function startAgent(home, { remote, interval, env = {}, logFile }) {
  const child = spawn(
    process.execPath,
    [CLI, "-v", "--log-format", "json", "agent", "--remote", remote, "--interval", interval],
    {
      env: { PATH: process.env.PATH, LANG: "C.UTF-8", NO_COLOR: "1", HOME: home, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  if (logFile) child.stderr.pipe(createWriteStream(logFile));
  else child.stderr.resume();
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return { child, pid: child.pid, home, exited };
}

export async function stopAgent(agent) {
  agent.child.kill("SIGTERM");
  const t = setTimeout(() => agent.child.kill("SIGKILL"), 20_000);
  const r = await agent.exited;
  clearTimeout(t);
  return r;
}

/** The commit of the generation `current` points at in this HOME's state dir, or null. */
export function currentCommit(home) {
  const state = join(home, ".local/state/dotops");
  try {
    const gen = readlinkSync(join(state, "current"));
    return JSON.parse(readFileSync(join(gen, "meta.json"), "utf8")).commit ?? null;
  } catch {
    return null;
  }
}

export async function waitFor(what, fn, timeoutMs = 120_000, everyMs = 50) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * VmRSS/VmHWM (KiB) and CPU ticks of the process itself and of its reaped
 * children: each reconcile runs in a short-lived process of its own, which runs git.
 */
export function procSample(pid) {
  if (!existsSync(`/proc/${pid}/stat`)) return null;
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the ")" of comm: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const tick = (i) => Number(f[i - 3]);
  return {
    t: Date.now(),
    rssKiB: kib("VmRSS"),
    hwmKiB: kib("VmHWM"),
    self: tick(14) + tick(15),
    children: tick(16) + tick(17),
  };
}

/** Times (ms epoch) at which the agent finished a poll, from its JSON log on stderr. */
export function pollTimes(logFile) {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, "utf8")
    .split("\n")
    .flatMap((l) => {
      try {
        const j = JSON.parse(l);
        return j.msg === "up to date" ? [Date.parse(j.time)] : [];
      } catch {
        return [];
      }
    });
}

/**
 * Samples the agent every `everyMs` for `seconds`. CPU "between polls" is the
 * agent's own CPU in sample windows more than `quietMs` away from any poll.
 */
export async function sampleIdle(agent, { seconds, everyMs = 250, logFile, quietMs = 1500 }) {
  const samples = [];
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    const s = procSample(agent.pid);
    if (!s) throw new Error("the agent exited during the idle measurement");
    samples.push(s);
    await new Promise((r) => setTimeout(r, everyMs));
  }
  const first = samples[0];
  const last = samples.at(-1);
  const polls = pollTimes(logFile).filter((t) => t >= first.t && t <= last.t);
  let betweenTicks = 0;
  let betweenMs = 0;
  for (let i = 1; i < samples.length; i++) {
    const [a, b] = [samples[i - 1], samples[i]];
    const nearPoll = polls.some((p) => p >= a.t - quietMs && p <= b.t + quietMs);
    if (nearPoll) continue;
    betweenTicks += b.self - a.self;
    betweenMs += b.t - a.t;
  }
  const wallS = (last.t - first.t) / 1000;
  const selfS = (last.self - first.self) / CLK_TCK;
  const childS = (last.children - first.children) / CLK_TCK;
  return {
    seconds: round(wallS),
    polls: polls.length,
    rssMiB: {
      min: round(Math.min(...samples.map((s) => s.rssKiB)) / 1024),
      max: round(Math.max(...samples.map((s) => s.rssKiB)) / 1024),
      last: round(last.rssKiB / 1024),
    },
    peakRssMiB: round(last.hwmKiB / 1024),
    cpuSeconds: { agent: round(selfS, 2), gitChildren: round(childS, 2) },
    cpuPercent: round(((selfS + childS) / wallS) * 100, 2),
    cpuPerPollMs: polls.length ? round(((selfS + childS) / polls.length) * 1000) : null,
    betweenPolls: {
      seconds: round(betweenMs / 1000),
      cpuSeconds: round(betweenTicks / CLK_TCK, 2),
      cpuPercent: betweenMs ? round((betweenTicks / CLK_TCK / (betweenMs / 1000)) * 100, 2) : null,
    },
  };
}
