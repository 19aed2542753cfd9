import { z } from "zod";
import { TomlSettingsSchema } from "./common.schema.js";

export const AlacrittySchema = z
  .strictObject({
    enable: z.boolean().optional().describe("Write ~/.config/alacritty/alacritty.toml."),
    settings: TomlSettingsSchema.optional().describe("alacritty.toml as a map (see alacritty(5))."),
  })
  .describe("The Alacritty terminal (Home Manager's programs.alacritty).");

export type AlacrittyOptions = z.infer<typeof AlacrittySchema>;
