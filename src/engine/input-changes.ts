import { join } from "node:path";
import type { Mount } from "../config/source.js";
import { commitCount } from "../git/input-cache.js";
import type { Change } from "../resources/change.js";
import type { StatePaths } from "./state.js";

/** An input or external whose locked commit a plan moves (a `dotops update` under review). */
export interface InputChange {
  kind: "input" | "external";
  key: string;
  /** The repository or archive, as dotops.yaml names it. */
  source: string;
  /** null: new in this plan; `to` null: no longer used. */
  from: string | null;
  to: string | null;
  /** Commits in from..to (Git), when the cache holds both and one descends from the other. */
  commits?: number;
  /** Ids of the plan's changes that come from it: its YAML's entries, an external's tree. */
  changes: string[];
}

/** What moved between the inputs the last generation was built from and the desired ones. */
export async function inputChanges(
  state: StatePaths,
  before: readonly Mount[] | undefined,
  after: readonly Mount[] | undefined,
  changes: readonly Change[],
): Promise<InputChange[]> {
  const id = (m: Mount) => `${m.kind}:${m.key}`;
  const old = new Map((before ?? []).map((m) => [id(m), m]));
  const now = new Map((after ?? []).map((m) => [id(m), m]));
  const out: InputChange[] = [];
  for (const key of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    const a = old.get(key);
    const b = now.get(key);
    if (a?.rev === b?.rev) continue;
    const m = (b ?? a) as Mount;
    const url = b?.url;
    const commits =
      a && b && url ? await commitCount({ dir: join(state.dir, "inputs") }, url, a.rev, b.rev) : undefined;
    out.push({
      kind: m.kind,
      key: m.key,
      source: m.source,
      from: a?.rev ?? null,
      to: b?.rev ?? null,
      ...(commits === undefined ? {} : { commits }),
      changes: changes.filter((c) => comesFrom(m, c)).map((c) => c.id),
    });
  }
  return out;
}

function comesFrom(m: Mount, c: Change): boolean {
  if (m.kind === "external") return c.id === m.key || c.id.startsWith(`${m.key}/`);
  return c.origin?.file.startsWith(m.prefix) ?? false;
}
