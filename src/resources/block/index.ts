import { type Change, Phase } from "../change.js";
import type { ResourceContext } from "../context.js";
import type { KindHandler } from "../kind.js";
import { contentDiff } from "../shared/content-diff.js";
import { absHome, describeObserved, isOurLink, observeHomePath } from "../shared/home-path.js";
import type { Resource } from "../types.js";
import type { BlockResource } from "./resource.js";
import { type BlockEditStep, blockSteps } from "./steps.js";
import {
  type BlockSpec,
  type Found,
  findBlock,
  fromBinary,
  renderBlock,
  spliceBlock,
  toBinary,
} from "./text.js";

export type { BlockResource };

/**
 * What the file holds now. `text` is binary (one char per byte); undefined
 * when planning without a machine (only the block is known then).
 */
export interface BlockObservation {
  abs: string;
  text: string | null | undefined;
  found: Found | null;
  /** Why the block cannot be read or written here (a directory, broken markers, a parent outside HOME). */
  problem?: string;
  /** dotops' own link of the last generation stands there: it is removed before blocks are written. */
  ownLink?: true;
}

/** What dotops found when it first wrote the block: whether it created the file for it. */
export type BlockOwnership = { createdFile: boolean };

/**
 * After dotops' links are placed and the old ones removed (a path that was a
 * link becomes a user's file with a block), before empty directories go.
 */
export const BLOCK_PHASE = Phase.remove + 1;

const withinOf = (id: string) => id.slice("block/".length, id.lastIndexOf("#"));
const specOf = (r: BlockResource): BlockSpec => ({
  name: r.name,
  comment: r.comment,
  ...(r.line ? { line: true as const } : {}),
});

async function observeBlock(ctx: ResourceContext, r: BlockResource): Promise<BlockObservation> {
  const o = await observeHomePath(ctx, r.within);
  const none = { abs: o.abs, text: null, found: null };
  if (o.unsafe) return { ...none, problem: o.unsafe };
  if (!o.stat) return none;
  if (o.stat.type === "symlink" && isOurLink(ctx, o.linkTarget)) return { ...none, ownLink: true };
  if (o.stat.type !== "file")
    return { ...none, problem: `is ${describeObserved(o)}; a block goes inside a regular file` };
  const text = (await ctx.host.readFile(o.abs)).toString("latin1");
  const search = findBlock(text, specOf(r));
  if ("problem" in search) return { ...none, text, problem: search.problem };
  return { abs: o.abs, text, found: search.found };
}

/** The file's diff when its text is known; else the block's own lines. */
function blockDiff(r: BlockResource, o: BlockObservation, to: string | null): string {
  const spec = specOf(r);
  if (o.text === undefined) {
    const block = (inner: string | null) =>
      inner === null ? null : fromBinary(`${renderBlock(spec, inner)}\n`);
    return contentDiff(r.within, block(o.found?.inner ?? null), block(to));
  }
  const after = spliceBlock(o.text ?? "", spec, o.found, to);
  return contentDiff(
    r.within,
    o.text === null ? null : fromBinary(o.text),
    to === null && after === "" ? null : fromBinary(after),
  );
}

/** A block of text in a file the user owns (`mode: block`, and the shell module's `source` lines). */
export const blockKind: KindHandler<BlockResource, BlockObservation> = {
  kind: "block",
  steps: blockSteps,
  describe: (r) => `block "${r.name}" in ${r.within}`,
  observe: observeBlock,
  assume: (ctx: ResourceContext, previous: Resource | undefined, id: string): BlockObservation => {
    const prev = previous?.kind === "block" ? (previous as BlockResource) : undefined;
    const abs = absHome(ctx, withinOf(id));
    return { abs, text: undefined, found: prev ? { start: 0, end: 0, inner: toBinary(prev.content) } : null };
  },
  async plan(ctx, desired, previous, o): Promise<Change | null> {
    const r = (desired ?? previous) as BlockResource;
    const base = { kind: "block", id: r.id, destructive: false, needsRoot: false, phase: BLOCK_PHASE };
    const owned = ctx.ownership?.get(r.id) as BlockOwnership | undefined;
    const before = o.found?.inner ?? null;
    if (o.problem) {
      if (desired) return { ...base, action: "create", steps: [], refusal: `${r.within} ${o.problem}` };
      if (o.text === null) return null; // the file is gone (or is a directory now): so is the block
      return { ...base, action: "delete", steps: [], note: `left in place: ${r.within} ${o.problem}` };
    }
    const step = (to: string | null, ownsFile: boolean): BlockEditStep => ({
      op: "block-edit",
      path: o.abs,
      spec: specOf(r),
      from: before,
      to,
      ...(ownsFile ? { ownsFile: true as const } : {}),
    });

    if (!desired) {
      if (before === null) return null;
      return {
        ...base,
        action: "delete",
        steps: [step(null, owned?.createdFile === true)],
        diff: blockDiff(r, o, null),
        ...(owned?.createdFile ? { note: `removes ${r.within} too if nothing else is left in it` } : {}),
      };
    }
    const want = toBinary(desired.content);
    if (before === want) return null;
    const noFile = o.text === null;
    if (noFile && desired.create === false) return null;
    const edited = previous !== undefined && before !== null && before !== toBinary(previous.content);
    return {
      ...base,
      action: before === null ? "create" : "update",
      steps: [step(want, noFile || owned?.createdFile === true)],
      diff: blockDiff(desired, o, want),
      note: edited
        ? "edited inside its markers since dotops wrote it: the block is restored (the diff shows the edit)"
        : before !== null && !previous
          ? "takes over the block already in the file"
          : noFile
            ? `creates ${r.within} (mode 644) for it`
            : undefined,
      ...(owned === undefined && o.text !== undefined ? { owns: { createdFile: noFile } } : {}),
    };
  },
};
