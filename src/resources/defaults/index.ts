import type { KindHandler } from "../kind.js";
import { isUnobservable, type Unobservable, unobservableChange } from "../shared/tools.js";
import { observeDomain } from "./observe.js";
import { planDefault } from "./plan.js";
import { type DefaultsResource, showDomain } from "./resource.js";
import { defaultsSteps } from "./steps.js";
import { showValue, type TypedPlist } from "./value.js";

/** What one key holds now (null: not set), or why it cannot be known here. */
export type DefaultsObservation = { value: TypedPlist | null } | Unobservable;

/** macOS defaults (`defaults:`, `currentHostDefaults:`): one resource per key. */
export const defaultsKind: KindHandler<DefaultsResource, DefaultsObservation> = {
  kind: "defaults",
  steps: defaultsSteps,
  describe: (r) => `defaults ${showDomain(r)} ${r.key} = ${showValue(r.value)} (${r.value.type})`,
  async observe(ctx, r) {
    const domain = await observeDomain(ctx, r);
    return isUnobservable(domain) ? domain : { value: domain.keys[r.key] ?? null };
  },
  // Without a machine: the key holds what the last generation wrote.
  assume: (_ctx, previous) => ({
    value: previous?.kind === "defaults" ? (previous as DefaultsResource).value : null,
  }),
  async plan(ctx, desired, previous, o) {
    const r = (desired ?? previous) as DefaultsResource;
    if (isUnobservable(o)) return unobservableChange("defaults", r.id, desired, previous, o);
    return planDefault(ctx, desired, previous, o.value);
  },
};
