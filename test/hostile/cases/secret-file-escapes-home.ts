import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "!secret files that leave HOME by ~/.., by a relative path, or through a symlink in HOME",
  decision:
    "each refused (exit 2): `..` is resolved before the check, a relative path is refused (relative to what?), and the file's real path must be inside HOME too",
  files: {
    "dotops.yaml": `${entry(
      '{ target: ~/.a, mode: template, text: "{{ vars.a }}" }',
      '{ target: ~/.b, mode: template, text: "{{ vars.b }}" }',
      '{ target: ~/.c, mode: template, text: "{{ vars.c }}" }',
    )}vars:\n  a: !secret file:~/../outside/etc/shadow\n  b: !secret file:../outside/etc/shadow\n  c: !secret file:~/.secrets/shadow\n`,
  },
  setup(w) {
    symlinkSync(join(w.outside, "etc"), join(w.home, ".secrets"));
  },
  commands: [
    {
      args: ["apply"],
      exit: 2,
      stderr: [
        /secret file:~\/\.\.\/outside\/etc\/shadow is outside HOME/,
        "secret file:../outside/etc/shadow is a relative path: write ~/... (or an absolute path)",
        /secret file:~\/\.secrets\/shadow leads to .*\/outside\/etc\/shadow through a symlink, outside HOME/,
      ],
    },
  ],
});
