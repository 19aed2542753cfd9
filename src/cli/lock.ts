import { join } from "node:path";
import type { Command } from "commander";
import type { LockChange } from "../inputs/relock.js";
import type { Cli } from "./context.js";
import type { CliFactory } from "./program.js";

export function registerLock(program: Command, cli: CliFactory) {
  program
    .command("lock")
    .description(
      "pin every input and external of dotops.yaml in dotops.lock: add what is missing or stale, keep what is locked",
    )
    .action(async () => writeLock(cli(), "none"));
}

/**
 * `dotops lock` and `dotops update`: dotops.yaml and dotops.lock of the work
 * tree (the lock is a file to review and commit, like flake.lock), the
 * repositories fetched into the state dir's cache.
 */
export async function writeLock(c: Cli, update: string[] | "all" | "none"): Promise<void> {
  const { relock } = await import("../inputs/relock.js");
  const { LOCK_FILE, formatLock, parseLock } = await import("../inputs/lock-file.js");
  const repo = c.repoDir();
  const host = c.engine().host;
  const lockPath = join(repo, LOCK_FILE);
  const entryText = (await host.readFile(join(repo, "dotops.yaml"))).toString("utf8");
  const before = await host.readFile(lockPath).catch(() => undefined);
  const old = before === undefined ? undefined : parseLock(before.toString("utf8"));
  const r = await relock(c.inputCache(repo), entryText, old, update);
  const text = formatLock(r.lock);
  const changed = before?.toString("utf8") !== text;
  const empty = !r.entries.length && !before;
  if (changed && !empty) await host.writeFile(lockPath, text, 0o644);
  if (c.opts.json) {
    c.printJson({ lock: lockPath, changed: changed && !empty, entries: r.entries, removed: r.removed });
    return;
  }
  if (empty) {
    c.print("dotops.yaml declares no inputs or externals: nothing to lock.");
    return;
  }
  for (const e of r.entries) c.print(describe(e));
  for (const k of r.removed) c.print(`${k}: removed from ${LOCK_FILE} (no longer declared)`);
  c.print(
    changed
      ? `Wrote ${lockPath}: review it and commit it (git add ${LOCK_FILE} && git commit).`
      : `${LOCK_FILE} is up to date.`,
  );
}

/** `input base: 1a2b3c4d5e6f → 9f8e7d6c5b4a (3 commits)` */
export function describe(e: LockChange): string {
  const name = `${e.kind} ${e.key}`;
  const at = (rev: string) => rev.slice(0, 12);
  const of = e.archive ? `archive ${e.source}, sha256` : `${e.ref ?? "default branch"} of ${e.source}`;
  if (!e.from) return `${name}: locked at ${at(e.to)} (${of})`;
  if (e.from === e.to) return `${name}: unchanged at ${at(e.to)}`;
  if (e.archive) return `${name}: ${at(e.from)} → ${at(e.to)} (the archive changed; sha256)`;
  const n =
    e.commits === undefined ? "history rewritten" : `${e.commits} commit${e.commits === 1 ? "" : "s"}`;
  return `${name}: ${at(e.from)} → ${at(e.to)} (${n})`;
}
