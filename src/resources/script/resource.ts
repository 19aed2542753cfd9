/**
 * A script to run: `command` (argv), or a store `object` (the repo's script
 * file) run by its #! line or with `sh`. `hash` covers the command, the script
 * and every watched file: the manifest records the hash each generation ran
 * with, and the machine keeps the last one actually run (record.ts).
 */
export type ScriptResource = {
  kind: "script";
  id: string;
  name: string;
  run: "once" | "onchange" | "always";
  hash: string;
  command?: string[];
  object?: string;
  /** The script file has no #! line: run it with sh. */
  shell?: true;
  undo?: string[];
};

export const scriptId = (name: string) => `script:${name}`;
