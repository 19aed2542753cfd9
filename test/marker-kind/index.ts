/**
 * A trivial resource kind, the way a contributor adds one: this folder and a
 * line in the registry (here `registerKind`, as a test cannot edit the list).
 * A marker is one file under ~/.markers with the given text.
 */
import type { Change } from "../../src/resources/change.js";
import type { KindHandler } from "../../src/resources/kind.js";
import type { StepOps } from "../../src/resources/step.js";

export type MarkerResource = { kind: "marker"; id: string; text: string };

type MarkerStep = { op: "marker-write"; path: string; text: string | null; prev: string | null };

const steps: StepOps<MarkerStep> = {
  "marker-write": {
    async run(ctx, s) {
      if (s.text === null) await ctx.host.unlink(s.path);
      else {
        await ctx.host.mkdir(s.path.slice(0, s.path.lastIndexOf("/")));
        await ctx.host.writeFile(s.path, s.text);
      }
    },
    async undo(ctx, s) {
      if (s.prev === null) await ctx.host.unlink(s.path);
      else await ctx.host.writeFile(s.path, s.prev);
    },
    describe: (s) => `write marker ${s.path}`,
  },
};

const pathOf = (home: string, id: string) => `${home}/.markers/${id.slice("marker:".length)}`;

export const markerKind: KindHandler<MarkerResource, string | null> = {
  kind: "marker",
  steps,
  describe: (r) => `marker ${r.id}`,
  async observe(ctx, r) {
    const path = pathOf(ctx.host.home, r.id);
    return (await ctx.host.lstat(path)) ? (await ctx.host.readFile(path)).toString("utf8") : null;
  },
  assume: (_ctx, prev) => (prev as MarkerResource | undefined)?.text ?? null,
  async plan(ctx, desired, previous, observed): Promise<Change | null> {
    const want = desired?.text ?? null;
    if (want === observed) return null;
    const id = (desired ?? previous)?.id as string;
    const step: MarkerStep = {
      op: "marker-write",
      path: pathOf(ctx.host.home, id),
      text: want,
      prev: observed,
    };
    return {
      kind: "marker",
      id,
      action: want === null ? "delete" : observed === null ? "create" : "update",
      destructive: false,
      needsRoot: false,
      phase: 30,
      steps: [step],
      diff: `marker: ${observed ?? "(none)"} → ${want ?? "(none)"}\n`,
    };
  },
};
