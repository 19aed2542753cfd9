import { DotopsError } from "../errors.js";
import { type Host, isHostError } from "../host/host.js";

export interface Lock {
  release(): Promise<void>;
}

/**
 * A zero-length lock this old was left by a process that died between
 * creating the file and writing its pid (creation and write are two steps).
 * Younger, it is most likely a live process about to write it.
 */
export const EMPTY_LOCK_STALE_MS = 5_000;
/**
 * How long to keep trying while other processes are mid-takeover or
 * mid-write: long enough for an empty lock to become stale meanwhile.
 */
const CONTENTION_MS = EMPTY_LOCK_STALE_MS + 2_000;

interface Holder {
  pid: number;
  /** The machine it runs on (absent in locks of older versions: this one). */
  host?: string;
  command?: string;
  since?: string;
}

/** The state dir is locked by a process that is (or may be) running: wait, or remove a lock known to be stale. */
export class LockedError extends DotopsError {
  constructor(message: string, hint: string) {
    super(message, 1, hint);
    this.name = "LockedError";
  }
}

/** What is at the lock path right now; `text` and `mtimeMs` identify that very file. */
type Seen =
  | { kind: "gone" }
  | { kind: "held"; holder: Holder }
  | { kind: "remote"; holder: Holder }
  | { kind: "stale"; text: string; mtimeMs: number }
  | { kind: "writing" }
  | { kind: "foreign"; text: string };

/**
 * One writer per state dir. The lock file holds the owner's pid; a lock whose
 * process is gone (kill -9, power loss) is stale and taken over.
 *
 * Taking over must be atomic: two processes that both see the dead pid must
 * not both remove the file and both create their own. So removing a stale
 * lock takes a second, short-lived lock (`<lock>.takeover`, created with
 * O_EXCL): while its holder sees the stale lock unchanged, nobody else can
 * remove it (only a takeover holder removes a lock it does not own) and
 * nobody can create one (the file exists), so the file it removes is the
 * stale one. Everyone then races on the plain O_EXCL create again.
 *
 * The lock records the machine too: a state dir can be shared (a network or
 * synced folder), and a pid says nothing about another machine's processes.
 * A lock from another machine is refused, never taken over.
 *
 * A lock file dotops did not write (not JSON with a pid) is refused, not
 * taken over: it may be another tool's, or a hand edit, and guessing wrong
 * means two writers. The exception is an empty file older than
 * EMPTY_LOCK_STALE_MS, which is what a crash between create and write leaves.
 */
export async function acquireLock(host: Host, path: string, command: string): Promise<Lock> {
  const body = JSON.stringify({
    pid: process.pid,
    host: host.hostname(),
    command,
    since: new Date().toISOString(),
  });
  const deadline = Date.now() + CONTENTION_MS;
  for (;;) {
    if (await host.createExclusive(path, body)) {
      return { release: () => releaseIfOurs(host, path, body) };
    }
    const seen = await inspect(host, path);
    if (seen.kind === "held" || seen.kind === "remote") throw lockedError(path, seen);
    if (seen.kind === "foreign") {
      throw new LockedError(
        `the lock file ${path} is not a dotops lock (it holds ${JSON.stringify(seen.text.slice(0, 60))}${seen.text.length > 60 ? "…" : ""}), so dotops cannot tell whether its owner is still running`,
        `if no dotops is running, remove it (rm ${path}) and try again`,
      );
    }
    if (Date.now() > deadline) {
      throw new LockedError(
        `could not take the lock ${path}: other processes kept taking it over or creating it`,
        "try again; if this persists and no dotops is running, remove the lock file",
      );
    }
    if (seen.kind === "stale") await takeOver(host, path, seen);
    else if (seen.kind === "writing") await sleep(10); // its owner writes the pid next
    // "gone": released in between; create again.
  }
}

function lockedError(path: string, seen: { kind: "held" | "remote"; holder: Holder }): LockedError {
  const { holder } = seen;
  const who = `dotops${holder.command ? ` ${holder.command}` : ""}`;
  const when = `pid ${holder.pid}, since ${holder.since ?? "?"}`;
  if (seen.kind === "remote")
    return new LockedError(
      `the state dir is locked by ${who} on another machine, ${holder.host} (${when}): ${path}`,
      `the state dir is shared with ${holder.host} (a network or synced folder), so dotops cannot tell from here whether that process still runs; wait for it to finish, and if no dotops is running on ${holder.host}, remove the lock file (rm ${path})`,
    );
  return new LockedError(
    `the state dir is locked by ${who} (${when}): ${path}`,
    "wait for it to finish; if no dotops is running, remove the lock file",
  );
}

/** The error taking the lock would raise right now for a holder that is running (or on another machine), else null. */
export async function lockedBy(host: Host, path: string): Promise<LockedError | null> {
  const seen = await inspect(host, path);
  return seen.kind === "held" || seen.kind === "remote" ? lockedError(path, seen) : null;
}

/** Removes the stale lock `stale` if, under the takeover lock, it is still that very file. */
async function takeOver(host: Host, path: string, stale: { text: string; mtimeMs: number }): Promise<void> {
  const marker = `${path}.takeover`;
  const mine = JSON.stringify({ pid: process.pid, host: host.hostname(), since: new Date().toISOString() });
  if (!(await host.createExclusive(marker, mine))) {
    // Someone else is taking over. A marker left by a process that died in
    // those few milliseconds would block every takeover: it goes. (Removing
    // it is a check-then-act; it takes a crash inside a takeover *and* a
    // racer between our read and unlink to matter.)
    const m = await inspect(host, marker);
    if (m.kind === "stale" && sameFile(await inspect(host, marker), m)) await host.unlink(marker);
    else await sleep(2);
    return;
  }
  try {
    if (sameFile(await inspect(host, path), stale)) await host.unlink(path);
  } finally {
    await host.unlink(marker);
  }
}

/** Is the lock held right now by a live process (or being written)? For readers that must not wait. */
export async function lockHeld(host: Host, path: string): Promise<boolean> {
  const seen = await inspect(host, path);
  return seen.kind === "held" || seen.kind === "remote" || seen.kind === "writing";
}

function sameFile(seen: Seen, stale: { text: string; mtimeMs: number }): boolean {
  return seen.kind === "stale" && seen.text === stale.text && seen.mtimeMs === stale.mtimeMs;
}

async function inspect(host: Host, path: string): Promise<Seen> {
  const st = await host.lstat(path);
  if (!st) return { kind: "gone" };
  let text: string;
  try {
    text = (await host.readFile(path)).toString("utf8");
  } catch (err) {
    if (isHostError(err, "ENOENT")) return { kind: "gone" };
    throw err;
  }
  if (text === "") {
    return Date.now() - st.mtimeMs > EMPTY_LOCK_STALE_MS
      ? { kind: "stale", text, mtimeMs: st.mtimeMs }
      : { kind: "writing" };
  }
  const holder = parseHolder(text);
  if (!holder) return { kind: "foreign", text };
  if (holder.host !== undefined && holder.host !== host.hostname()) return { kind: "remote", holder };
  // Our own pid in a lock we are not holding is a pid reused after a reboot.
  if (holder.pid !== process.pid && host.processAlive(holder.pid)) return { kind: "held", holder };
  return { kind: "stale", text, mtimeMs: st.mtimeMs };
}

function parseHolder(text: string): Holder | null {
  try {
    const v = JSON.parse(text);
    // kill(0) and kill(-1) address process groups: such a pid is no owner.
    if (!Number.isInteger(v?.pid) || v.pid <= 0) return null;
    return v.host === undefined || typeof v.host === "string" ? v : null;
  } catch {
    return null;
  }
}

/** Removes the lock only while it is still ours: never a lock someone took over from us. */
async function releaseIfOurs(host: Host, path: string, body: string): Promise<void> {
  let text: string;
  try {
    text = (await host.readFile(path)).toString("utf8");
  } catch (err) {
    if (isHostError(err, "ENOENT")) return;
    throw err;
  }
  if (text === body) await host.unlink(path);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
