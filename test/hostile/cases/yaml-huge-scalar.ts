import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "a 3 MB scalar in the config (a quoted string: the count includes its quotes)",
  decision: "refused (exit 2) where it starts: a scalar over 1 MiB is not configuration",
  files: { "dotops.yaml": `${entry("{ target: ~/.x, text: x }")}vars:\n  big: "${"x".repeat(3_000_000)}"\n` },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [/dotops\.yaml:7:8: a scalar of 3000002 characters; the limit is 1048576/],
    },
    { args: ["apply"], exit: 2 },
  ],
});
