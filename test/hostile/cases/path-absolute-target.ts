import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "an absolute target outside HOME",
  decision: "refused (exit 2): system paths are other kinds' business, never a file entry's",
  files: { "dotops.yaml": entry('{ target: "@OUTSIDE@/victim/keep", text: pwned }') },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [/dotops\.yaml:5:7: target ".*\/outside\/victim\/keep" is outside HOME: write it as ~\/\.\.\./],
    },
    { args: ["apply"], exit: 2, stderr: ["is outside HOME"] },
  ],
});
