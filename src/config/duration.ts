/*
 * The one duration grammar of dotops: config values (agent.interval, health
 * check timeouts), `agent --interval` and `gc --older-than` all go through
 * here, so what the config accepts the command line accepts too. Kept apart
 * from the schema so that light processes (the agent's supervisor) need no zod.
 */

/** A whole number and a unit: ms, s, m, h or d (e.g. "60s", "30d"). */
export const DURATION_PATTERN = /^(\d+)(ms|s|m|h|d)$/;

/** What a bad value is told it should look like. */
export const DURATION_HINT = 'a duration like "60s", "10m", "2h" or "30d"';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function isDuration(text: string): boolean {
  return DURATION_PATTERN.test(text);
}

/** "60s" → 60000; throws on anything isDuration rejects. */
export function parseDuration(text: string): number {
  const m = DURATION_PATTERN.exec(text);
  if (!m) throw new Error(`"${text}" is not ${DURATION_HINT}`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** 90000 → "90s", for messages that echo a limit back. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ["d", UNIT_MS.d],
    ["h", UNIT_MS.h],
    ["m", UNIT_MS.m],
    ["s", UNIT_MS.s],
  ] as const)
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
