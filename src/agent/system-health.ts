import type { LoadOptions } from "../config/load.js";
import { type Engine, resourceContext } from "../engine/engine.js";
import { sizeOf } from "../engine/gc.js";
import { type GenerationInfo, genDir, readManifest, scanGenerations } from "../engine/generations.js";
import { runHealthChecks } from "../engine/health-checks.js";
import { lockedBy } from "../engine/lock.js";
import { status } from "../engine/status.js";
import { readObjectStats, verifyObject } from "../engine/store.js";
import { behindTip } from "../git/history.js";
import { inputCache } from "../git/input-cache.js";
import { commitSource } from "../git/source.js";
import { formatBytes } from "../report/bytes.js";
import type { KindHealth } from "../resources/kind.js";
import { allKinds } from "../resources/registry.js";
import { currentUid } from "../resources/shared/tools.js";
import type { Manifest } from "../resources/types.js";
import { readAgentState, suspension } from "./agent-state.js";

export type HealthStatus = "ok" | "warn" | "fail";

export interface HealthItem {
  name: string;
  status: HealthStatus;
  /** status is not "fail" (kept for the JSON readers of the two-state report). */
  ok: boolean;
  /** status is "warn". */
  warn?: true;
  detail: string;
  /** The command that fixes it, when one does. */
  fix?: string;
}

const item = (name: string, s: HealthStatus, detail: string, fix?: string): HealthItem => ({
  name,
  status: s,
  ok: s !== "fail",
  ...(s === "warn" ? { warn: true as const } : {}),
  detail,
  ...(fix ? { fix } : {}),
});

/** Objects hashed by a plain `health` besides the size-and-time check of all: a sample, so it stays quick. */
export const SAMPLED_OBJECTS = 16;

/**
 * `dotops health` (the reference system's `health-check`): is the state dir
 * sound, no apply left half done, the current generation whole, applied,
 * undrifted and up to date with the repo, the agent running freely, and do
 * the config's own health checks pass right now. Each line ok, warn or fail,
 * with the command that fixes it.
 */
export async function systemHealth(
  eng: Engine,
  opts: { repo?: string; loadOptions: LoadOptions; full?: boolean },
): Promise<HealthItem[]> {
  const dir = await eng.host.lstat(eng.state.dir);
  if (!dir)
    return [
      item(
        "state",
        "warn",
        `not set up: nothing has been applied on this machine (no ${eng.state.dir})`,
        "dotops apply, in your config repo (to start one: dotops init ~/dotfiles)",
      ),
    ];
  const items: HealthItem[] = [await stateDirItem(eng, dir)];
  const { lock, interrupted } = await leftovers(eng);
  if (lock) items.push(lock);

  const { corrupt } = await scanGenerations(eng.host, eng.state);
  for (const c of corrupt)
    items.push(
      item(
        `generation ${c.number}`,
        "warn",
        `cannot be read (kept by gc until repaired): ${c.error}`,
        `restore its files, or rm -r ${genDir(eng.state, c.number)}`,
      ),
    );
  let s: Awaited<ReturnType<typeof status>>;
  let manifest: Manifest;
  try {
    s = await status(eng);
    if (!s.generation) {
      items.push(item("generation", "warn", "nothing applied yet", "dotops apply"));
      return items;
    }
    manifest = await readManifest(eng.host, eng.state, s.generation.number);
  } catch (err) {
    if (interrupted) items.push(interruptedItem(eng, await eng.host.lstat(eng.state.journal)));
    items.push(item("generation", "fail", (err as Error).message, "dotops rollback, or dotops apply"));
    return items;
  }
  // Reading the status recovers an interrupted apply, as every command does: said so.
  if (interrupted) items.push(interruptedItem(eng, await eng.host.lstat(eng.state.journal)));
  const g = s.generation;
  items.push(
    item(
      "generation",
      g.outcome === "applied" ? "ok" : "fail",
      `${g.number} (${g.outcome}) of ${g.commit ? g.commit.slice(0, 12) : "the work tree"}, ${g.createdAt}`,
      g.outcome === "applied" ? undefined : "dotops apply",
    ),
  );
  if (opts.repo && g.commit) {
    const b = await behindTip(opts.repo, g.commit).catch(() => null);
    if (b)
      items.push(
        b.behind
          ? item(
              "behind",
              "warn",
              `${b.behind} commit(s) behind ${b.ref} (${b.tip.slice(0, 12)}, as last fetched)`,
              "dotops apply (or let the agent)",
            )
          : item("behind", "ok", `at ${b.ref} (${b.tip.slice(0, 12)}, as last fetched)`),
      );
  }
  items.push(await storeItem(eng, g, manifest, opts.full));
  items.push(await diskItem(eng));

  // The kinds' own lines (Nix: installed? the profile this generation set? Homebrew: brew doctor).
  // A missing tool is their warning, not also drift.
  const ctx = resourceContext(eng, { platform: manifest.platform });
  const kindItems: KindHealth[] = [];
  for (const kind of allKinds()) {
    const rs = manifest.resources.filter((r) => r.kind === kind.kind);
    if (kind.health && rs.length) kindItems.push(...(await kind.health(ctx, rs)));
  }
  const explained = new Set(kindItems.flatMap((i) => i.explains ?? []));
  const drift = s.drift.filter((d) => !explained.has(d.id));
  items.push(
    drift.length
      ? item(
          "drift",
          "fail",
          `${drift.length} resource(s) differ: ${drift
            .slice(0, 3)
            .map((d) => d.id)
            .join(", ")}${drift.length > 3 ? ", …" : ""}`,
          "dotops status to see them; dotops apply (or dotops maintain --heal) to restore them",
        )
      : item(
          "drift",
          "ok",
          `the machine matches the generation${explained.size ? ` (except what is not observable here: ${[...explained].join(", ")})` : ""}`,
        ),
  );
  for (const k of kindItems) items.push(item(k.name, k.ok ? (k.warn ? "warn" : "ok") : "fail", k.detail));

  const paused = await suspension(eng.host, eng.state);
  const last = (await readAgentState(eng.host, eng.state)).lastAttempted;
  const agentOk = !paused && (!last || last.outcome === "applied" || last.outcome === "pending");
  items.push(
    item(
      "agent",
      agentOk ? "ok" : "fail",
      paused
        ? `suspended since ${paused.since} (${paused.reason})`
        : last
          ? `last attempt ${last.commit.slice(0, 12)}: ${last.outcome}${last.error ? ` — ${last.error.split("\n")[0]}` : ""}`
          : "no agent pass recorded (none yet, or none since `dotops resume`)",
      paused ? "dotops resume" : agentOk ? undefined : "fix the commit, or dotops rollback",
    ),
  );

  if (opts.repo && g.commit) {
    try {
      const { loadConfig } = await import("../config/kit.js");
      const config = loadConfig(
        await commitSource(opts.repo, g.commit, { inputs: inputCache(eng, opts.repo) }),
        opts.loadOptions,
      );
      for (const r of await runHealthChecks(eng.host, config.agent.healthChecks ?? []))
        items.push(item(`check: ${r.name}`, r.ok ? "ok" : "fail", `${r.detail} (${r.ms} ms)`));
    } catch (err) {
      items.push(item("health checks", "fail", `cannot read the applied config: ${(err as Error).message}`));
    }
  }
  return items;
}

/** Owned by this user (else dotops cannot write its records), and readable by no one else. */
async function stateDirItem(eng: Engine, st: { mode: number; uid?: number }): Promise<HealthItem> {
  const me = await currentUid(eng.host).catch(() => undefined);
  if (st.uid !== undefined && me !== undefined && st.uid !== me)
    return item(
      "state",
      "fail",
      `${eng.state.dir} is owned by uid ${st.uid}, not by you (uid ${me}): dotops cannot write its records there`,
      `sudo chown -R $(id -un) ${eng.state.dir}`,
    );
  if (st.mode & 0o077)
    return item(
      "state",
      "warn",
      `${eng.state.dir} is readable by others (mode ${st.mode.toString(8)})`,
      `chmod 700 ${eng.state.dir} (the next apply does it too)`,
    );
  return item("state", "ok", `${eng.state.dir} (mode 700)`);
}

/** A lock left behind, or held now; and whether an apply's journal was left (recovered by `status`). */
async function leftovers(eng: Engine): Promise<{ lock?: HealthItem; interrupted: boolean }> {
  const holder = await lockedBy(eng.host, eng.state.lock).catch(() => null);
  const interrupted = !holder && (await eng.host.lstat(eng.state.journal)) !== null;
  if (holder)
    return { lock: item("lock", "warn", `${holder.message}: an apply or gc is running now`), interrupted };
  if (await eng.host.lstat(eng.state.lock))
    return {
      lock: item(
        "lock",
        "warn",
        `a lock left by a process that is gone (${eng.state.lock})`,
        "dotops maintain",
      ),
      interrupted,
    };
  return { interrupted };
}

/** The journal of an apply that did not end: recovered by this run, or still there. */
function interruptedItem(eng: Engine, journal: unknown): HealthItem {
  return journal
    ? item(
        "journal",
        "fail",
        `an apply was interrupted: its journal is still there (${eng.state.journal})`,
        "dotops maintain (or any apply) rolls it back or forward",
      )
    : item(
        "journal",
        "warn",
        "an apply was interrupted; recovered just now (its steps rolled back or forward)",
        "dotops generations shows how it ended",
      );
}

/**
 * Objects the current generation uses: all checked against the size and time
 * recorded at apply, and a sample (`--full`: all) read and hashed against
 * their names. An object that cannot be read is a failure, not a crash.
 */
async function storeItem(
  eng: Engine,
  g: GenerationInfo | { number: number },
  manifest: Manifest,
  full: boolean | undefined,
): Promise<HealthItem> {
  const objects = [...new Set(manifest.resources.flatMap((r) => (r.object ? [r.object] : [])))];
  const recorded = await readObjectStats(eng.host, genDir(eng.state, g.number));
  const hashed = new Set(full ? objects : sample(objects, SAMPLED_OBJECTS));
  const bad = { missing: [] as string[], changed: [] as string[], unreadable: [] as string[] };
  for (const o of objects) {
    try {
      // No stat recorded (an older generation): hashed too.
      const v = await verifyObject(eng.host, eng.state, o, hashed.has(o) ? undefined : recorded?.get(o));
      if (v !== "ok") bad[v].push(o);
    } catch {
      bad.unreadable.push(o);
    }
  }
  const problems = [
    bad.missing.length ? `${bad.missing.length} missing (e.g. ${bad.missing[0]})` : "",
    bad.changed.length ? `${bad.changed.length} changed since applied (e.g. ${bad.changed[0]})` : "",
    bad.unreadable.length ? `${bad.unreadable.length} unreadable (e.g. ${bad.unreadable[0]})` : "",
  ].filter(Boolean);
  if (problems.length)
    return item(
      "store",
      "fail",
      `${problems.join(", ")} of ${objects.length} objects`,
      bad.unreadable.length
        ? `check the permissions of ${eng.state.store}, then dotops apply`
        : "dotops apply restores them from the config",
    );
  return item(
    "store",
    "ok",
    full
      ? `${objects.length} objects verified by hash`
      : `${objects.length} objects present and unchanged, ${hashed.size} verified by hash (--full: all)`,
  );
}

/** What the store and the generations take on disk. */
async function diskItem(eng: Engine): Promise<HealthItem> {
  const objects = (await eng.host.lstat(eng.state.store)) ? await eng.host.readdir(eng.state.store) : [];
  const gens = (await eng.host.lstat(eng.state.generations))
    ? await eng.host.readdir(eng.state.generations)
    : [];
  const store = await sizeOf(
    eng.host,
    objects.map((o) => `${eng.state.store}/${o}`),
  );
  const records = await sizeOf(eng.host, [eng.state.generations]);
  return item(
    "disk",
    "ok",
    `store ${formatBytes(store)} in ${objects.length} objects; ${gens.length} generations ${formatBytes(records)}`,
  );
}

/** Up to `n` of `xs`, picked at random: over many runs every object gets hashed. */
function sample<T>(xs: T[], n: number): T[] {
  if (xs.length <= n) return xs;
  const picked = new Set<number>();
  while (picked.size < n) picked.add(Math.floor(Math.random() * xs.length));
  return [...picked].map((i) => xs[i] as T);
}
