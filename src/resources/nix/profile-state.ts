import type { ResourceContext } from "../context.js";
import { hashOfManifestLink } from "./expression.js";
import { type ProfileState, readProfile } from "./nix-cli.js";

/** dotops' own Nix profile: `<state>/nix/profile`, its generations `profile-<N>-link` beside it. */
export const profilePath = (ctx: ResourceContext) => `${ctx.state.dir}/nix/profile`;

export interface ProfileObservation {
  profile: ProfileState;
  /** The package-set hash of each generation dotops built. */
  hashes: Map<number, string>;
  /** No machine (a plan between two commits): what the last generation left. */
  assumed?: true;
}

export async function observeProfile(ctx: ResourceContext): Promise<ProfileObservation> {
  const profile = await readProfile(ctx, profilePath(ctx));
  const hashes = new Map<number, string>();
  for (const [n, out] of profile.generations) {
    try {
      const h = hashOfManifestLink(await ctx.host.readlink(`${out}/manifest.nix`));
      if (h) hashes.set(n, h);
    } catch {
      // not a profile dotops built (or collected): never reused
    }
  }
  return { profile, hashes };
}
