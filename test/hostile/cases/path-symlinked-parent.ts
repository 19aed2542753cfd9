import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "a parent directory in HOME that is a symlink to a directory outside HOME",
  decision:
    "refused by policy (exit 4) naming the link and where it leads, with or without --backup: dotops never writes through it",
  files: { "dotops.yaml": entry("{ target: ~/.config/app/conf, text: pwned }") },
  setup(w) {
    symlinkSync(join(w.outside, "victim"), join(w.home, ".config"));
  },
  commands: [
    {
      args: ["apply"],
      exit: 4,
      stderr: [
        /~\/\.config\/app\/conf: .*\/home\/\.config is a symlink to .*\/outside\/victim, outside HOME; dotops will not write through it/,
      ],
    },
    { args: ["apply", "--backup"], exit: 4, stderr: ["outside HOME; dotops will not write through it"] },
  ],
});
