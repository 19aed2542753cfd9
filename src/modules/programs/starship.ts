import { header, type ProgramContext, shellDropIn } from "./program.js";
import type { StarshipOptions } from "./starship.schema.js";
import { tomlSettings } from "./toml.js";

/**
 * programs.starship → ~/.config/starship.toml, and starship's init for each
 * shell in ~/.config/dotops/shell/<shell>.d/ (sourced by the shell:
 * environment), skipped quietly where starship is not installed.
 */
export function starshipProgram(p: ProgramContext, o: StarshipOptions): void {
  p.link(
    "~/.config/starship.toml",
    tomlSettings(p, o.settings ?? {}, header("#", "programs.starship.settings")),
    ["settings"],
  );
  const guard = "command -v starship >/dev/null 2>&1";
  if (o.enableZshIntegration ?? true)
    p.link(
      shellDropIn("zsh", "starship"),
      `${header("#", "programs.starship")}\nif ${guard}; then eval "$(starship init zsh)"; fi\n`,
    );
  if (o.enableBashIntegration ?? true)
    p.link(
      shellDropIn("bash", "starship"),
      `${header("#", "programs.starship")}\nif ${guard}; then eval "$(starship init bash --print-full-init)"; fi\n`,
    );
  if (o.enableFishIntegration ?? true)
    p.link(
      shellDropIn("fish", "starship"),
      `${header("#", "programs.starship")}\nif command -q starship; and status is-interactive\n    starship init fish | source\nend\n`,
    );
}
