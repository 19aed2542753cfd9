import { parseDuration } from "../config/duration.js";
import type { ConfigProblem } from "../errors.js";
import type { RolloutConfig } from "./schema.js";

/*
 * Which wave each host is in: `rollout.waves` lists them in order, a host may
 * say `wave: N` instead, and a host in neither goes last, after every listed
 * wave (a machine nobody placed is never a canary). Numbers are the user's:
 * a wave nobody is in is skipped, not renumbered.
 */

/** What an agent needs to know of the rollout, for its host: JSON, handed from one pass to the next. */
export interface Rollout {
  /** Host names by wave, wave 1 first; a wave may be empty. */
  waves: string[][];
  /** This host's wave, 1-based. */
  wave: number;
  minSuccess: NonNullable<RolloutConfig["minSuccess"]>;
  bakeMs: number;
  onFailure: NonNullable<RolloutConfig["onFailure"]>;
}

interface EntryLike {
  rollout?: RolloutConfig;
  hosts: Record<string, { wave?: number; agent?: { github?: { statuses?: boolean } } }>;
  agent?: { github?: { statuses?: boolean } };
}

/** Host names by wave (index 0 is wave 1); null without `rollout:`. */
export function wavesOf(entry: EntryLike): string[][] | null {
  if (!entry.rollout) return null;
  const waves: string[][] = (entry.rollout.waves ?? []).map((w) => [...w]);
  const placed = new Set(waves.flat());
  for (const [name, h] of Object.entries(entry.hosts)) {
    if (h.wave === undefined || placed.has(name)) continue;
    while (waves.length < h.wave) waves.push([]);
    waves[h.wave - 1]?.push(name);
    placed.add(name);
  }
  const rest = Object.keys(entry.hosts).filter((n) => !placed.has(n));
  if (rest.length) waves.push(rest);
  return waves.map((w) => [...w].sort());
}

/** The rollout as `host` sees it; undefined without `rollout:`. */
export function rolloutFor(entry: EntryLike, host: string): Rollout | undefined {
  const waves = wavesOf(entry);
  if (!waves || !entry.rollout) return undefined;
  return {
    waves,
    wave: waves.findIndex((w) => w.includes(host)) + 1,
    minSuccess: entry.rollout.minSuccess ?? "all",
    bakeMs: entry.rollout.bake ? parseDuration(entry.rollout.bake) : 0,
    onFailure: entry.rollout.onFailure ?? "halt",
  };
}

/** The waves before `wave` that hold a host: the ones a host of `wave` waits for. */
export function earlierWaves(r: Pick<Rollout, "waves">, wave: number): { wave: number; hosts: string[] }[] {
  return r.waves
    .slice(0, wave - 1)
    .map((hosts, i) => ({ wave: i + 1, hosts }))
    .filter((w) => w.hosts.length > 0);
}

/** How many of a wave's `size` hosts must report success. */
export function needed(min: Rollout["minSuccess"], size: number): number {
  if (min === "all") return size;
  if (typeof min === "number") return Math.min(min, size);
  return Math.ceil((Number(min.slice(0, -1)) / 100) * size);
}

/**
 * What the schema cannot see: a wave naming a host that does not exist, a
 * host in two waves, `wave:` without `rollout:`, and a host that must wait
 * for an earlier wave but has no agent.github to read its statuses from.
 */
export function rolloutProblems(
  entry: EntryLike,
  at: (path: (string | number)[]) => Omit<ConfigProblem, "message">,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const say = (path: (string | number)[], message: string) => problems.push({ message, ...at(path) });
  if (!entry.rollout) {
    for (const [name, h] of Object.entries(entry.hosts))
      if (h.wave !== undefined)
        say(
          ["hosts", name, "wave"],
          "a wave needs `rollout:` in dotops.yaml (e.g. `rollout: { bake: 30m }`)",
        );
    return problems;
  }
  const listedIn = new Map<string, number>();
  for (const [i, wave] of (entry.rollout.waves ?? []).entries()) {
    for (const [j, name] of wave.entries()) {
      const path = ["rollout", "waves", i, j];
      const h = entry.hosts[name];
      const before = listedIn.get(name);
      if (!h) say(path, `no host named ${name} in hosts`);
      else if (before !== undefined) say(path, `host ${name} is in wave ${before} and wave ${i + 1}`);
      else {
        listedIn.set(name, i + 1);
        if (h.wave !== undefined && h.wave !== i + 1)
          say(
            ["hosts", name, "wave"],
            `hosts.${name}.wave says ${h.wave}, rollout.waves puts ${name} in wave ${i + 1}`,
          );
      }
    }
  }
  if (problems.length) return problems;
  // With two waves or more every host talks to GitHub: the earlier ones report, the later ones read.
  const all = wavesOf(entry) ?? [];
  const waves = earlierWaves({ waves: all }, all.length + 1);
  const last = waves.at(-1)?.wave;
  if (waves.length < 2) return problems;
  for (const { wave, hosts } of waves)
    for (const name of hosts) {
      // A host's agent settings replace the common ones key by key: its github is whole.
      const github = entry.hosts[name]?.agent?.github ?? entry.agent?.github;
      if (!github)
        say(
          ["hosts", name],
          wave === waves[0]?.wave
            ? `host ${name} is in wave ${wave} but has no agent.github: the later waves learn from its GitHub commit statuses whether it applied a commit`
            : `host ${name} is in wave ${wave} but has no agent.github: it learns whether the earlier waves applied a commit from their GitHub commit statuses`,
        );
      else if (github.statuses === false && wave !== last)
        say(
          ["hosts", name],
          `host ${name} is in wave ${wave}, which a later wave waits on, but its agent.github.statuses is false: it would never report, and the later waves would wait for ever`,
        );
    }
  return problems;
}
