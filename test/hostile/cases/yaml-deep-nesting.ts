import { defineCase } from "../case.js";

export default defineCase({
  title: "YAML nested 10,000 levels deep (flow sequences and maps)",
  decision:
    "refused (exit 2) where the nesting passes 64 levels: no parser or validator recursion gets that far",
  files: {
    "dotops.yaml": "version: 1\nimports: [home/*.yaml]\nhosts:\n  box: { platform: linux }\n",
    "home/deep.yaml": `vars:\n  deep: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`,
    "home/maps.yaml": `vars:\n  deep: ${"{a: ".repeat(10_000)}1${"}".repeat(10_000)}\n`,
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      // The first file's refusal ends the load: it is the first file whose cost was refused.
      stderr: [/home\/deep\.yaml:2:\d+: nested deeper than 64 levels/],
    },
    { args: ["apply"], exit: 2, stderr: ["nested deeper than 64 levels"] },
  ],
});
