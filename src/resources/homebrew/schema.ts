import { z } from "zod";

/** `homebrew:` in system/*.yaml (nix-darwin's `homebrew.*`, Homebrew Bundle's Brewfile). */
const name = z
  .string()
  .regex(/^[\w@.+/-]+$/, "a Homebrew name such as awscli, postgresql@16 or user/tap/formula")
  .describe("The Homebrew name: awscli, postgresql@16, or user/tap/formula for a tap's formula.");

export const BrewSchema = z.union([
  name,
  z.strictObject({
    name,
    args: z.array(z.string()).optional().describe("Extra `brew install` arguments, e.g. [--HEAD]."),
    restartService: z
      .union([z.boolean(), z.literal("changed")])
      .optional()
      .describe("Restart the formula's service (`brew services restart`) after it is installed or upgraded."),
    link: z
      .boolean()
      .optional()
      .describe("Link the formula into the prefix (false: `brew unlink` it; keg-only stays unlinked)."),
  }),
]);

export const CaskSchema = z.union([
  name,
  z.strictObject({
    name,
    args: z
      .array(z.string())
      .optional()
      .describe("Extra `brew install --cask` arguments, e.g. [--no-quarantine]."),
    greedy: z.boolean().optional().describe("Upgrade even when the cask updates itself (auto_updates)."),
  }),
]);

export const TapSchema = z.union([
  name,
  z.strictObject({
    name,
    url: z.string().optional().describe("Clone URL of a tap that is not on GitHub as homebrew-<name>."),
  }),
]);

export const HomebrewSchema = z
  .strictObject({
    taps: z.array(TapSchema).optional().describe("Third-party repositories (`brew tap`)."),
    brews: z
      .array(BrewSchema)
      .optional()
      .describe("Formulae: a name, or { name, args, restartService, link }."),
    casks: z.array(CaskSchema).optional().describe("macOS apps (`brew install --cask`)."),
    mas: z
      .record(z.string(), z.number().int().positive())
      .optional()
      .describe("Mac App Store apps, name → app id (installed with `mas`), e.g. { Xcode: 497799835 }."),
    cleanup: z
      .enum(["none", "uninstall", "zap"])
      .optional()
      .meta({ default: "none" })
      .describe(
        "What happens to formulae and casks installed but not listed (Homebrew Bundle's --cleanup): none (default) leaves them; uninstall removes them; zap also removes casks' app data. Both are destructive steps in the plan.",
      ),
  })
  .describe("Homebrew taps, formulae, casks and Mac App Store apps (darwin hosts).");

export type HomebrewConfig = z.infer<typeof HomebrewSchema>;
