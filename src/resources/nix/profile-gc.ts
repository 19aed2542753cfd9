import type { ResourceContext } from "../context.js";
import type { Collected, KeptGeneration, KindHealth } from "../kind.js";
import { NIX_HINT, nixEnv, nixMissing } from "./nix-cli.js";
import { observeProfile, profilePath } from "./profile-state.js";
import type { NixProfileResource } from "./resource.js";

/*
 * gc and health of dotops' own Nix profile. Each dotops generation points at
 * one profile generation: by the package set's hash (named in the profile
 * generation's manifest.nix link) and by the store path its installed.json
 * recorded. Only this profile is dotops': nix-darwin's system profile and Home
 * Manager's profile are left alone.
 */

export const NIX_STORE_GC_HINT =
  "their store paths stay in the Nix store until you collect it: `nix-store --gc` (or `nix store gc`)";

/** Profile generations no kept dotops generation uses, never the current one; deleted unless `dryRun`. */
export async function collectProfile(
  ctx: ResourceContext,
  kept: KeptGeneration<NixProfileResource>[],
  dryRun: boolean,
): Promise<Collected | null> {
  const profile = profilePath(ctx);
  const o = await observeProfile(ctx);
  if (!o.profile.generations.size) return null;
  const usedHashes = new Set(kept.flatMap((g) => g.resources.map((r) => r.hash)));
  const usedOuts = new Set(kept.flatMap((g) => g.resources.flatMap((r) => g.installed[r.id] ?? [])));
  const unused = [...o.profile.generations]
    .filter(
      ([n, out]) => n !== o.profile.current && !usedOuts.has(out) && !usedHashes.has(o.hashes.get(n) ?? ""),
    )
    .map(([n]) => n)
    .sort((a, b) => a - b);
  if (unused.length && !dryRun) {
    // Without nix-env the links stay: deleting them by hand would leave Nix's GC roots stale.
    if (await nixMissing(ctx)) return null;
    await nixEnv(ctx, ["-p", profile, "--delete-generations", ...unused.map(String)]);
  }
  return {
    what: "Nix profile generation(s)",
    path: profile,
    deleted: unused,
    ...(unused.length ? { hint: NIX_STORE_GC_HINT } : {}),
  };
}

/** `nix`: installed or not (a warning), and whether the profile is the one this generation set. */
export async function profileHealth(ctx: ResourceContext, rs: NixProfileResource[]): Promise<KindHealth[]> {
  const r = rs[0];
  if (!r) return [];
  if (await nixMissing(ctx)) {
    const n = r.packages.length;
    return [
      {
        name: "nix",
        ok: true,
        warn: true,
        detail: `not installed (${n} package${n === 1 ? "" : "s"} not managed); ${NIX_HINT}`,
        explains: [r.id],
      },
    ];
  }
  const o = await observeProfile(ctx);
  const { current, out } = o.profile;
  if (current === null)
    return [{ name: "nix", ok: false, detail: `${profilePath(ctx)} is missing: \`dotops apply\` sets it` }];
  const matches = o.hashes.get(current) === r.hash;
  return [
    {
      name: "nix",
      ok: matches,
      detail: matches
        ? `profile generation ${current} (${out}), the one the current dotops generation set`
        : `profile generation ${current} (${out}) is not the one the current dotops generation set (changed outside dotops): \`dotops apply\` switches it back`,
    },
  ];
}
