import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "a source that climbs out of the repo with ../",
  decision: "refused (exit 2): sources are read from the commit's tree, never from the file system",
  files: { "dotops.yaml": entry("{ target: ~/.x, source: ../../outside/etc/shadow }") },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: ["dotops.yaml:5:21: source ../../outside/etc/shadow is outside the repo"],
    },
    { args: ["apply"], exit: 2, stderr: ["is outside the repo"] },
  ],
});
