import { dirname } from "node:path";
import type { Host } from "../host/host.js";
import type { StatePaths } from "../resources/context.js";
import type { Blob, Manifest } from "../resources/types.js";
import { mapLimit } from "./concurrency.js";

export const objectPath = (state: StatePaths, object: string) => `${state.store}/${object}`;

/**
 * Writes blobs into the content-addressed store. Objects are immutable and
 * named by their hash, so an existing one is never rewritten: a revert to
 * earlier content writes nothing. Returns how many objects were new.
 */
export async function writeBlobs(
  host: Host,
  state: StatePaths,
  blobs: Iterable<Blob>,
  progress?: (phase: string, done: number, total: number) => void,
): Promise<number> {
  await host.mkdir(state.store, 0o700);
  const all = [...blobs];
  let done = 0;
  const written = await mapLimit(all, 16, async (b) => {
    const path = objectPath(state, b.object);
    const fresh = !(await host.lstat(path));
    if (fresh) await host.writeFile(path, b.data, b.executable ? 0o555 : 0o444);
    progress?.("store", ++done, all.length);
    return fresh ? 1 : 0;
  });
  return written.reduce<number>((a, b) => a + b, 0);
}

/** Lays out a generation's home tree: one link per managed dotfile into the store. */
export async function writeHomeTree(
  host: Host,
  state: StatePaths,
  dir: string,
  manifest: Manifest,
): Promise<void> {
  const links = manifest.resources.filter((r) => r.kind === "link");
  const dirs = new Set<string>([`${dir}/home`]);
  for (const r of links) dirs.add(dirname(`${dir}/home/${r.id.slice(2)}`));
  for (const d of [...dirs].sort()) await host.mkdir(d, 0o755);
  await mapLimit(links, 16, (r) =>
    r.kind === "link"
      ? host.symlink(objectPath(state, r.object), `${dir}/home/${r.id.slice(2)}`)
      : Promise.resolve(),
  );
}
