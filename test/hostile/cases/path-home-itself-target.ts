import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "a file or text whose target is HOME itself (~, ~/., ~/./)",
  decision:
    "refused (exit 2): only a directory source may go to ~ (a home mirror, each file inside lands in HOME); a file there would replace HOME",
  files: {
    "dotops.yaml": entry(
      '{ target: "~", text: pwned }',
      '{ target: "~/.", source: files/x }',
      '{ target: "~/./", source: files/x }',
    ),
    "files/x": "x\n",
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        'dotops.yaml:5:7: target "~" is HOME itself: name a file inside it',
        'dotops.yaml:6:7: target "~/." is HOME itself: name a file inside it (only a directory source can go to ~)',
        'dotops.yaml:7:7: target "~/./" is HOME itself',
      ],
    },
    { args: ["apply"], exit: 2, stderr: ["is HOME itself"] },
  ],
});
