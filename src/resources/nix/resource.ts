/** Where a package comes from: the config repo's flake (`source` set, files of `dir`) or a flake reference. */
export interface NixPackageRef {
  /** As the config wrote it: `jq`, or `nixpkgs#jq`. */
  name: string;
  /** A flake reference, or "" for the config repo's flake (the resource's `object`). */
  flake: string;
  /** Attribute path, dot-separated. */
  attr: string;
}

/**
 * `nix.packages`: one resource for the whole set, so that a dotops generation
 * points at exactly one generation of dotops' Nix profile. Id `nix/packages`.
 * `object`: the config repo's flake files (a bundle, see flake-source.ts),
 * when any package comes from it. `hash` names the set: a profile generation
 * built from the same hash is reused instead of built again.
 */
export type NixProfileResource = {
  kind: "nix-profile";
  id: string;
  packages: NixPackageRef[];
  object?: string;
  hash: string;
};

/**
 * `nix.darwin` / `nix.homeManager`: a configuration of the config repo's
 * flake, built and switched as darwin-rebuild / home-manager switch do.
 * Ids `nix/darwin`, `nix/home-manager`. `object`: the flake files bundle.
 */
export type NixDelegateResource = {
  kind: "nix-darwin" | "nix-home-manager";
  id: string;
  object: string;
  /** The installable's attribute: darwinConfigurations.<host>.system. */
  attr: string;
  /** Hash of the bundle and attr: an earlier build of it is reused. */
  hash: string;
};

/** `nix.settings` with `scope: system`: /etc/nix/nix.conf, written as root. Id `/etc/nix/nix.conf`. */
export type NixSystemConfResource = { kind: "nix-conf-system"; id: string; object: string };

export const NIX_PACKAGES_ID = "nix/packages";
export const SYSTEM_NIX_CONF = "/etc/nix/nix.conf";
