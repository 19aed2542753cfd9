import { brewfileImporter } from "./brewfile.js";
import type { Importer } from "./importer.js";
import { macosScriptImporter } from "./macos-script.js";

/** Every importer, by the name `dotops import <name>` takes. */
export const IMPORTERS: Record<string, Importer> = {
  brewfile: brewfileImporter,
  "macos-script": macosScriptImporter,
};
