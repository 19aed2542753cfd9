import { brewfileImporter } from "./brewfile.js";
import { chezmoiImporter } from "./chezmoi.js";
import type { Importer, TreeImporter } from "./importer.js";
import { macosScriptImporter } from "./macos-script.js";
import { stowImporter } from "./stow.js";

/** Every importer, by the name `dotops import <name>` takes. */
export const IMPORTERS: Record<string, Importer | TreeImporter> = {
  brewfile: brewfileImporter,
  "macos-script": macosScriptImporter,
  stow: stowImporter,
  chezmoi: chezmoiImporter,
};

export const isTreeImporter = (i: Importer | TreeImporter): i is TreeImporter => "convertTree" in i;
