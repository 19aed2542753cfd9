import { dirname } from "node:path";
import type { Host } from "../host/host.js";
import { contentHash } from "../modules/objects.js";
import { type ObjectStat, objectPath } from "../resources/context.js";
import { kindOf } from "../resources/registry.js";
import type { Blob, Manifest } from "../resources/types.js";
import { mapLimit } from "./concurrency.js";
import type { StatePaths } from "./state.js";

export { objectPath };

/**
 * Writes blobs into the content-addressed store. Objects are immutable and
 * named by their hash, so an intact one is never rewritten: a revert to
 * earlier content writes nothing. One that was changed in place (written
 * through a managed link: its size, or the mtime recorded in `known`, no
 * longer match; without a record, its bytes) is rewritten from the config. Returns how many objects were
 * written and every object's stat, to record with the generation.
 */
export async function writeBlobs(
  host: Host,
  state: StatePaths,
  blobs: Iterable<Blob>,
  progress?: (phase: string, done: number, total: number) => void,
  known?: ReadonlyMap<string, ObjectStat>,
  ownerOnly: ReadonlySet<string> = new Set(),
): Promise<{ written: number; stats: Map<string, ObjectStat> }> {
  await host.mkdir(state.store, 0o700);
  const all = [...blobs];
  const stats = new Map<string, ObjectStat>();
  let done = 0;
  let written = 0;
  await mapLimit(all, 16, async (b) => {
    const path = objectPath(state, b.object);
    let st = await host.lstat(path);
    const recorded = known?.get(b.object);
    const secret = ownerOnly.has(b.object);
    // Without a record from the current generation (a revert to older content) the size proves
    // nothing: bytes of the same length may have been written through an older generation's
    // link. Then the bytes are compared; they are in memory already and dotfiles are small.
    const intact =
      st?.type === "file" &&
      st.size === b.data.length &&
      !(secret && st.mode & 0o077) &&
      (recorded
        ? recorded.size === st.size && recorded.mtimeMs === st.mtimeMs
        : (await host.readFile(path)).equals(b.data));
    if (!intact) {
      // Read-only, as in the Nix store, with Git's 755 for every class: a link in HOME shows the
      // object's mode. Content rendered with a secret is the owner's alone, whatever the state
      // dir's mode (its 0700 keeps others out too).
      const mode = (b.executable ? 0o555 : 0o444) & (secret ? 0o700 : 0o777);
      // Made durable together with the generation, by one sync before anything points at them.
      await host.writeFile(path, b.data, mode, { deferSync: true });
      st = await host.lstat(path);
      written++;
    }
    if (st) stats.set(b.object, { size: st.size, mtimeMs: st.mtimeMs });
    progress?.("store", ++done, all.length);
  });
  return { written, stats };
}

const statsFile = (genDir: string) => `${genDir}/objects.json`;

/** The store objects' stats recorded with a generation; undefined for one made before they were. */
export async function readObjectStats(
  host: Host,
  genDir: string,
): Promise<Map<string, ObjectStat> | undefined> {
  try {
    const raw = JSON.parse((await host.readFile(statsFile(genDir))).toString("utf8")) as Record<
      string,
      [number, number]
    >;
    return new Map(Object.entries(raw).map(([o, [size, mtimeMs]]) => [o, { size, mtimeMs }]));
  } catch {
    return undefined;
  }
}

export async function writeObjectStats(
  host: Host,
  genDir: string,
  stats: ReadonlyMap<string, ObjectStat>,
  opts?: { deferSync?: boolean },
): Promise<void> {
  const raw = Object.fromEntries(
    [...stats].sort(([a], [b]) => (a < b ? -1 : 1)).map(([o, s]) => [o, [s.size, s.mtimeMs]]),
  );
  await host.writeFile(statsFile(genDir), `${JSON.stringify(raw)}\n`, 0o644, opts);
}

/** Lays out a generation's tree: the links its kinds keep there (a linked dotfile's, into the store). */
export async function writeHomeTree(
  host: Host,
  state: StatePaths,
  dir: string,
  manifest: Manifest,
): Promise<void> {
  const entries = manifest.resources.flatMap((r) => {
    const e = kindOf(r).generationLink?.(r, state);
    return e ? [{ path: `${dir}/${e.path}`, target: e.target }] : [];
  });
  const dirs = new Set<string>([`${dir}/home`]);
  for (const e of entries) dirs.add(dirname(e.path));
  for (const d of [...dirs].sort()) await host.mkdir(d, 0o755);
  await mapLimit(entries, 16, (e) => host.symlink(e.target, e.path));
}

/**
 * Is the object what its name says? Its name starts with the sha256 of its
 * exec bit and bytes (modules/objects.ts), so this reads and hashes it:
 * `health --full`. A cheaper check is its recorded size and mtime.
 */
export async function verifyObject(
  host: Host,
  state: StatePaths,
  object: string,
  recorded?: ObjectStat,
): Promise<"ok" | "missing" | "changed"> {
  const path = objectPath(state, object);
  const st = await host.lstat(path);
  if (st?.type !== "file") return "missing";
  if (recorded) return st.size === recorded.size && st.mtimeMs === recorded.mtimeMs ? "ok" : "changed";
  const hash = contentHash(await host.readFile(path), (st.mode & 0o100) !== 0);
  return object.startsWith(`${hash}-`) ? "ok" : "changed";
}
