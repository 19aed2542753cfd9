import { z } from "zod";

/** `shell:` (home/shell.yaml): Home Manager's home.shellAliases, home.sessionVariables, home.sessionPath. */
export const ShellSchema = z
  .strictObject({
    aliases: z
      .record(z.string(), z.string())
      .optional()
      .describe(
        'Aliases for zsh, bash and fish: name → command line (one line). Built in: rebuild, health-check, health-maintain, cleanup, perf-analyze, setup-dev-env (the dotops commands); yours win, and "" removes one.',
      ),
    env: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .describe(
        "Exported environment variables. Values are literal (no $ expansion); a leading ~/ is your HOME.",
      ),
    path: z
      .array(z.string())
      .optional()
      .describe(
        "Directories prepended to PATH, in this order, each once (also when the shell already had it). Absolute or ~/...",
      ),
    init: z
      .strictObject({
        zsh: z.string().optional().describe("Code run at the end of the zsh environment."),
        bash: z.string().optional().describe("Code run at the end of the bash environment."),
        fish: z.string().optional().describe("Code run at the end of the fish environment."),
      })
      .optional()
      .describe("Shell code per shell, run after aliases, env and PATH are set."),
  })
  .describe(
    "The shell environment: one generated file per shell (~/.config/dotops/shell/env.{zsh,bash,fish}), sourced from ~/.zshrc, ~/.bashrc and ~/.config/fish/config.fish by a managed block.",
  );

export type ShellConfig = z.infer<typeof ShellSchema>;
