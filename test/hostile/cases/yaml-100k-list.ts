import { defineCase } from "../case.js";

const brews = Array.from({ length: 100_000 }, (_, i) => `    - pkg${i}`).join("\n");

export default defineCase({
  title: "a YAML list of 100,000 entries (homebrew.brews, 1.2 MB)",
  decision:
    "refused (exit 2) at the list, as the parser reaches its 5,001st entry: a list that long is data, not configuration, and carrying it through validation and modules costs seconds and a gigabyte",
  files: {
    "dotops.yaml": `version: 1\nhosts:\n  box: { platform: linux }\nhomebrew:\n  brews:\n${brews}\n`,
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: ["dotops.yaml:6:5: a list of more than 5000 entries: refused (config is not data)"],
    },
    { args: ["apply"], exit: 2, stderr: ["a list of more than 5000 entries"] },
  ],
});
