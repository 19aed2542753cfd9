import { z } from "zod";
import { integration } from "./common.schema.js";

export const NeovimSchema = z
  .strictObject({
    enable: z.boolean().optional().describe("Write ~/.config/nvim/init.lua."),
    initLua: z
      .string()
      .optional()
      .describe(
        "init.lua: a file of the config repo (files/nvim/init.lua, taken as it is) or the Lua text itself (templated).",
      ),
    extraLuaConfig: z.string().optional().describe("Lua appended to init.lua."),
    extraConfig: z.string().optional().describe("Vimscript appended to init.lua (run through vim.cmd)."),
    defaultEditor: z.boolean().optional().describe("Export EDITOR=nvim and VISUAL=nvim in the shells."),
    viAlias: z.boolean().optional().describe("alias vi=nvim."),
    vimAlias: z.boolean().optional().describe("alias vim=nvim."),
    vimdiffAlias: z.boolean().optional().describe("alias vimdiff='nvim -d'."),
    enableZshIntegration: integration("zsh"),
    enableBashIntegration: integration("bash"),
    enableFishIntegration: integration("fish"),
  })
  .describe("Neovim (Home Manager's programs.neovim).");

export type NeovimOptions = z.infer<typeof NeovimSchema>;
