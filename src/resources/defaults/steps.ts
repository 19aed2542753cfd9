import { DotopsError } from "../../errors.js";
import type { TypedPlist } from "../../format/plist.js";
import type { ResourceContext } from "../context.js";
import { runTool } from "../shared/tools.js";
import type { StepOps } from "../step.js";
import { exportDomain, hostArgs } from "./observe.js";
import { type DomainRef, isSystemDomain, showDomain } from "./resource.js";
import { sameValue, showValue, writeFlag } from "./value.js";

/**
 * Sets one key (`value`; null deletes it) and remembers what was there
 * (`prev`; null: the key was absent), so undo puts exactly that back.
 */
export type DefaultsWriteStep = DomainRef & {
  op: "defaults-write";
  key: string;
  value: TypedPlist | null;
  prev: TypedPlist | null;
  root?: true;
};

/** `killall <process>` so an app reads its changed defaults. */
export type DefaultsRestartStep = { op: "defaults-restart"; process: string };

type Step = DefaultsWriteStep | DefaultsRestartStep;

/** Neighbouring steps of one domain, in order. */
function byDomain(steps: DefaultsWriteStep[]): { ref: DomainRef; set: Map<string, TypedPlist | null> }[] {
  const groups = new Map<string, { ref: DomainRef; set: Map<string, TypedPlist | null> }>();
  for (const s of steps) {
    const ref: DomainRef = { domain: s.domain, ...(s.currentHost ? { currentHost: true } : {}) };
    const k = showDomain(ref);
    if (!groups.has(k)) groups.set(k, { ref, set: new Map() });
    groups.get(k)?.set.set(s.key, s.value);
  }
  return [...groups.values()];
}

/**
 * Sets keys of one domain: scalars with `defaults write` and their exact type
 * flag, deletions with `defaults delete`, arrays and dicts with one `defaults
 * import` of the whole domain as just exported with those keys replaced (a
 * nested value keeps every element's type, which `-array`/`-dict` arguments
 * cannot say). With `verify`, the domain is read back: a write that did not
 * take is an error.
 */
async function setKeys(
  ctx: ResourceContext,
  ref: DomainRef,
  set: Map<string, TypedPlist | null>,
  verify: boolean,
) {
  const pre = hostArgs(ref);
  const structured: Record<string, TypedPlist> = {};
  for (const [key, value] of set) {
    if (value === null) {
      const r = await runTool(ctx, ["defaults", ...pre, "delete", ref.domain, key], { ok: [0, 1] });
      // Deleting a key that is already gone is what undo after a crash may do: fine.
      if (r.exitCode === 1 && !/does not exist|not found/.test(r.stderr))
        throw new DotopsError(`defaults delete ${showDomain(ref)} ${key} failed: ${r.stderr.trim()}`, 1);
      continue;
    }
    const flag = writeFlag(value);
    if (flag) await runTool(ctx, ["defaults", ...pre, "write", ref.domain, key, ...flag]);
    else structured[key] = value;
  }
  if (Object.keys(structured).length) {
    const now = await exportDomain(ctx, ref);
    const { setPlistKeys } = await import("../../format/plist-xml.js");
    await runTool(ctx, ["defaults", ...pre, "import", ref.domain, "-"], {
      input: setPlistKeys(now.xml, structured),
    });
  }
  if (!verify) return;
  const after = await exportDomain(ctx, ref);
  for (const [key, value] of set) {
    const got = after.keys[key] ?? null;
    if (!sameValue(got, value))
      throw new DotopsError(
        `defaults ${showDomain(ref)} ${key} did not take: wrote ${showValue(value)}${value ? ` (${value.type})` : ""}, reads back ${showValue(got)}${got ? ` (${got.type})` : ""}`,
        1,
        "an app holding the domain open may have written it back; quit it and rerun",
      );
  }
}

export const defaultsSteps: StepOps<Step> = {
  "defaults-write": {
    run: (ctx, s) => defaultsSteps["defaults-write"].runBatch?.(ctx, [s]) ?? Promise.resolve(),
    undo: (ctx, s) => defaultsSteps["defaults-write"].undoBatch?.(ctx, [s]) ?? Promise.resolve(),
    async runBatch(ctx, steps) {
      for (const g of byDomain(steps)) await setKeys(ctx, g.ref, g.set, true);
    },
    // Through the privilege door only keys of system-wide domains (/Library/Preferences/…).
    mayRunAsRoot: (s) => isSystemDomain(s.domain) && !s.domain.includes(".."),
    async undoBatch(ctx, steps) {
      // Given in undo order: the earliest step's `prev` is set last, so it is what stays.
      const restore = steps.map((s) => ({ ...s, value: s.prev }));
      for (const g of byDomain(restore)) await setKeys(ctx, g.ref, g.set, false);
    },
    describe: (s) => {
      const where = `${showDomain(s)} ${s.key}`;
      if (s.value === null) return `defaults delete ${where}`;
      const flag = writeFlag(s.value);
      return flag
        ? `defaults write ${where} ${flag.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(" ")}`
        : `defaults import ${showDomain(s)} (${s.key} = ${showValue(s.value)})`;
    },
  },
  "defaults-restart": {
    async run(ctx, s) {
      const r = await runTool(ctx, ["killall", s.process], { ok: [0, 1] });
      // Not running: nothing holds the old settings; it reads the new ones when it starts.
      if (r.exitCode === 1 && !/No matching processes/.test(r.stderr))
        throw new DotopsError(`killall ${s.process} failed: ${r.stderr.trim()}`, 1);
    },
    // A restart cannot be taken back; undo restores the defaults, which the app reads when it next starts.
    async undo() {},
    describe: (s) => `killall ${s.process}`,
  },
};
