import { z } from "zod";

/**
 * `scripts:` in home/scripts.yaml: commands run after the files are in place
 * (chezmoi's run_ scripts, Home Manager's activation scripts), each recorded
 * with the hash it last ran with.
 */
export const ScriptSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][\w.@+-]*$/, "letters, digits and . _ - @ + (it names the script's record)")
      .describe("Names the script in plans, logs and its last-run record (id script:<name>)."),
    run: z
      .enum(["once", "onchange", "always"])
      .describe(
        "once: the first apply on this machine; onchange: when the command, the script or a watched file changes; always: every apply (never part of drift).",
      ),
    watch: z
      .array(z.string().min(1))
      .optional()
      .describe("Repo files or directories whose content is part of the hash (run: onchange)."),
    command: z
      .array(z.string())
      .min(1)
      .optional()
      .describe(
        "Command and arguments, run without a shell in HOME; a leading ~/ in an argument is HOME. Give this or script.",
      ),
    script: z
      .string()
      .min(1)
      .optional()
      .describe(
        "A script file in the repo (e.g. scripts/setup.sh) run from the store: by its #! line, else with sh. Give this or command.",
      ),
    undo: z
      .array(z.string())
      .min(1)
      .optional()
      .describe(
        "Command that reverses the script, run when a rollback or a removal unmanages it, or when the apply that first ran it fails.",
      ),
  })
  .describe("A script run by apply (chezmoi's run_once_/run_onchange_/run_).");

export type ScriptConfig = z.infer<typeof ScriptSchema>;
