import type { Importer } from "./importer.js";

/** A `.macos`-style shell script of `defaults write` lines → system/macos-defaults.yaml. */
export const macosScriptImporter: Importer = {
  describe: "a .macos-style shell script of `defaults write` lines → system/macos-defaults.yaml",
  convert() {
    throw new Error("not built yet");
  },
};
