import type { Command } from "commander";
import type { HealthItem } from "../agent/system-health.js";
import { parseDuration } from "../config/duration.js";
import type { MaintainConfig } from "../config/schema.js";
import { switchGeneration } from "../engine/apply.js";
import { withLock } from "../engine/engine.js";
import { type GcRequest, gc } from "../engine/gc.js";
import { currentGeneration, readManifest, readMeta } from "../engine/generations.js";
import { commitSource } from "../git/source.js";
import { formatBytes } from "../report/bytes.js";
import type { Cli } from "./context.js";
import { healthExit, printHealth, runHealth } from "./health.js";
import { helpText } from "./help-text.js";
import type { CliFactory } from "./program.js";

/** The prose `dotops maintain --help` prints after the options (also in docs/reference/commands.md). */
const HELP = [
  "Runs health, then what is safe to do alone: recover an interrupted apply, restore drift (--heal only), gc by the config's maintain: { keep: 10, olderThan: 30d } (default: keep 10; Nix profile generations go with theirs) and brew cleanup when Homebrew is managed. gc never deletes a generation it cannot read, and then sweeps no store object. --dry-run says what it would do. Exit codes as for health.",
].join("\n");

/** One repair `maintain` does (or, with --dry-run, would do). */
interface Action {
  what: string;
  run(): Promise<string>;
}

/** Generations `maintain` keeps when the config names no policy. */
export const DEFAULT_KEEP = 10;

export function registerMaintain(program: Command, cli: CliFactory) {
  program
    .command("maintain")
    .addHelpText("after", helpText(HELP))
    .alias("health-maintain")
    .description(
      "health, then what can be repaired safely: an interrupted apply recovered, drift restored (--heal), gc by the config's maintain: policy (default: keep 10 generations, and Nix profile generations with them), brew cleanup",
    )
    .option("--heal", "also put drifted files back as the current generation has them")
    .option("--dry-run", "say what would be done, do nothing")
    .action(async (o: { heal?: boolean; dryRun?: boolean }) => {
      const c = cli();
      const before = await runHealth(c);
      if (!c.opts.json) printHealth(c, before);
      const actions = await repairs(c, before, o);
      const done: { what: string; result?: string }[] = [];
      for (const a of actions) {
        if (o.dryRun) {
          done.push({ what: a.what });
          if (!c.opts.json) c.print(`would: ${a.what}`);
          continue;
        }
        const result = await a.run();
        done.push({ what: a.what, result });
        if (!c.opts.json) c.print(`${c.palette.green("done:")} ${a.what}${result ? ` (${result})` : ""}`);
      }
      if (!actions.length && !c.opts.json) c.print("Nothing to maintain.");
      const after = o.dryRun || !actions.length ? before : await runHealth(c);
      if (c.opts.json) c.printJson({ dryRun: Boolean(o.dryRun), before, actions: done, after });
      else if (after !== before) {
        c.print("After maintenance:");
        printHealth(c, after);
      }
      process.exitCode = healthExit(after);
    });
}

/** What the report asks for that maintain may do on its own, in order. */
async function repairs(c: Cli, health: HealthItem[], o: { heal?: boolean }): Promise<Action[]> {
  const eng = c.engine();
  const failing = (name: string) => health.find((i) => i.name === name && i.status !== "ok");
  const actions: Action[] = [];
  if (failing("journal") || (failing("lock") && !/running now/.test(failing("lock")?.detail ?? "")))
    actions.push({
      what: "recover the interrupted apply (its journal rolls it back or forward) and clear the stale lock",
      run: async () => {
        await withLock(eng, "maintain", async () => {});
        return "recovered";
      },
    });
  const current = await currentGeneration(eng.host, eng.state).catch(() => null);
  if (current === null) return actions;
  const drift = failing("drift");
  if (drift && o.heal)
    actions.push({
      what: `restore what drifted to generation ${current}: ${drift.detail}`,
      run: async () => {
        const plan = await switchGeneration(eng, current);
        return `${plan.changes.length} change(s)`;
      },
    });
  else if (drift && !c.opts.json) c.print(c.palette.dim("(drift is left as it is: --heal restores it)"));

  const policy = await maintainPolicy(c, current);
  const req: GcRequest = {
    ...(policy.olderThan ? { olderThanMs: parseDuration(policy.olderThan) } : {}),
    ...(policy.keep !== undefined || !policy.olderThan ? { keep: policy.keep ?? DEFAULT_KEEP } : {}),
  };
  const would = await gc(eng, { ...req, dryRun: true });
  const nix = would.collected.filter((k) => k.deleted.length);
  if (would.deletedGenerations.length || would.deletedObjects.length || nix.length)
    actions.push({
      what: `gc (${describePolicy(req)}): ${would.deletedGenerations.length} generation(s)${would.deletedGenerations.length ? ` (${would.deletedGenerations.join(", ")})` : ""}, ${would.deletedObjects.length} store object(s), ${formatBytes(would.freedBytes)}${nix.map((k) => `, ${k.deleted.length} ${k.what}`).join("")}`,
      run: async () => {
        const r = await gc(eng, req);
        return `${formatBytes(r.freedBytes)} freed`;
      },
    });

  const manifest = await readManifest(eng.host, eng.state, current).catch(() => null);
  const brews = manifest?.resources.some((r) => r.kind === "brew" || r.kind === "cask");
  if (brews && (await eng.host.which("brew")))
    actions.push({
      what: "brew cleanup (old downloads and versions Homebrew keeps)",
      run: async () => {
        const r = await eng.host.exec("brew", ["cleanup"], { timeoutMs: 600_000 });
        const last = `${r.stdout}`.trim().split("\n").at(-1) ?? "";
        if (r.exitCode !== 0)
          return `brew cleanup exited ${r.exitCode}: ${r.stderr.trim().split("\n").at(-1)}`;
        return last.replace(/^==> /, "") || "nothing to remove";
      },
    });
  return actions;
}

/** The `maintain:` of the config the current generation was built from, when the repo is here. */
async function maintainPolicy(c: Cli, current: number): Promise<MaintainConfig> {
  try {
    const meta = await readMeta(c.engine().host, c.engine().state, current);
    if (!meta.commit) return {};
    const { loadPolicy } = await import("../config/load.js");
    return loadPolicy(await commitSource(c.repoDir(), meta.commit), c.loadOptions({ secrets: false }))
      .maintain;
  } catch {
    return {}; // no repo here, or the commit is gone: the default policy
  }
}

function describePolicy(req: GcRequest): string {
  const parts = [
    req.keep !== undefined ? `keep ${req.keep}` : "",
    req.olderThanMs !== undefined ? `older than ${Math.round(req.olderThanMs / 86_400_000)}d` : "",
  ].filter(Boolean);
  return parts.join(", ");
}
