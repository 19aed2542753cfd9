import { defineCase } from "../case.js";

export default defineCase({
  title: "imports that cycle: dotops.yaml importing itself, fragments importing each other",
  decision:
    "refused (exit 2): only dotops.yaml imports, so fragments cannot form a cycle (their `imports` is an error saying so), and dotops.yaml importing itself is named as such",
  files: {
    "dotops.yaml": "version: 1\nimports: [dotops.yaml, home/a.yaml]\nhosts:\n  box: { platform: linux }\n",
    "home/a.yaml": "imports: [home/b.yaml]\n",
    "home/b.yaml": "imports: [home/a.yaml]\n",
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        "dotops.yaml:2:11: dotops.yaml imports itself: list the files it imports instead",
        'home/a.yaml:1:1: "imports" belongs in dotops.yaml, not in an imported file',
      ],
    },
    { args: ["apply"], exit: 2 },
  ],
});
