import type { Change } from "../resources/change.js";
import type { ResourceContext } from "../resources/context.js";
import { kindOf } from "../resources/registry.js";
import type { Located, Manifest, Resource } from "../resources/types.js";
import { mapLimit } from "./concurrency.js";
import type { InputChange } from "./input-changes.js";

export interface Plan {
  host: string;
  /** The generation planned from; null when planning from a commit (plan --from, a pull request). */
  from: { generation: number | null; commit: string | null } | null;
  to: { commit: string | null; manifestHash: string };
  /** Set when the desired manifest is an earlier generation's: a revert. */
  rollbackTo: { generation: number; commit: string | null } | null;
  changes: Change[];
  /** What the plan leaves as it is (`plan --all` lists them). */
  unchanged: { kind: string; id: string }[];
  summary: { create: number; update: number; delete: number; destructive: number };
  /** Inputs and externals whose locked commit moves (absent when none does). */
  inputs?: InputChange[];
}

export const SECRET_DIFF = "(diff hidden: the file is rendered with !secret values)\n";

export interface PlanInput {
  desired: Manifest;
  previous: Manifest | null;
  /** false: assume the machine is exactly the previous generation (plans between two commits). */
  observe: boolean;
}

/** Desired vs last applied vs observed, for every resource either side names. */
export async function computeChanges(
  ctx: ResourceContext,
  input: PlanInput,
): Promise<Pick<Plan, "changes" | "unchanged">> {
  const desired = byId(input.desired.resources);
  const previous = byId(input.previous?.resources ?? []);
  ctx = { ...ctx, previous };
  const ids = [...new Set([...desired.keys(), ...previous.keys()])].sort();
  const results = await mapLimit(ids, 32, async (id): Promise<Change | null> => {
    const d = desired.get(id);
    let p = previous.get(id);
    let replaced: Located<Resource> | undefined;
    if (d && p && d.kind !== p.kind) [replaced, p] = [p, undefined]; // the new kind takes over the path (e.g. link → copy)
    const r = (d ?? p) as Located<Resource>;
    const kind = kindOf(r);
    const observed = input.observe ? await kind.observe(ctx, r) : kind.assume(ctx, p ?? replaced, id);
    const change = await kind.plan(ctx, d, p, observed, replaced);
    if (!change) return null;
    // Content rendered with !secret values never reaches a plan, a PR comment or plan.json.
    const hidden = [d, p, replaced].some((x) => x && "secret" in x && x.secret);
    return { ...change, ...(hidden && change.diff ? { diff: SECRET_DIFF } : {}), origin: r.origin } as Change;
  });
  const changes = results.filter((c): c is Change => c !== null).sort(compareChanges);
  const unchanged = ids.flatMap((id, i) => {
    const r = desired.get(id);
    return results[i] === null && r ? [{ kind: r.kind, id }] : [];
  });
  return { changes, unchanged };
}

export function summarize(changes: Change[]): Plan["summary"] {
  const s = { create: 0, update: 0, delete: 0, destructive: 0 };
  for (const c of changes) {
    s[c.action]++;
    if (c.destructive) s.destructive++;
  }
  return s;
}

function byId(resources: Located<Resource>[]): Map<string, Located<Resource>> {
  return new Map(resources.map((r) => [r.id, r]));
}

function compareChanges(a: Change, b: Change): number {
  if (a.phase !== b.phase) return a.phase - b.phase;
  // Removed deepest first: a directory after what was inside it.
  if (a.action === "delete" && b.action === "delete")
    return b.id.length - a.id.length || (a.id < b.id ? 1 : -1);
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
