import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "a symlink out of HOME planted in a parent directory between plan and apply",
  decision:
    "refused (exit 4): apply observes the machine again under its lock instead of trusting an earlier plan",
  files: { "dotops.yaml": entry("{ target: ~/.config/app/conf, text: pwned }") },
  commands: [
    { args: ["plan"], exit: 0, stdout: ["+ link ~/.config/app/conf"] },
    {
      args: ["apply"],
      exit: 4,
      before(w) {
        symlinkSync(join(w.outside, "victim"), join(w.home, ".config"));
      },
      stderr: ["outside HOME; dotops will not write through it"],
    },
  ],
});
