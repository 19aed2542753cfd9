import { stringify } from "smol-toml";
import type { Path } from "../../config/yaml.js";
import type { ProgramContext } from "./program.js";

/**
 * `settings` as TOML (starship.toml, alacritty.toml), written by smol-toml.
 * What TOML cannot say (a null: YAML's empty value) is a problem at the
 * option's file:line, not a key silently left out.
 */
export function tomlSettings(p: ProgramContext, settings: Record<string, unknown>, comment: string): string {
  const settingsAt: Path = ["settings"];
  const check = (v: unknown, at: Path): void => {
    if (v === null || v === undefined) p.problem("TOML has no null: give a value or leave the key out", at);
    else if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) check(item, [...at, i]);
    } else if (typeof v === "object") for (const [k, item] of Object.entries(v)) check(item, [...at, k]);
  };
  check(settings, settingsAt);
  const rendered = p.render(settings, settingsAt);
  let toml = "";
  try {
    toml = stringify(rendered);
  } catch (err) {
    p.problem(`cannot be written as TOML: ${(err as Error).message}`, settingsAt);
  }
  return `${comment}\n${toml.trim() ? `${toml.replace(/\s+$/, "")}\n` : ""}`;
}
