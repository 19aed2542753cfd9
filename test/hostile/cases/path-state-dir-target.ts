import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "a target inside dotops' own state dir",
  decision:
    "refused (exit 2, file:line:col): dotops never manages its own files (a link at `current` would be a loop)",
  files: { "dotops.yaml": entry("{ target: ~/.local/state/dotops/current, text: pwned }") },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: ["dotops.yaml:5:5: target ~/.local/state/dotops/current is inside dotops' state dir"],
    },
    { args: ["apply"], exit: 2, stderr: ["is inside dotops' state dir"] },
  ],
});
