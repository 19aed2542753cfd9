import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "an absolute source path (/etc/shadow, a file outside HOME)",
  decision:
    "refused (exit 2) saying sources are paths in the repo: an absolute path is never read from the machine",
  files: {
    "dotops.yaml": entry(
      "{ target: ~/.x, source: /etc/shadow }",
      '{ target: ~/.y, source: "@OUTSIDE@/etc/shadow" }',
    ),
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        "dotops.yaml:5:21: source /etc/shadow is an absolute path: sources are paths inside the config repo",
        "outside/etc/shadow is an absolute path",
      ],
    },
    { args: ["apply"], exit: 2, stderr: ["is an absolute path"] },
  ],
});
