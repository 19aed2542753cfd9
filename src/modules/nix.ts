import type { Config } from "../config/load.js";
import { normalizeRepoPath } from "../config/source.js";
import { formatPath, originOf, type Path } from "../config/yaml.js";
import { ConfigError, type ConfigProblem } from "../errors.js";
import { type FlakeFile, isFlakeFile, packFlake } from "../resources/nix/flake-source.js";
import {
  NIX_PACKAGES_ID,
  type NixDelegateResource,
  type NixPackageRef,
  type NixProfileResource,
  type NixSystemConfResource,
  SYSTEM_NIX_CONF,
} from "../resources/nix/resource.js";
import type { NixConfig } from "../resources/nix/schema.js";
import type { Blob, Located, Resource } from "../resources/types.js";
import type { ModuleOutput } from "./module.js";
import { canonicalJson, makeBlob, sha256 } from "./objects.js";

/**
 * `nix:` → nix.conf (a linked ~/.config/nix/nix.conf, or /etc/nix/nix.conf
 * written as root), one `nix-profile` resource for all packages, and the
 * nix-darwin / Home Manager delegations. The config repo's flake goes along as
 * one bundle object (flake-source.ts).
 */
export function nixModule(config: Config): ModuleOutput {
  const nix = config.nix;
  const resources: Located<Resource>[] = [];
  const blobs: Blob[] = [];
  const problems: ConfigProblem[] = [];
  const at = (...path: Path) => originOf(config.located, ["nix", ...path]);
  const fail = (message: string, ...path: Path) =>
    problems.push({ message, origin: at(...path), path: formatPath(["nix", ...path]) });

  const flakeBlob = (dir: string, ...path: Path): string | undefined => {
    const root = normalizeRepoPath(dir);
    const prefix = root === "" || root === "." ? "" : `${root}/`;
    const files: FlakeFile[] = [];
    for (const [p, f] of config.source.files) {
      if (!p.startsWith(prefix) || !isFlakeFile(p) || (f.type !== "file" && f.type !== "exec")) continue;
      files.push({ path: p.slice(prefix.length), data: f.data, executable: f.type === "exec" });
    }
    if (!files.some((f) => f.path === "flake.nix")) {
      fail(`${prefix}flake.nix does not exist in ${config.source.label} (is it committed?)`, ...path);
      return undefined;
    }
    const blob = makeBlob(packFlake(files), false, "flake.json");
    blobs.push(blob);
    return blob.object;
  };

  if (nix.settings && Object.keys(nix.settings).length) {
    const blob = makeBlob(Buffer.from(renderNixConf(nix.settings)), false, "nix.conf");
    blobs.push(blob);
    if (nix.scope === "system") {
      const r: NixSystemConfResource = { kind: "nix-conf-system", id: SYSTEM_NIX_CONF, object: blob.object };
      resources.push({ ...r, origin: at("settings") });
    } else
      resources.push({
        kind: "link",
        id: "~/.config/nix/nix.conf",
        object: blob.object,
        origin: at("settings"),
      });
  } else if (nix.scope === "system") fail("scope: system has no settings to write", "scope");

  if (nix.packages?.length) {
    const from = nix.packagesFrom ?? "nixpkgs";
    const isRepo = (ref: string) => ref === "." || ref.startsWith("./");
    const packages: NixPackageRef[] = [];
    let repoDir: string | undefined;
    nix.packages.forEach((p, i) => {
      const [flake, attr] = typeof p === "string" ? [from, p] : (p.flake.split("#") as [string, string]);
      if (isRepo(flake)) {
        if (repoDir !== undefined && normalizeRepoPath(repoDir) !== normalizeRepoPath(flake))
          fail(
            `packages come from one flake of the repo (${repoDir}), not also from ${flake}`,
            "packages",
            i,
          );
        repoDir = flake;
      }
      packages.push({ name: typeof p === "string" ? p : p.flake, flake: isRepo(flake) ? "" : flake, attr });
    });
    const object =
      repoDir === undefined
        ? undefined
        : flakeBlob(
            repoDir,
            ...(nix.packagesFrom && isRepo(nix.packagesFrom) ? ["packagesFrom"] : ["packages"]),
          );
    const hash = sha256(canonicalJson({ packages, object: object ?? null })).slice(0, 32);
    const r: NixProfileResource = {
      kind: "nix-profile",
      id: NIX_PACKAGES_ID,
      packages,
      ...(object ? { object } : {}),
      hash,
    };
    resources.push({ ...r, origin: at("packages") });
  }

  const delegate = (
    kind: NixDelegateResource["kind"],
    id: string,
    key: "darwin" | "homeManager",
    attr: string,
    flake: string,
  ) => {
    if (flake !== "." && !flake.startsWith("./"))
      return fail(
        `${key}.flake must be the config repo's own flake ("." or "./dir"), not ${flake}`,
        key,
        "flake",
      );
    const object = flakeBlob(flake, key, "flake");
    if (!object) return;
    const r: NixDelegateResource = {
      kind,
      id,
      object,
      attr,
      hash: sha256(`${object}\0${attr}`).slice(0, 32),
    };
    resources.push({ ...r, origin: at(key) });
  };
  if (nix.darwin) {
    if (config.host.platform !== "darwin")
      fail(`nix.darwin needs a darwin host (${config.host.name} is ${config.host.platform})`, "darwin");
    else
      delegate(
        "nix-darwin",
        "nix/darwin",
        "darwin",
        `darwinConfigurations.${quoteAttr(nix.darwin.host)}.system`,
        nix.darwin.flake,
      );
  }
  if (nix.homeManager)
    delegate(
      "nix-home-manager",
      "nix/home-manager",
      "homeManager",
      `homeConfigurations.${quoteAttr(nix.homeManager.user)}.activationPackage`,
      nix.homeManager.flake,
    );

  if (problems.length) throw new ConfigError(problems);
  return { resources, blobs };
}

/** An attribute name as a Nix attribute path segment (`"user@host"` needs quotes). */
const quoteAttr = (name: string) => (/^[A-Za-z_][\w'-]*$/.test(name) ? name : `"${name}"`);

/** nix.conf syntax: `name = value`, lists space-separated, booleans true/false. */
export function renderNixConf(settings: NonNullable<NixConfig["settings"]>): string {
  const lines = ["# Written by dotops from nix.settings; edit the config repo instead."];
  for (const [name, value] of Object.entries(settings))
    lines.push(`${name} = ${Array.isArray(value) ? value.join(" ") : String(value)}`);
  return `${lines.join("\n")}\n`;
}
