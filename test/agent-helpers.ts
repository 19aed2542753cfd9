import { join } from "node:path";
import { execa } from "execa";
import { CLI, ConfigRepo, dotops, git, tempDir } from "./helpers.js";

/** A config repo with a bare "GitHub" remote the agent clones from. */
export async function withRemote(files: Record<string, string>) {
  const work = await ConfigRepo.create(files);
  const remote = join(tempDir("dotops-remote-"), "dotfiles.git");
  await git(work.dir, "clone", "-q", "--bare", work.dir, remote);
  await git(work.dir, "remote", "add", "origin", remote);
  const push = async (...extra: string[]) => git(work.dir, "push", "-q", ...extra, "origin", "main");
  return { work, remote, push };
}

/**
 * `dotops generations --json` for the sandbox HOME. While an apply holds the
 * state lock (its journal present), `generations` answers with a "locked"
 * error instead of the list: asked again then, any other answer is returned.
 */
export async function gens(home: string) {
  for (let attempt = 1; ; attempt++) {
    const r = await dotops(["--json", "generations"], { home });
    const value = JSON.parse(r.stdout);
    if (Array.isArray(value) || attempt >= 40 || !/locked/.test(r.stdout)) return value;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The long-running agent (or `agent --once` left running), as a service runs it. */
export function startAgent(
  home: string,
  args: string[],
  o: { env?: Record<string, string>; cwd?: string; global?: string[] } = {},
) {
  return execa(process.execPath, [CLI, ...(o.global ?? []), "agent", "--log-format", "json", ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: home, NO_COLOR: "1", ...o.env },
    cwd: o.cwd ?? home,
    extendEnv: false,
    reject: false,
  });
}

/** The `msg` of each pino JSON line. */
export function logMessages(stderr: string): string[] {
  return stderr.split("\n").flatMap((l) => {
    try {
      return [String(JSON.parse(l).msg)];
    } catch {
      return [];
    }
  });
}
