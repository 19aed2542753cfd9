import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "targets that climb out through ~/.. or a deeper ..",
  decision: "refused (exit 2) naming each target: `..` is resolved in the text, before any path exists",
  files: {
    "dotops.yaml": entry(
      '{ target: "~/../outside/etc/shadow", text: pwned }',
      '{ target: "~/.config/../../outside/victim/x", text: pwned }',
    ),
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        'dotops.yaml:5:7: target "~/../outside/etc/shadow" climbs out of HOME with ..',
        'dotops.yaml:6:7: target "~/.config/../../outside/victim/x" climbs out of HOME with ..',
      ],
    },
    { args: ["apply"], exit: 2, stderr: ["climbs out of HOME with .."] },
  ],
});
