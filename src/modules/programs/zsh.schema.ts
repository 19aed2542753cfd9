import { z } from "zod";

const count = z.number().int().nonnegative();
const aliases = z.record(z.string(), z.string());

export const ZshSchema = z
  .strictObject({
    enable: z
      .boolean()
      .optional()
      .describe("Write ~/.zshrc and ~/.zshenv (the whole files: dotops owns them)."),
    dotDir: z
      .string()
      .optional()
      .describe(
        "Directory for the zsh files, relative to HOME (e.g. .config/zsh): ~/.zshenv then sets ZDOTDIR to it and .zshrc goes there.",
      ),
    history: z
      .strictObject({
        size: count.optional().describe("HISTSIZE: lines kept in memory (default 10000)."),
        save: count.optional().describe("SAVEHIST: lines saved in the history file (default 10000)."),
        path: z
          .string()
          .optional()
          .describe("HISTFILE (default ~/.zsh_history, or <dotDir>/.zsh_history); ~/ is HOME."),
        ignoreDups: z.boolean().optional().describe("HIST_IGNORE_DUPS (default true)."),
        ignoreAllDups: z.boolean().optional().describe("HIST_IGNORE_ALL_DUPS (default false)."),
        ignoreSpace: z.boolean().optional().describe("HIST_IGNORE_SPACE (default true)."),
        expireDuplicatesFirst: z.boolean().optional().describe("HIST_EXPIRE_DUPS_FIRST (default false)."),
        extended: z.boolean().optional().describe("EXTENDED_HISTORY: save timestamps (default false)."),
        share: z.boolean().optional().describe("SHARE_HISTORY between sessions (default true)."),
        append: z.boolean().optional().describe("APPEND_HISTORY rather than replace (default false)."),
        ignorePatterns: z
          .array(z.string())
          .optional()
          .describe("HISTORY_IGNORE: commands matching any of these patterns are not saved."),
      })
      .optional()
      .describe("History settings."),
    shellAliases: aliases.optional().describe("alias name=value, in interactive shells."),
    shellGlobalAliases: aliases.optional().describe("alias -g name=value (expanded anywhere in a line)."),
    sessionVariables: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .describe(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a template
        "Exported in ~/.zshenv. Values are literal except $NAME and ${NAME}, which expand (as in Home Manager: PATH: $HOME/bin:$PATH).",
      ),
    setOptions: z
      .array(z.string())
      .optional()
      .describe("setopt these options; a NO_ prefix unsets one (NO_BEEP)."),
    autocd: z.boolean().optional().describe("AUTO_CD: a directory name alone changes into it."),
    defaultKeymap: z
      .enum(["emacs", "vicmd", "viins"])
      .optional()
      .describe("The line editor's keymap (bindkey -e / -a / -v)."),
    enableCompletion: z
      .boolean()
      .optional()
      .describe("Load the completion system (compinit), after the plugins' fpath (default true)."),
    completionInit: z
      .string()
      .optional()
      .describe("How to start completion (default: autoload -U compinit && compinit)."),
    plugins: z
      .array(
        z.strictObject({
          name: z.string().min(1).describe("The plugin's name."),
          src: z
            .string()
            .min(1)
            .describe(
              "Its directory: in the config repo (files/zsh/zsh-autosuggestions, linked to ~/.zsh/plugins/<name>) or on the machine (~/..., /...).",
            ),
          file: z.string().optional().describe("The file to source in it (default <name>.plugin.zsh)."),
        }),
      )
      .optional()
      .describe("Plugins: added to fpath and sourced, in order."),
    initExtraFirst: z.string().optional().describe("Lines at the very top of .zshrc."),
    initExtra: z.string().optional().describe("Lines at the end of .zshrc."),
    envExtra: z.string().optional().describe("Lines at the end of .zshenv."),
    profileExtra: z.string().optional().describe("The content of .zprofile (login shells, before .zshrc)."),
    loginExtra: z.string().optional().describe("The content of .zlogin (login shells, after .zshrc)."),
    logoutExtra: z.string().optional().describe("The content of .zlogout."),
  })
  .describe(
    "zsh (Home Manager's programs.zsh): ~/.zshrc sources the shell: environment (~/.config/dotops/shell/env.zsh).",
  );

export type ZshOptions = z.infer<typeof ZshSchema>;
