import { blockKind } from "./block/index.js";
import { defaultsKind } from "./defaults/index.js";
import { restartKind } from "./defaults/restart.js";
import { dirKind } from "./dir/index.js";
import { fileKind } from "./file/index.js";
import { brewCleanupKind, brewKind, caskKind, masKind, tapKind } from "./homebrew/index.js";
import type { KindHandler } from "./kind.js";
import { launchdAgentKind } from "./launchd/index.js";
import { linkKind } from "./link/index.js";
import { nixDarwinKind, nixHomeManagerKind, nixProfileKind, nixSystemConfKind } from "./nix/index.js";
import { scriptKind } from "./script/index.js";
import type { StepOp } from "./step.js";
import { symlinkKind } from "./symlink/index.js";
import { systemdUnitKind } from "./systemd/index.js";
import type { Resource } from "./types.js";

/** Every resource kind: adding one means a folder and a line here. */
const KINDS: KindHandler[] = [
  dirKind,
  linkKind,
  fileKind,
  symlinkKind,
  blockKind,
  tapKind,
  brewKind,
  caskKind,
  masKind,
  brewCleanupKind,
  defaultsKind,
  restartKind,
  launchdAgentKind,
  systemdUnitKind,
  scriptKind,
  nixSystemConfKind,
  nixProfileKind,
  nixDarwinKind,
  nixHomeManagerKind,
] as KindHandler[];

const byName = new Map<string, KindHandler>();
/** Every step op any kind knows, by name: what the journal runs and undoes. */
export const stepOps: Record<string, StepOp<never>> = {};

/** Adds a kind (the list above at start-up; a test's own kind). Two kinds may share an op, not redefine it. */
export function registerKind(kind: KindHandler): void {
  if (byName.has(kind.kind)) throw new Error(`resource kind ${kind.kind} is registered twice`);
  for (const [name, op] of Object.entries(kind.steps)) {
    if (stepOps[name] && stepOps[name] !== op)
      throw new Error(`step ${name} of kind ${kind.kind} is already an op of another kind`);
    stepOps[name] = op as StepOp<never>;
  }
  byName.set(kind.kind, kind);
}

for (const k of KINDS) registerKind(k);

/** Every registered kind (gc and health ask each kind that has a hook). */
export const allKinds = (): KindHandler[] => [...byName.values()];

export function kindOf(r: Pick<Resource, "kind">): KindHandler {
  const k = byName.get(r.kind);
  if (!k) throw new Error(`unknown resource kind ${r.kind} (a generation from a newer dotops?)`);
  return k;
}
