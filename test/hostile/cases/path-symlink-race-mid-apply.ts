import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "a parent directory swapped for a symlink out of HOME while apply runs (after its plan)",
  decision:
    "the step that would write through it fails and the whole transaction is undone (exit 1): every step re-checks, just before it writes, that the parent is still inside HOME",
  files: { "dotops.yaml": entry("{ target: ~/.config/app/conf, text: pwned }") },
  commands: [
    {
      args: ["apply"],
      // Stopped after the plan and the journal, before the first step (mkdir ~/.config) runs.
      stopAt: "step:0",
      whileStopped(w) {
        symlinkSync(join(w.outside, "victim"), join(w.home, ".config"));
      },
      exit: 1,
      stderr: ["outside HOME"],
    },
  ],
});
