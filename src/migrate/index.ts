import type { Importer, TreeImporter } from "./importer.js";

/**
 * Every importer, by the name `dotops import <name>` takes, with the line
 * `--help` shows. Each is loaded when it runs: the .macos one brings an XML
 * plist library, and `--help` or another command needs none of them.
 */
export const IMPORTERS: Record<string, { describe: string; load: () => Promise<Importer | TreeImporter> }> = {
  brewfile: {
    describe: "a Brewfile (Homebrew Bundle) → system/homebrew.yaml",
    load: async () => (await import("./brewfile.js")).brewfileImporter,
  },
  "macos-script": {
    describe: "a .macos-style shell script of `defaults write` lines → system/macos-defaults.yaml",
    load: async () => (await import("./macos-script.js")).macosScriptImporter,
  },
  stow: {
    describe: "a GNU Stow directory: each package folder → files entries with target ~",
    load: async () => (await import("./stow.js")).stowImporter,
  },
  chezmoi: {
    describe: "a chezmoi source directory (dot_, private_, executable_, symlink_, .tmpl, run_ scripts)",
    load: async () => (await import("./chezmoi.js")).chezmoiImporter,
  },
};

export const isTreeImporter = (i: Importer | TreeImporter): i is TreeImporter => "convertTree" in i;
