import { z } from "zod";
import { AlacrittySchema } from "./alacritty.schema.js";
import { AwsSsoSchema } from "./aws-sso.schema.js";
import { GitSchema } from "./git.schema.js";
import { NeovimSchema } from "./neovim.schema.js";
import { StarshipSchema } from "./starship.schema.js";
import { ZshSchema } from "./zsh.schema.js";

export const ProgramsSchema = z
  .strictObject({
    git: GitSchema.optional(),
    zsh: ZshSchema.optional(),
    starship: StarshipSchema.optional(),
    alacritty: AlacrittySchema.optional(),
    neovim: NeovimSchema.optional(),
    awsSso: AwsSsoSchema.optional(),
  })
  .describe(
    "Programs configured by options (Home Manager's programs.*). Each writes its dotfiles only with enable: true. String options are templates ({{ user.email }}).",
  );

export type ProgramsConfig = z.infer<typeof ProgramsSchema>;
