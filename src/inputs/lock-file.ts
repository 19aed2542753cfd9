import { z } from "zod";
import { ConfigError, type ConfigProblem } from "../errors.js";

/**
 * dotops.lock: the commit each input and external is pinned to (flake.lock).
 * JSON with sorted keys and one entry per input, so a lock change reads as a
 * one-line diff in review. Pure: parsed from and written to text.
 */
export const LOCK_FILE = "dotops.lock";

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

const GitLockSchema = z.strictObject({
  git: z.string().min(1),
  ref: z.string().min(1).optional(),
  rev: z.string().regex(SHA, "a full commit id (40 hex digits)"),
  locked: z.string().min(1),
});

const ArchiveLockSchema = z.strictObject({
  archive: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "the archive's sha256 (64 hex digits)"),
  locked: z.string().min(1),
});

const LockEntrySchema = z.union([GitLockSchema, ArchiveLockSchema]);

const LockSchema = z.strictObject({
  version: z.literal(1),
  inputs: z.record(z.string(), GitLockSchema).default({}),
  externals: z.record(z.string(), LockEntrySchema).default({}),
});

export type LockEntry = z.infer<typeof LockEntrySchema>;
export type GitLock = z.infer<typeof GitLockSchema>;
export type LockFile = z.infer<typeof LockSchema>;

export const emptyLock = (): LockFile => ({ version: 1, inputs: {}, externals: {} });

/** The lock as committed; invalid JSON points at file:line:col, a wrong shape names the key. */
export function parseLock(text: string, file = LOCK_FILE): LockFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const at = jsonErrorPosition(text, (err as Error).message);
    throw new ConfigError([
      {
        message: `${file} is not valid JSON (${(err as Error).message.replace(/ in JSON at position \d+.*$/, "")}): fix it, or delete it and run \`dotops lock\``,
        ...(at ? { origin: { file, ...at } } : {}),
      },
    ]);
  }
  const r = LockSchema.safeParse(raw);
  if (r.success) return r.data;
  const problems: ConfigProblem[] = r.error.issues.map((i) => ({
    message: `${file}: ${i.message}; run \`dotops lock\` to write it again`,
    path: i.path
      .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
      .join("")
      .slice(1),
  }));
  throw new ConfigError(problems);
}

/** Sorted keys, two spaces, a final newline: the same lock is always the same bytes. */
export function formatLock(lock: LockFile): string {
  return `${JSON.stringify(sortKeys(lock), null, 2)}\n`;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v !== "object" || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
  return out;
}

/** Line and column of a JSON.parse error (V8 gives a character position). */
function jsonErrorPosition(text: string, message: string): { line: number; col: number } | undefined {
  const m = /position (\d+)/.exec(message);
  if (!m) return undefined;
  const before = text.slice(0, Number(m[1]));
  const line = before.split("\n").length;
  return { line, col: before.length - before.lastIndexOf("\n") };
}
