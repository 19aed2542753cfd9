import { z } from "zod";

/** `nix:` in system/*.yaml (nix-darwin's `nix.settings`, Home Manager's `home.packages`, and delegation to their flakes). */
const settingValue = z.union(
  [z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))],
  { error: "expected a string, number, boolean or a list of strings" },
);

/** `.` or `./dir`: the config repo's own flake (at the commit applied); anything else is a flake reference. */
const flakeRef = z
  .string()
  .min(1)
  .regex(/^[^#\s]+$/, 'a flake reference without "#", e.g. "." or "nixpkgs"');

export const NixPackageSchema = z.union([
  z
    .string()
    .regex(/^[\w.+-]+$/, "a package attribute name such as jq or python3Packages.black")
    .describe("An attribute looked up in nix.packagesFrom."),
  z.strictObject({
    flake: z
      .string()
      .regex(/^[^#\s]+#[\w.+"-]+$/, 'an installable "<flake>#<attribute>", e.g. "nixpkgs#jq" or ".#mytool"')
      .describe('An installable: "nixpkgs#jq", or ".#tool" for the config repo\'s own flake.'),
  }),
]);

export const NixSchema = z
  .strictObject({
    settings: z
      .record(z.string().regex(/^[A-Za-z0-9-]+$/, "a nix.conf setting name"), settingValue)
      .optional()
      .describe(
        "nix.conf settings (nix-darwin's nix.settings): lists are written space-separated, booleans true/false.",
      ),
    scope: z
      .enum(["user", "system"])
      .optional()
      .describe(
        "Where settings go: user (default) links ~/.config/nix/nix.conf; system writes /etc/nix/nix.conf as root, through dotops' privilege door.",
      ),
    packages: z
      .array(NixPackageSchema)
      .optional()
      .describe(
        "Nix packages (Home Manager's home.packages), installed into dotops' own Nix profile (<state>/nix/profile; put <state>/nix/profile/bin on PATH). Every dotops generation points at one profile generation.",
      ),
    packagesFrom: flakeRef
      .optional()
      .describe(
        'The flake whose packages bare names come from: "." is the config repo\'s own flake at the commit applied (its *.nix files and flake.lock), "./dir" one in a directory of it; anything else is a flake reference. Default "nixpkgs" (the flake registry). A name is looked up as packages.<system>.<name>, then legacyPackages.<system>.<name>.',
      ),
    darwin: z
      .strictObject({
        flake: flakeRef.describe('The config repo\'s flake: "." or "./dir".'),
        host: z
          .string()
          .regex(/^[\w.-]+$/, "a darwinConfigurations name")
          .describe("The darwinConfigurations.<host> of the flake to build."),
      })
      .optional()
      .describe(
        "Delegate the system to nix-darwin: builds darwinConfigurations.<host>.system from the repo's flake, sets the system profile and runs its activate as root (darwin-rebuild switch).",
      ),
    homeManager: z
      .strictObject({
        flake: flakeRef.describe('The config repo\'s flake: "." or "./dir".'),
        user: z
          .string()
          .regex(/^[\w.@-]+$/, "a homeConfigurations name")
          .describe("The homeConfigurations.<user> of the flake to build."),
      })
      .optional()
      .describe(
        "Delegate to Home Manager: builds homeConfigurations.<user>.activationPackage from the repo's flake, sets the home-manager profile and runs activate (home-manager switch).",
      ),
  })
  .describe(
    "Nix: nix.conf settings, Nix packages in a dotops-owned profile, nix-darwin and Home Manager flakes.",
  );

export type NixConfig = z.infer<typeof NixSchema>;
export type NixPackageEntry = z.infer<typeof NixPackageSchema>;
