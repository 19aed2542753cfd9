import { z } from "zod";

/** Free-form settings written as TOML (starship, alacritty); what TOML cannot say is refused when written. */
export const TomlSettingsSchema = z.record(z.string(), z.unknown());

/** Home Manager's enable<Shell>Integration: a file in ~/.config/dotops/shell/<shell>.d/, sourced by the shell: environment. */
export const integration = (shell: string) =>
  z.boolean().optional().describe(`Set it up in ${shell} (default true).`);
