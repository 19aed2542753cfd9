import { DotopsError } from "../errors.js";
import type { Host } from "../host/host.js";

export interface Lock {
  release(): Promise<void>;
}

/**
 * One writer per state dir. The lock file holds the owner's pid; a lock whose
 * process is gone (kill -9, power loss) is stale and taken over.
 */
export async function acquireLock(host: Host, path: string, command: string): Promise<Lock> {
  const body = JSON.stringify({ pid: process.pid, command, since: new Date().toISOString() });
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await host.createExclusive(path, body)) {
      return { release: () => host.unlink(path) };
    }
    const holder = await readHolder(host, path);
    if (holder && holder.pid !== process.pid && host.processAlive(holder.pid)) {
      throw new DotopsError(
        `the state dir is locked by dotops${holder.command ? ` ${holder.command}` : ""} (pid ${holder.pid}, since ${holder.since ?? "?"}): ${path}`,
        1,
        "wait for it to finish; if no dotops is running, remove the lock file",
      );
    }
    await host.unlink(path); // stale: its owner is gone
  }
  throw new DotopsError(`could not take the lock ${path}`);
}

async function readHolder(
  host: Host,
  path: string,
): Promise<{ pid: number; command?: string; since?: string } | null> {
  try {
    const v = JSON.parse((await host.readFile(path)).toString("utf8"));
    return typeof v?.pid === "number" ? v : null;
  } catch {
    return null;
  }
}
