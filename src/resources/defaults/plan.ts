import { type Change, Phase } from "../change.js";
import type { ResourceContext } from "../context.js";
import { type DefaultsResource, isSystemDomain, showDomain } from "./resource.js";
import type { DefaultsWriteStep } from "./steps.js";
import { contradicts, sameValue, showValue, type TypedPlist } from "./value.js";

/** What a key held before dotops first managed it (DESIGN §3b): restored when it leaves the config. */
export type DefaultsOwnership = { prior: TypedPlist } | { absent: true };

/**
 * One key: desired vs last applied vs what the domain holds now. A key
 * leaving the config gets back what it held before dotops (deleted when it
 * was absent); one whose first finding is unknown (it already had the
 * configured value, so dotops never wrote it) is left as it is.
 */
export function planDefault(
  ctx: ResourceContext,
  desired: DefaultsResource | undefined,
  previous: DefaultsResource | undefined,
  current: TypedPlist | null,
): Change | null {
  const r = (desired ?? previous) as DefaultsResource;
  const owned = ctx.ownership?.get(r.id) as DefaultsOwnership | undefined;
  const where = `${showDomain(r)} ${r.key}`;
  const step = (value: TypedPlist | null): DefaultsWriteStep => ({
    op: "defaults-write",
    domain: r.domain,
    ...(r.currentHost ? { currentHost: true as const } : {}),
    key: r.key,
    value,
    prev: current,
    ...(isSystemDomain(r.domain) ? { root: true as const } : {}),
  });
  const base = {
    kind: "defaults",
    id: r.id,
    needsRoot: isSystemDomain(r.domain),
    phase: Phase.settings,
  };

  if (desired) {
    const want = desired.value;
    if (sameValue(current, want)) return null;
    const clash = current !== null && contradicts(current, want);
    return {
      ...base,
      action: current === null ? "create" : "update",
      destructive: clash,
      note: clash
        ? `${where} is a ${current?.type} on this Mac (${showValue(current)}); the config makes it a ${want.type} (${showValue(want)})`
        : `${showValue(current)} → ${showValue(want)}`,
      steps: [step(want)],
      ...(owned === undefined ? { owns: current === null ? { absent: true } : { prior: current } } : {}),
    };
  }

  if (!previous || owned === undefined) return null;
  const back = "prior" in owned ? owned.prior : null;
  if (sameValue(current, back)) return null;
  // Changed by hand since dotops wrote it: putting the old value back loses that change.
  const edited = current !== null && !sameValue(current, previous.value);
  return {
    ...base,
    action: back === null ? "delete" : "update",
    destructive: edited,
    note:
      back === null
        ? `deletes it: it was not set before dotops${edited ? ` (it was changed since, to ${showValue(current)})` : ""}`
        : `restores ${showValue(back)}, its value before dotops${edited ? ` (it was changed since, to ${showValue(current)})` : ""}`,
    steps: [step(back)],
  };
}
