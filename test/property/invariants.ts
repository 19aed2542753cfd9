/**
 * What must hold after every operation, read from HOME and the state dir
 * directly (never through dotops, except to ask `status` whether it reports
 * a store object the user wrote through).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { status } from "../../src/engine/status.js";
import { contentHash } from "../../src/modules/objects.js";
import type { Tree } from "./config-model.js";
import { bytesAt, entryAt, linkAt, walk } from "./disk.js";
import { treeText, type World } from "./world.js";

interface ManifestResource {
  kind: string;
  id: string;
  object?: string;
  mode?: number;
}

export async function checkInvariants(w: World): Promise<void> {
  const state = w.stateDir;
  const store = join(state, "store");
  for (const f of ["journal", "lock"])
    if (existsSync(join(state, f))) w.fail(`${f} left in the state dir after the operation`);
  if (existsSync(w.generationsDir))
    for (const name of readdirSync(w.generationsDir))
      if (!/^\d+$/.test(name)) w.fail(`stray ${name} in generations/`);

  // Every generation on disk is whole, and every store object it names is there (gc kept them).
  const manifests = new Map<number, ManifestResource[]>();
  for (const n of w.generationNumbers()) {
    const dir = join(w.generationsDir, String(n));
    for (const f of ["meta.json", "manifest.json", "plan.json"])
      if (!existsSync(join(dir, f))) w.fail(`generation ${n} has no ${f}`);
    const resources = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")).resources;
    manifests.set(n, resources);
    for (const r of resources as ManifestResource[]) {
      if (!r.object) continue;
      const path = join(store, r.object);
      const bytes = bytesAt(path);
      if (!bytes) w.fail(`generation ${n} needs store object ${r.object}, which is gone`);
      const exec = ((entryAt(path)?.mode ?? 0) & 0o100) !== 0;
      const intact = r.object.startsWith(`${contentHash(bytes, exec)}-`);
      if (intact)
        w.through.delete(r.object); // rebuilt from the config since the user wrote it
      // Only the user writes through a link; an apply that went through rebuilds what it uses.
      else if (!w.through.has(r.object) || (w.appliedLast && n === w.current()))
        w.fail(`store object ${r.object} of generation ${n} does not hold what its name says`);
      if (r.kind === "link" && linkAt(join(dir, "home", r.id.slice(2))) !== path)
        w.fail(`generation ${n}'s home tree does not link ${r.id} to ${path}`);
    }
  }

  const n = w.current();
  const resources =
    n === null ? [] : (manifests.get(n) ?? w.fail(`current points at missing generation ${n}`));
  if (n !== null) {
    const outcome = w.meta(n).outcome;
    if (outcome !== "applied") w.fail(`current generation ${n} is ${outcome}, not applied`);
    const tree = w.expected.get(n) ?? w.fail(`generation ${n} is current but was never applied`);
    // The manifest is what the config says (the oracle), resource by resource.
    w.expectEqual(
      manifestText(resources),
      oracleText(tree),
      `generation ${n}'s manifest against the config it was applied from ${JSON.stringify(treeText(tree), null, 1)}`,
    );
  }

  // HOME holds exactly the current generation, where the user left it alone.
  let reported: Set<string> | undefined;
  for (const r of resources) {
    const rel = r.id.slice(2);
    if (w.drift.has(rel)) continue;
    const abs = join(w.home, rel);
    const e = entryAt(abs);
    const tree = w.expected.get(n as number);
    const exp = tree?.get(rel);
    if (r.kind === "dir") {
      if (e?.type !== "dir") w.fail(`~/${rel} should be a directory, is ${e?.type ?? "missing"}`);
      if (r.mode !== undefined && e.mode !== r.mode)
        w.fail(`~/${rel} has mode ${e.mode.toString(8)}, not ${r.mode.toString(8)}`);
      continue;
    }
    const bytes = bytesAt(abs);
    if (r.kind === "link") {
      if (e?.type !== "symlink") w.fail(`~/${rel} should be dotops' link, is ${e?.type ?? "missing"}`);
      const want = join(state, "current/home", rel);
      if (linkAt(abs) !== want) w.fail(`~/${rel} links to ${linkAt(abs)}, not ${want}`);
    } else {
      if (e?.type !== "file") w.fail(`~/${rel} should be a copy, is ${e?.type ?? "missing"}`);
      if (e.mode !== r.mode) w.fail(`~/${rel} has mode ${e.mode.toString(8)}, not ${r.mode?.toString(8)}`);
    }
    if (exp && exp.type !== "dir" && bytes?.equals(exp.bytes)) continue;
    // Only a link whose store object the user wrote through may differ: by design dotops
    // reports that as drift (an apply rewrites it from the config; a rollback cannot).
    const excused = r.kind === "link" && w.through.has(r.object as string) && !w.appliedLast;
    if (excused) {
      reported ??= new Set((await status(w.eng)).drift.map((c) => c.id.slice(2)));
      if (reported.has(rel)) continue;
      w.fail(`~/${rel} shows the bytes written through its link, and status does not report it`);
    }
    w.fail(
      `~/${rel} holds ${JSON.stringify(bytes?.toString())}, not ${JSON.stringify(exp && exp.type !== "dir" ? exp.bytes.toString() : undefined)}${w.appliedLast ? " (right after an apply)" : ""}`,
    );
  }

  // Nothing else in HOME but the user's own files and the directories around them.
  const managed = new Map(resources.map((r) => [r.id.slice(2), r.kind]));
  const userAncestors = new Set(
    [...w.userFiles.keys()].flatMap((p) => p.split("/").map((_, i, parts) => parts.slice(0, i).join("/"))),
  );
  for (const [rel, e] of walk(w.home, (rel) => rel === ".local/state" || rel.startsWith(".local/state/"))) {
    if (rel === ".local") continue; // the state dir's parents
    const kind = managed.get(rel);
    if (e.type === "dir") {
      if (kind === "dir" || userAncestors.has(rel) || w.userDirs.has(rel)) continue;
      w.fail(`~/${rel} is a directory no generation or user put there`);
    }
    if ((kind && kind !== "dir") || w.userFiles.has(rel)) continue;
    w.fail(`~/${rel} (${e.type}) is neither managed by generation ${n} nor the user's`);
  }

  // The user's files keep their bytes where they are (settled() followed the ones moved aside).
  for (const [at, bytes] of w.userFiles)
    if (!bytesAt(join(w.home, at))?.equals(bytes)) w.fail(`the user's ~/${at} changed or is gone`);
}

/** A manifest as the oracle would name it: kinds, modes, and each object's content hash (from its name). */
function manifestText(resources: ManifestResource[]): Record<string, string> {
  return Object.fromEntries(
    [...resources]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((r) => {
        const rel = r.id.slice(2);
        const hash = r.object?.slice(0, 64);
        if (r.kind === "dir") return [rel, `dir ${r.mode?.toString(8) ?? "-"}`];
        if (r.kind === "file") return [rel, `file ${r.mode?.toString(8)} ${hash}`];
        return [rel, `${r.kind} ${hash}`];
      }),
  );
}

function oracleText(tree: Tree): Record<string, string> {
  return Object.fromEntries(
    [...tree]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([rel, e]) => {
        if (e.type === "dir") return [rel, `dir ${e.mode?.toString(8) ?? "-"}`];
        const hash = contentHash(e.bytes, e.exec);
        return [rel, e.type === "file" ? `file ${e.mode.toString(8)} ${hash}` : `link ${hash}`];
      }),
  );
}
