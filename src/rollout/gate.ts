import { formatDuration } from "../config/duration.js";
import { readReport } from "../report/github.js";
import { earlierWaves, needed, type Rollout } from "./waves.js";

/*
 * The rollout decision for one commit, from the commit's statuses alone (what
 * every host's agent reported on it): no server holds rollout state, so every
 * agent of a wave reaches the same answer from the same statuses.
 */

/** A host's report on the commit: its status `dotops/<host>`. */
export interface HostReport {
  state: string;
  description: string | null;
  /** When GitHub recorded it (epoch ms). */
  at: number;
}

export type Gate =
  | { go: true }
  /** Not yet: the earlier waves have not applied it, or the last one is still baking (until `notBefore`). */
  | { go: false; kind: "waiting"; wave: number; reason: string; notBefore?: number }
  /** Never, for this commit: a host of an earlier wave failed it. */
  | { go: false; kind: "halted"; wave: number; reason: string };

/** What becomes of a wave for a commit: `dotops fleet` shows it per commit. */
export interface WaveState {
  wave: number;
  hosts: string[];
  state: "done" | "baking" | "applying" | "waiting" | "halted";
  succeeded: string[];
  failed: string[];
  needed: number;
  /** When minSuccess of its hosts had reported success (epoch ms). */
  greenAt: number | null;
}

// A host that halted the commit itself failed nothing: the wave before it did, and says so.
const FAILED = new Set(["failed", "rolled-back", "refused"]);
const DID: Record<string, string> = {
  failed: "failed it",
  "rolled-back": "rolled it back",
  refused: "refused it",
};
/** Whole seconds, as the config writes durations. */
const seconds = (ms: number) => formatDuration(Math.max(1000, Math.floor(ms / 1000) * 1000));

/** Each wave's state for a commit, wave 1 first; empty waves are left out. */
export function waveStates(
  r: Omit<Rollout, "wave">,
  reports: Map<string, HostReport>,
  now: number,
): WaveState[] {
  const out: WaveState[] = [];
  let blocked: WaveState["state"] | null = null;
  let prevGreen: number | null = null;
  for (const { wave, hosts } of earlierWaves(r, r.waves.length + 1)) {
    const succeeded: { host: string; at: number }[] = [];
    const failed: string[] = [];
    for (const host of hosts) {
      const rep = reports.get(host);
      if (!rep) continue;
      const { outcome, generation } = readReport(rep.state, rep.description);
      // An agent's success names the generation; the Action's plan statuses share the context, not that.
      if (outcome === "applied" && generation !== null) succeeded.push({ host, at: rep.at });
      else if (FAILED.has(outcome)) failed.push(host);
    }
    succeeded.sort((a, b) => a.at - b.at);
    const need = needed(r.minSuccess, hosts.length);
    const greenAt = succeeded.length >= need ? (need ? (succeeded[need - 1]?.at ?? null) : now) : null;
    let state: WaveState["state"];
    if (blocked) state = blocked === "halted" ? "halted" : "waiting";
    else if (failed.length && r.onFailure === "halt") state = "halted";
    else if (greenAt !== null) state = "done";
    else state = prevGreen !== null && now - prevGreen < r.bakeMs ? "baking" : "applying";
    if (out.length === 0 && state === "baking") state = "applying"; // wave 1 waits for nobody
    out.push({ wave, hosts, state, succeeded: succeeded.map((s) => s.host), failed, needed: need, greenAt });
    if (state === "halted") blocked = "halted";
    else if (state !== "done") blocked ??= "waiting";
    prevGreen = greenAt;
  }
  return out;
}

/** May a host of wave `r.wave` apply the commit these reports are on? */
export function gate(r: Rollout, reports: Map<string, HostReport>, now: number): Gate {
  const before = waveStates(r, reports, now).filter((w) => w.wave < r.wave);
  const halted = before.find((w) => w.failed.length && r.onFailure === "halt");
  if (halted) {
    const host = halted.failed[0] as string;
    const rep = reports.get(host);
    const what = rep ? readReport(rep.state, rep.description).outcome : "failed";
    return {
      go: false,
      kind: "halted",
      wave: halted.wave,
      reason: `halted: wave ${halted.wave} host ${host} ${DID[what] ?? "failed it"}${rep?.description ? ` (${rep.description})` : ""}`,
    };
  }
  const i = before.findIndex((w) => w.greenAt === null);
  const short = before[i];
  if (short) {
    const missing = short.hosts.filter((h) => !short.succeeded.includes(h));
    // A wave that cannot start before the one ahead of it has baked: nothing to ask until then.
    const ahead = before[i - 1]?.greenAt;
    const baking = ahead != null && now - ahead < r.bakeMs ? { notBefore: ahead + r.bakeMs } : {};
    return {
      go: false,
      kind: "waiting",
      wave: short.wave,
      reason: `waiting for wave ${short.wave}: ${short.succeeded.length} of ${short.needed} needed applied (not yet: ${missing.join(", ")})`,
      ...baking,
    };
  }
  const last = before.at(-1);
  if (last?.greenAt != null && now - last.greenAt < r.bakeMs) {
    const notBefore = last.greenAt + r.bakeMs;
    return {
      go: false,
      kind: "waiting",
      wave: last.wave,
      reason: `waiting for wave ${last.wave} to bake: green ${seconds(now - last.greenAt)} of ${formatDuration(r.bakeMs)}, until ${new Date(notBefore).toISOString()}`,
      notBefore,
    };
  }
  return { go: true };
}
