import { HostError } from "../../host/host.js";
import type { ResourceContext } from "../context.js";
import { guardedInHome } from "../shared/home-path.js";
import type { StepOps } from "../step.js";
import { type BlockSpec, findBlock, fromBinary, spliceBlock } from "./text.js";

/**
 * Sets one block of a file from `from` to `to` (null: absent), both binary
 * strings. `ownsFile`: dotops created the file for the block, so a file left
 * empty without it is removed (and undo of the creation removes it too).
 */
export type BlockEditStep = {
  op: "block-edit";
  path: string;
  spec: BlockSpec;
  from: string | null;
  to: string | null;
  ownsFile?: true;
};

/** A new file for a block: like one the user would create. */
export const NEW_FILE_MODE = 0o644;

type FileNow = { text: string | null; mode: number } | { other: string };

async function readNow(ctx: ResourceContext, path: string): Promise<FileNow> {
  const st = await ctx.host.lstat(path);
  if (!st) return { text: null, mode: NEW_FILE_MODE };
  if (st.type !== "file") return { other: st.type };
  return { text: (await ctx.host.readFile(path)).toString("latin1"), mode: st.mode };
}

/** Moves the block from `from` to `to`, if it still holds `from`'s counterpart (`expect`). */
async function edit(
  ctx: ResourceContext,
  s: BlockEditStep,
  expect: string | null,
  to: string | null,
  strict: boolean,
): Promise<void> {
  const now = await readNow(ctx, s.path);
  if ("other" in now) {
    if (!strict) return;
    throw new HostError(
      `${s.path} is a ${now.other} now, not a file: its block cannot be written`,
      "EISDIR",
      s.path,
    );
  }
  if (now.text === null) {
    if (to === null) return;
    // Undo brings a file back only when dotops removed it together with its block.
    if (!strict && !(expect === null && s.ownsFile)) return;
  }
  const search = findBlock(now.text ?? "", s.spec);
  if ("problem" in search) {
    if (!strict) return;
    throw new HostError(`${s.path} ${search.problem}`, "EINVAL", s.path);
  }
  const inner = search.found?.inner ?? null;
  if (inner === to) return; // done already (a replay after a crash)
  if (inner !== expect) {
    if (!strict) return; // changed since: undo leaves the user's edit alone
    throw new HostError(`${s.path}: its block "${s.spec.name}" was changed since the plan`, "ESTALE", s.path);
  }
  const next = spliceBlock(now.text ?? "", s.spec, search.found, to);
  if (next === "" && s.ownsFile && now.text !== null) await ctx.host.unlink(s.path);
  else await ctx.host.writeFile(s.path, fromBinary(next), now.mode);
}

export const blockSteps: StepOps<BlockEditStep> = {
  // The file's directory is checked again as the step runs: it may have become a link out of HOME.
  "block-edit": guardedInHome(
    {
      run: (ctx, s) => edit(ctx, s, s.from, s.to, true),
      undo: (ctx, s) => edit(ctx, s, s.to, s.from, false),
      describe: (s) =>
        `${s.to === null ? "remove" : s.from === null ? "insert" : "update"} block "${s.spec.name}" in ${s.path}`,
    },
    (s) => [s.path],
  ),
};
