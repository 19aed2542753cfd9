import type { LocalBlobs } from "../git/source.js";
import type { Host } from "../host/host.js";
import { gitBlobId } from "../modules/objects.js";
import { objectPath } from "../resources/context.js";
import type { Blob } from "../resources/types.js";
import type { StatePaths } from "./state.js";

/*
 * Which store object holds the bytes of which Git blob, per generation
 * (`git-blobs.json`). The next apply reads an unchanged file from the store,
 * a local file, instead of asking Git for it (for loose objects Git opens and
 * inflates each one); the reader checks the bytes against the blob's id, so a
 * store object changed since is never used.
 */

const FILE = "git-blobs.json";

export async function writeBlobIndex(
  host: Host,
  genDir: string,
  blobs: Iterable<Blob>,
  opts?: { deferSync?: boolean },
): Promise<void> {
  const index: Record<string, string> = {};
  for (const b of blobs) index[gitBlobId(b.data)] ??= b.object;
  await host.writeFile(`${genDir}/${FILE}`, `${JSON.stringify(index)}\n`, 0o644, opts);
}

/** Store copies of the blobs the current generation was built from; nothing when there is none. */
export function localBlobs(host: Host, state: StatePaths): LocalBlobs {
  let index: Promise<Record<string, string>> | undefined;
  return async (oid) => {
    index ??= host.readFile(`${state.current}/${FILE}`).then(
      (b) => JSON.parse(b.toString("utf8")) as Record<string, string>,
      () => ({}),
    );
    const object = (await index)[oid];
    return object === undefined ? undefined : host.readFile(objectPath(state, object));
  };
}
