import type { AlacrittyOptions } from "./alacritty.schema.js";
import { header, type ProgramContext } from "./program.js";
import { tomlSettings } from "./toml.js";

/** programs.alacritty → ~/.config/alacritty/alacritty.toml. */
export function alacrittyProgram(p: ProgramContext, o: AlacrittyOptions): void {
  p.link(
    "~/.config/alacritty/alacritty.toml",
    tomlSettings(p, o.settings ?? {}, header("#", "programs.alacritty.settings")),
    ["settings"],
  );
}
