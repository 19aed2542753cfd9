import { dirKind } from "./dir/index.js";
import { fileKind } from "./file/index.js";
import type { KindHandler } from "./kind.js";
import { linkKind } from "./link/index.js";
import { symlinkKind } from "./symlink/index.js";
import type { Resource } from "./types.js";

/** Every resource kind; adding one means a folder and a line here. */
const KINDS: Record<Resource["kind"], KindHandler> = {
  dir: dirKind as KindHandler,
  link: linkKind as KindHandler,
  file: fileKind as KindHandler,
  symlink: symlinkKind as KindHandler,
};

export function kindOf(r: Resource): KindHandler {
  const k = KINDS[r.kind];
  if (!k) throw new Error(`unknown resource kind ${r.kind}`);
  return k;
}
