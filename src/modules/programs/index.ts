import type { Config } from "../../config/load.js";
import { ConfigError } from "../../errors.js";
import type { ModuleOutput } from "../module.js";
import { alacrittyProgram } from "./alacritty.js";
import { awsSsoProgram } from "./aws-sso.js";
import { gitProgram } from "./git.js";
import { neovimProgram } from "./neovim.js";
import { ProgramContext } from "./program.js";
import type { ProgramsConfig } from "./schema.js";
import { starshipProgram } from "./starship.js";
import { zshProgram } from "./zsh.js";

type Builders = {
  [K in keyof ProgramsConfig]-?: (p: ProgramContext, o: NonNullable<ProgramsConfig[K]>) => void;
};

const PROGRAMS: Builders = {
  git: gitProgram,
  zsh: zshProgram,
  starship: starshipProgram,
  alacritty: alacrittyProgram,
  neovim: neovimProgram,
  awsSso: awsSsoProgram,
};

/**
 * `programs:` → linked dotfiles, one builder per program (Home Manager's
 * programs.*). A program writes nothing unless enable is true; problems of
 * every program are collected so one run names them all.
 */
export function programsModule(config: Config): ModuleOutput {
  const out: Required<ModuleOutput> = { resources: [], blobs: [], warnings: [] };
  const problems: ConfigError["problems"] = [];
  for (const name of Object.keys(PROGRAMS) as (keyof Builders)[]) {
    const options = config.programs[name];
    if (!options) continue;
    const p = new ProgramContext(config, name);
    if (options.enable !== true) {
      if (Object.keys(options).some((k) => k !== "enable") && options.enable === undefined)
        p.warn(`programs.${name} has options but no enable: true, so it writes nothing`);
    } else (PROGRAMS[name] as (p: ProgramContext, o: typeof options) => void)(p, options);
    out.resources.push(...p.resources);
    out.blobs.push(...p.blobs);
    out.warnings.push(...p.warnings);
    problems.push(...p.problems);
  }
  if (problems.length) throw new ConfigError(problems);
  return out;
}
