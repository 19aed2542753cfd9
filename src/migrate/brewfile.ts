import type { Importer } from "./importer.js";

/** A Brewfile (Homebrew Bundle) → system/homebrew.yaml. */
export const brewfileImporter: Importer = {
  describe: "a Brewfile (Homebrew Bundle) → system/homebrew.yaml",
  convert() {
    throw new Error("not built yet");
  },
};
