import type { LoadOptions } from "../config/load.js";
import { type Engine, resourceContext } from "../engine/engine.js";
import { genDir, readManifest } from "../engine/generations.js";
import { runHealthChecks } from "../engine/health-checks.js";
import { status } from "../engine/status.js";
import { readObjectStats, verifyObject } from "../engine/store.js";
import { inputCache } from "../git/input-cache.js";
import { commitSource } from "../git/source.js";
import type { KindHealth } from "../resources/kind.js";
import { allKinds } from "../resources/registry.js";
import { readAgentState, suspension } from "./agent-state.js";

export interface HealthItem {
  name: string;
  ok: boolean;
  /** Reported, not failed (a tool the config uses is not installed). */
  warn?: true;
  detail: string;
}

/**
 * `dotops health` (the reference system's `health-check`): is the current
 * generation applied, whole and undrifted, is the agent running freely, and
 * do the config's own health checks pass right now.
 */
export async function systemHealth(
  eng: Engine,
  opts: { repo?: string; loadOptions: LoadOptions; full?: boolean },
): Promise<HealthItem[]> {
  const items: HealthItem[] = [];
  const s = await status(eng);
  const g = s.generation;
  if (!g) return [{ name: "generation", ok: false, detail: "nothing applied yet: run `dotops apply`" }];
  items.push({
    name: "generation",
    ok: g.outcome === "applied",
    detail: `${g.number} (${g.outcome}) of ${g.commit ? g.commit.slice(0, 12) : "the work tree"}, ${g.createdAt}`,
  });

  const manifest = await readManifest(eng.host, eng.state, g.number);
  const objects = [...new Set(manifest.resources.flatMap((r) => (r.object ? [r.object] : [])))];
  // By default the stat recorded at apply time; --full reads and hashes every object.
  const recorded = opts.full ? undefined : await readObjectStats(eng.host, genDir(eng.state, g.number));
  const bad = { missing: [] as string[], changed: [] as string[] };
  for (const o of objects) {
    const v = await verifyObject(eng.host, eng.state, o, recorded?.get(o));
    if (v !== "ok") bad[v].push(o);
  }
  const problems = [
    bad.missing.length ? `${bad.missing.length} missing (e.g. ${bad.missing[0]})` : "",
    bad.changed.length ? `${bad.changed.length} changed since applied (e.g. ${bad.changed[0]})` : "",
  ].filter(Boolean);
  items.push({
    name: "store",
    ok: problems.length === 0,
    detail: problems.length
      ? `${problems.join(", ")} of ${objects.length} objects: \`dotops apply\` restores them from the config`
      : `${objects.length} objects ${opts.full ? "verified by hash" : "present and unchanged"}`,
  });

  // The kinds' own lines (Nix: installed? the profile this generation set?). A missing
  // tool is their warning, not also drift.
  const ctx = resourceContext(eng, { platform: manifest.platform });
  const kindItems: KindHealth[] = [];
  for (const kind of allKinds()) {
    const rs = manifest.resources.filter((r) => r.kind === kind.kind);
    if (kind.health && rs.length) kindItems.push(...(await kind.health(ctx, rs)));
  }
  const explained = new Set(kindItems.flatMap((i) => i.explains ?? []));
  const drift = s.drift.filter((d) => !explained.has(d.id));
  items.push({
    name: "drift",
    ok: drift.length === 0,
    detail: drift.length
      ? `${drift.length} resource(s) differ: ${drift
          .slice(0, 3)
          .map((d) => d.id)
          .join(", ")}${drift.length > 3 ? ", …" : ""} (\`dotops status\`)`
      : `the machine matches the generation${explained.size ? ` (except what is not observable here: ${[...explained].join(", ")})` : ""}`,
  });
  for (const { explains: _, ...item } of kindItems) items.push(item);

  const paused = await suspension(eng.host, eng.state);
  const last = (await readAgentState(eng.host, eng.state)).lastAttempted;
  const agentOk = !paused && (!last || last.outcome === "applied" || last.outcome === "pending");
  items.push({
    name: "agent",
    ok: agentOk,
    detail: paused
      ? `suspended since ${paused.since} (${paused.reason}): \`dotops resume\``
      : last
        ? `last attempt ${last.commit.slice(0, 12)}: ${last.outcome}${last.error ? ` — ${last.error.split("\n")[0]}` : ""}`
        : "no agent run recorded",
  });

  if (opts.repo && g.commit) {
    try {
      const { loadConfig } = await import("../config/kit.js");
      const config = loadConfig(
        await commitSource(opts.repo, g.commit, { inputs: inputCache(eng, opts.repo) }),
        opts.loadOptions,
      );
      for (const r of await runHealthChecks(eng.host, config.agent.healthChecks ?? []))
        items.push({ name: `check: ${r.name}`, ok: r.ok, detail: `${r.detail} (${r.ms} ms)` });
    } catch (err) {
      items.push({
        name: "health checks",
        ok: false,
        detail: `cannot read the applied config: ${(err as Error).message}`,
      });
    }
  }
  return items;
}
