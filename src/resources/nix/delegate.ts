import { type Change, Phase } from "../change.js";
import type { ResourceContext } from "../context.js";
import type { KindHandler, KindHealth } from "../kind.js";
import { isUnobservable, type Unobservable } from "../shared/tools.js";
import { flakeLockChanges, lockNote } from "./flake-lock.js";
import { materializeFlake } from "./flake-source.js";
import {
  closurePlanLines,
  diffClosures,
  NIX_HINT,
  NixBuildError,
  nixBuild,
  nixMissing,
  type ProfileState,
  readProfile,
} from "./nix-cli.js";
import type { NixDelegateResource } from "./resource.js";
import { type NixActivateStep, nixSteps } from "./steps.js";

/*
 * nix-darwin and Home Manager stay in charge of what they manage; dotops
 * builds their configuration from the config repo's flake at the commit
 * applied and switches it as `darwin-rebuild switch` / `home-manager switch`
 * do: profile set, then `activate` (nix-darwin's as root, through the
 * privilege door). The plan shows `nix store diff-closures` against the
 * profile's current system. A flake hash built before (recorded by the
 * switch) is not built again.
 */

interface Flavour {
  label: string;
  /** Its `dotops health` line. */
  healthName: string;
  /** The profile it switches; the env names one for tests. */
  profile(ctx: ResourceContext): string;
  root: boolean;
}

const FLAVOURS: Record<NixDelegateResource["kind"], Flavour> = {
  "nix-darwin": {
    label: "nix-darwin system",
    healthName: "nix-darwin",
    profile: (ctx) => ctx.host.env.DOTOPS_NIX_DARWIN_PROFILE || "/nix/var/nix/profiles/system",
    root: true,
  },
  "nix-home-manager": {
    label: "Home Manager generation",
    healthName: "home-manager",
    profile: (ctx) =>
      ctx.host.env.DOTOPS_NIX_HOME_MANAGER_PROFILE ||
      `${ctx.host.home}/.local/state/nix/profiles/home-manager`,
    root: false,
  },
};

const buildsFile = (ctx: ResourceContext, kind: string) => `${ctx.state.dir}/nix/${kind}-builds.json`;

async function knownBuild(ctx: ResourceContext, r: NixDelegateResource): Promise<string | null> {
  try {
    const known = JSON.parse((await ctx.host.readFile(buildsFile(ctx, r.kind))).toString("utf8")) as Record<
      string,
      string
    >;
    const out = known[r.hash];
    return out && (await ctx.host.lstat(out)) ? out : null;
  } catch {
    return null;
  }
}

type DelegateObservation = ProfileState | Unobservable | { assumed: true };

function delegateKind(
  kind: NixDelegateResource["kind"],
): KindHandler<NixDelegateResource, DelegateObservation> {
  const f = FLAVOURS[kind];
  return {
    kind,
    steps: nixSteps,
    describe: (r) => `${f.label} ${r.attr}`,
    async observe(ctx) {
      return (await nixMissing(ctx)) ?? readProfile(ctx, f.profile(ctx));
    },
    assume: () => ({ assumed: true }),
    async plan(ctx, desired, previous, o): Promise<Change | null> {
      const r = (desired ?? previous) as NixDelegateResource;
      const base = { kind, id: r.id, needsRoot: f.root, destructive: false };
      const action = desired ? (previous ? "update" : "create") : "delete";
      if (isUnobservable(o))
        return {
          ...base,
          action,
          phase: 0,
          steps: [],
          refusal: `nix: not installed (${r.attr} not switched); ${NIX_HINT}`,
        };
      if (!desired)
        return {
          ...base,
          needsRoot: false,
          action,
          phase: Phase.remove,
          steps: [],
          note: `no longer switched by dotops: the ${f.label} stays as it is`,
        };
      if (previous?.hash === desired.hash && "assumed" in o) return null;
      const locks = lockNote(await flakeLockChanges(ctx, previous?.object, desired.object));
      const withLocks = (note: string) => [note, locks].filter(Boolean).join("; ");
      if ("assumed" in o)
        return {
          ...base,
          action,
          phase: Phase.packages,
          steps: [],
          note: withLocks(`builds ${desired.attr}`),
        };
      let out = await knownBuild(ctx, desired);
      const built = out === null;
      if (out === null) {
        try {
          const dir = await materializeFlake(ctx, desired.object);
          out = await nixBuild(ctx, [`path:${dir}#${desired.attr}`], "");
        } catch (err) {
          if (!(err instanceof NixBuildError)) throw err;
          return {
            ...base,
            action,
            phase: Phase.packages,
            steps: [],
            refusal: `nix build of ${desired.attr} failed, nothing switched:\n${err.message}`,
          };
        }
      }
      if (o.out === out) return null;
      const closure = o.out ? closurePlanLines(await diffClosures(ctx, o.out, out)) : [];
      const step: NixActivateStep = {
        op: kind === "nix-darwin" ? "nix-darwin-switch" : "nix-home-manager-switch",
        profile: f.profile(ctx),
        out,
        prev: o.out,
        builds: buildsFile(ctx, kind),
        hash: desired.hash,
        ...(f.root ? { root: true as const } : {}),
      };
      const drift =
        previous && previous.hash === desired.hash ? `${step.profile} was switched outside dotops; ` : "";
      return {
        ...base,
        action,
        phase: Phase.packages,
        steps: [step],
        note: withLocks(`${drift}${built ? "built" : "built before"}: ${out}`),
        ...(closure.length ? { diff: `${closure.join("\n")}\n` } : {}),
      };
    },
    async inventory(ctx, rs) {
      if (!rs.length || (await nixMissing(ctx))) return {};
      const p = await readProfile(ctx, f.profile(ctx));
      return p.out ? { [rs[0]?.id as string]: p.out } : {};
    },
    async health(ctx, rs): Promise<KindHealth[]> {
      const r = rs[0];
      if (!r) return [];
      const name = f.healthName;
      if (await nixMissing(ctx))
        return [
          {
            name,
            ok: true,
            warn: true,
            detail: `nix: not installed (${r.attr} not switched); ${NIX_HINT}`,
            explains: [r.id],
          },
        ];
      const p = await readProfile(ctx, f.profile(ctx));
      const built = await knownBuild(ctx, r);
      if (!p.out)
        return [{ name, ok: false, detail: `${f.profile(ctx)} is missing: \`dotops apply\` switches it` }];
      const at = `${p.current === null ? "" : `generation ${p.current} `}(${p.out})`;
      if (built !== null && built !== p.out)
        return [
          {
            name,
            ok: false,
            detail: `${at} is not the ${f.label} the current dotops generation switched to (${built}): \`dotops apply\` switches it back`,
          },
        ];
      return [
        {
          name,
          ok: true,
          detail: built ? `${at}, the one the current dotops generation switched to` : `${at}`,
        },
      ];
    },
  };
}

export const nixDarwinKind = delegateKind("nix-darwin");
export const nixHomeManagerKind = delegateKind("nix-home-manager");
