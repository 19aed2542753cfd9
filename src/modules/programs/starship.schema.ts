import { z } from "zod";
import { integration, TomlSettingsSchema } from "./common.schema.js";

export const StarshipSchema = z
  .strictObject({
    enable: z
      .boolean()
      .optional()
      .describe("Write ~/.config/starship.toml and start starship in the shells."),
    settings: TomlSettingsSchema.optional().describe(
      "starship.toml as a map (see starship's configuration).",
    ),
    enableZshIntegration: integration("zsh"),
    enableBashIntegration: integration("bash"),
    enableFishIntegration: integration("fish"),
  })
  .describe("The starship prompt (Home Manager's programs.starship).");

export type StarshipOptions = z.infer<typeof StarshipSchema>;
