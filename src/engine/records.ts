import type { Host } from "../host/host.js";
import type { Change } from "../resources/change.js";
import type { ResourceContext } from "../resources/context.js";
import { kindOf } from "../resources/registry.js";
import type { Manifest } from "../resources/types.js";

/*
 * What a generation records about the machine beside its manifest, for the
 * kinds that cannot switch by a rename (packages, defaults, services):
 *   owned.json     — per managed resource, what was there before dotops first
 *                    managed it (`Change.owns`), carried from generation to
 *                    generation while it stays managed: unmanaging it restores that.
 *   installed.json — what is installed after the apply (package versions), so
 *                    `dotops diff A B` shows which versions changed.
 * Neither is part of the manifest hash: a revert still finds its generation.
 */

const ownedFile = (genDir: string) => `${genDir}/owned.json`;
const installedFile = (genDir: string) => `${genDir}/installed.json`;

async function readJson(host: Host, path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse((await host.readFile(path)).toString("utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export async function readOwnership(host: Host, genDir: string): Promise<Map<string, unknown>> {
  return new Map(Object.entries((await readJson(host, ownedFile(genDir))) ?? {}));
}

/**
 * The new generation's ownership: what the last generation carried (the first
 * finding stands while a resource stays managed), else this plan's finding.
 */
export function nextOwnership(
  manifest: Manifest,
  changes: Change[],
  before: ReadonlyMap<string, unknown> | undefined,
): Record<string, unknown> {
  const found = new Map(changes.filter((c) => c.owns !== undefined).map((c) => [c.id, c.owns]));
  const out: Record<string, unknown> = {};
  for (const r of manifest.resources) {
    const v = before?.has(r.id) ? before.get(r.id) : found.get(r.id);
    if (v !== undefined) out[r.id] = v;
  }
  return out;
}

export async function writeOwnership(
  host: Host,
  genDir: string,
  owned: Record<string, unknown>,
  opts?: { deferSync?: boolean },
) {
  if (Object.keys(owned).length)
    await host.writeFile(ownedFile(genDir), `${JSON.stringify(owned, null, 1)}\n`, 0o644, opts);
}

export async function readInstalled(host: Host, genDir: string): Promise<Record<string, string>> {
  return ((await readJson(host, installedFile(genDir))) ?? {}) as Record<string, string>;
}

/** Asks every kind that has an inventory (package versions) what is installed now, and records it. */
export async function writeInstalled(ctx: ResourceContext, genDir: string, manifest: Manifest) {
  // Pushed, not copied per resource: copying made this quadratic (11 s of a 20,000-file apply).
  const byKind = new Map<string, Manifest["resources"]>();
  for (const r of manifest.resources) {
    const list = byKind.get(r.kind);
    if (list) list.push(r);
    else byKind.set(r.kind, [r]);
  }
  const installed: Record<string, string> = {};
  for (const [kind, rs] of byKind) {
    const inventory = kindOf({ kind }).inventory;
    if (inventory) Object.assign(installed, await inventory(ctx, rs));
  }
  if (Object.keys(installed).length)
    await ctx.host.writeFile(installedFile(genDir), `${JSON.stringify(installed, null, 1)}\n`, 0o644);
}
