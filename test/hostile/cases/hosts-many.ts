import { defineCase } from "../case.js";

const hosts = Array.from({ length: 500 }, (_, i) => `  h${i}: { platform: linux }`).join("\n");

export default defineCase({
  title: "500 hosts in dotops.yaml",
  decision:
    "refused (exit 2) at `hosts`: check and the Action load the whole config once per host, so the work grows with hosts × config; dotops takes at most 100 hosts a repo",
  files: { "dotops.yaml": `version: 1\nhosts:\n${hosts}\nfiles:\n  - { target: ~/.a, text: a }\n` },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        "dotops.yaml:2:1: 500 hosts: dotops loads the whole config once per host (check, and the Action on every pull request), and takes at most 100; split the machines over several repos",
      ],
    },
    { args: ["--host", "h1", "apply"], exit: 2, stderr: ["500 hosts"] },
  ],
});
