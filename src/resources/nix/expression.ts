import type { NixPackageRef } from "./resource.js";

/** A Nix string literal: JSON's escapes, and `${` kept literal. */
export const nixString = (s: string) => JSON.stringify(s).replace(/\$\{/g, "\\${");

/**
 * The one expression dotops' profile is built from: every package looked up
 * in its flake (packages.<system>.<attr>, then legacyPackages, then the
 * attribute itself, as `nix build flake#attr` does), joined by Nix's own
 * `builtin:buildenv` (what nix-env builds profiles with: no nixpkgs needed).
 * The manifest it links is named after the set's hash, so dotops finds the
 * profile generation of a set again by reading one link.
 */
export function profileExpression(packages: NixPackageRef[], hash: string, repoDir?: string): string {
  const refs = [...new Set(packages.map((p) => p.flake))];
  const flakeVar = (ref: string) => `f${refs.indexOf(ref)}`;
  const flakes = refs
    .map(
      (ref) => `  ${flakeVar(ref)} = builtins.getFlake ${nixString(ref === "" ? `path:${repoDir}` : ref)};`,
    )
    .join("\n");
  const pkgs = packages
    .map(
      (p) =>
        `    (find ${nixString(p.name)} ${flakeVar(p.flake)} [ ${p.attr
          .split(".")
          .map(nixString)
          .join(" ")} ])`,
    )
    .join("\n");
  const names = packages.map((p) => p.name).join(" ");
  return `let
  sys = builtins.currentSystem;
${flakes}
  get = path: set: builtins.foldl' (s: k: if s != null && builtins.isAttrs s && builtins.hasAttr k s then builtins.getAttr k s else null) set path;
  find = label: f: path:
    let found = builtins.filter (x: x != null) [ (get ([ "packages" sys ] ++ path) f) (get ([ "legacyPackages" sys ] ++ path) f) (get path f) ];
    in if found == [ ] then throw "dotops: nix.packages: no package \${label} (looked for packages.\${sys}.\${builtins.concatStringsSep "." path}, legacyPackages.\${sys}.… and the attribute itself)" else builtins.head found;
  outs = d: d.meta.outputsToInstall or d.outputs or [ "out" ];
  pkgs = [
${pkgs}
  ];
in derivation {
  name = "dotops-packages";
  system = "builtin";
  builder = "builtin:buildenv";
  manifest = builtins.toFile "dotops-${hash}.nix" ${nixString(`# dotops nix.packages: ${names}\n[ ]\n`)};
  derivations = map (d: [ "true" 5 (builtins.length (outs d)) ] ++ map (o: (builtins.getAttr o d).outPath) (outs d)) pkgs;
  preferLocalBuild = true;
  allowSubstitutes = false;
}
`;
}

/** The set's hash from a profile generation's `manifest.nix` link, or null (not built by dotops). */
export function hashOfManifestLink(target: string): string | null {
  return /-dotops-([0-9a-f]{32})\.nix$/.exec(target)?.[1] ?? null;
}
