// Phases: where a dotops command's time went, as dotops itself records it
// (src/engine/timer.ts), so that a regression points at its phase. An applied
// generation's meta.json holds `phases` (ms); `dotops --json apply` prints them
// too. Read after the timed command, so measuring them costs the command nothing.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { round } from "./runner.mjs";

/** The pipeline's phases in order (src/engine/apply.ts). */
export const PHASES = ["source", "config", "modules", "plan", "build", "apply", "record"];
/** Timed inside another phase ("record" runs within "apply"): not added to the sum. */
const NESTED = new Set(["record"]);

/** meta.json of the generation `current` points at in this HOME: { number, phases }, or null. */
export function currentMeta(home) {
  try {
    const meta = JSON.parse(readFileSync(join(home, ".local/state/dotops/current/meta.json"), "utf8"));
    return { number: meta.number, phases: meta.phases ?? {} };
  } catch {
    return null;
  }
}

/**
 * The phases of the generation a timed apply just made (`before`: the current
 * generation's number before it ran), with the wall time they belong to.
 */
export function generationSample(home, wallMs, before) {
  const meta = currentMeta(home);
  if (!meta || meta.number === before) throw new Error(`no new generation in ${home} to read phases from`);
  return { wall: wallMs, phases: meta.phases };
}

/** Phases printed by `dotops --json apply` (stdout of that run), with its wall time. */
export function jsonSample(stdout, wallMs) {
  return { wall: wallMs, phases: JSON.parse(stdout).phases ?? {} };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/**
 * Medians per phase over the samples, plus "outside": the wall time no phase
 * covers (Node start and module loading, the state-dir lock and generation
 * list, printing the result, exit). Medians of parts do not add up exactly.
 */
export function summarisePhases(samples, from) {
  const keys = PHASES.filter((k) => samples.some((s) => k in s.phases));
  for (const s of samples) for (const k of Object.keys(s.phases)) if (!keys.includes(k)) keys.push(k);
  const phases = {};
  for (const k of keys) {
    const xs = samples.filter((s) => k in s.phases).map((s) => s.phases[k]);
    phases[k] = round(median(xs));
  }
  const outside = samples.map(
    (s) => s.wall - Object.entries(s.phases).reduce((a, [k, v]) => a + (NESTED.has(k) ? 0 : v), 0),
  );
  return {
    from,
    samples: samples.length,
    wall: round(median(samples.map((s) => s.wall))),
    phases,
    outside: round(median(outside)),
  };
}

/** For scenarios dotops records no phases for. */
export const notRecorded = (why) => ({ notRecorded: why });
