import { type Change, Phase } from "../change.js";
import type { KindHandler } from "../kind.js";
import { isUnobservable, type Unobservable } from "../shared/tools.js";
import { profileExpression } from "./expression.js";
import { flakeLockChanges, lockNote } from "./flake-lock.js";
import { materializeFlake } from "./flake-source.js";
import {
  closurePlanLines,
  diffClosures,
  generationOf,
  NIX_HINT,
  NixBuildError,
  nixBuild,
  nixMissing,
  readProfile,
} from "./nix-cli.js";
import { collectProfile, profileHealth } from "./profile-gc.js";
import { observeProfile, type ProfileObservation, profilePath } from "./profile-state.js";
import type { NixProfileResource } from "./resource.js";
import { type NixProfileSwitchStep, nixSteps } from "./steps.js";

const hashNow = (o: ProfileObservation) =>
  o.profile.current === null ? null : (o.hashes.get(o.profile.current) ?? "unknown");

function packageNotes(
  desired: NixProfileResource | undefined,
  previous: NixProfileResource | undefined,
): string {
  const now = new Set(desired?.packages.map((p) => p.name));
  const before = new Set(previous?.packages.map((p) => p.name));
  const added = [...now].filter((n) => !before.has(n));
  const removed = [...before].filter((n) => !now.has(n));
  return [
    added.length ? `adds ${added.join(", ")}` : "",
    removed.length ? `removes ${removed.join(", ")}` : "",
  ]
    .filter(Boolean)
    .join("; ");
}

export const nixProfileKind: KindHandler<NixProfileResource, ProfileObservation | Unobservable> = {
  kind: "nix-profile",
  steps: nixSteps,
  describe: (r) => `nix profile (${r.packages.map((p) => p.name).join(" ")})`,
  async observe(ctx) {
    return (await nixMissing(ctx)) ?? observeProfile(ctx);
  },
  assume: (_ctx, previous) => {
    const p = previous as NixProfileResource | undefined;
    return {
      profile: { current: p ? 0 : null, out: null, generations: new Map() },
      hashes: p ? new Map([[0, p.hash]]) : new Map(),
      assumed: true,
    };
  },
  async plan(ctx, desired, previous, o): Promise<Change | null> {
    const base = { kind: "nix-profile", id: (desired ?? previous)?.id ?? "nix/packages", needsRoot: false };
    if (isUnobservable(o)) {
      const n = (desired ?? previous)?.packages.length ?? 0;
      return {
        ...base,
        action: desired ? (previous ? "update" : "create") : "delete",
        destructive: false,
        phase: 0,
        steps: [],
        refusal: `nix: not installed (${n} package${n === 1 ? "" : "s"} not managed); ${NIX_HINT}`,
      };
    }
    const profile = profilePath(ctx);
    const now = hashNow(o);
    const from = o.profile.current === null ? null : { generation: o.profile.current, out: o.profile.out };
    const drift =
      previous && !o.assumed && now !== previous.hash
        ? now === null
          ? `${profile} was removed outside dotops`
          : `${profile} was changed outside dotops (generation ${o.profile.current} is not the one dotops set)`
        : "";
    if (!desired) {
      if (o.profile.current === null) return null;
      const step: NixProfileSwitchStep = { op: "nix-profile-switch", profile, to: null, from };
      return {
        ...base,
        action: "delete",
        destructive: false,
        phase: Phase.uninstall,
        steps: [step],
        note: `removes the ${profile} link (its generations stay until gc)`,
      };
    }
    if (now === desired.hash) return null;
    const action = previous ? "update" : "create";
    const notes = [
      drift,
      packageNotes(desired, previous),
      lockNote(await flakeLockChanges(ctx, previous?.object, desired.object)),
    ];
    // A change with no steps: planned without a machine, or refused.
    const stepless = (extra: Pick<Change, "note"> | Pick<Change, "refusal">): Change => ({
      ...base,
      action,
      destructive: false,
      phase: Phase.packages,
      steps: [],
      ...extra,
    });
    if (o.assumed) return stepless({ note: notes.filter(Boolean).join("; ") });

    let reuse: number | null = null;
    for (const [n, h] of o.hashes) if (h === desired.hash && (reuse === null || n > reuse)) reuse = n;
    let out: string;
    if (reuse !== null) {
      out = o.profile.generations.get(reuse) as string;
      notes.push(`profile generation ${reuse} again (built before: no build)`);
    } else {
      try {
        const dir = desired.object ? await materializeFlake(ctx, desired.object) : undefined;
        out = await nixBuild(
          ctx,
          ["--impure", "--expr", profileExpression(desired.packages, desired.hash, dir)],
          "",
        );
      } catch (err) {
        if (!(err instanceof NixBuildError)) throw err;
        return stepless({ refusal: `nix build of nix.packages failed, nothing switched:\n${err.message}` });
      }
      if (from?.out === out) return null;
      const again = generationOf(o.profile, out);
      if (again !== null) reuse = again;
      notes.push(`builds ${desired.packages.length} package${desired.packages.length === 1 ? "" : "s"}`);
    }
    const closure = from?.out ? closurePlanLines(await diffClosures(ctx, from.out, out)) : [];
    const step: NixProfileSwitchStep = {
      op: "nix-profile-switch",
      profile,
      to: { out, ...(reuse !== null ? { generation: reuse } : {}) },
      from,
    };
    return {
      ...base,
      action,
      destructive: false,
      phase: Phase.packages,
      steps: [step],
      note: notes.filter(Boolean).join("; "),
      ...(closure.length ? { diff: `${closure.join("\n")}\n` } : {}),
    };
  },
  async inventory(ctx, rs) {
    if (!rs.length || (await nixMissing(ctx))) return {};
    const p = await readProfile(ctx, profilePath(ctx));
    return p.out ? { [rs[0]?.id as string]: p.out } : {};
  },
  collect: collectProfile,
  health: profileHealth,
};
