import { defineCase } from "../case.js";

const hosts = Array.from(
  { length: 100 },
  (_, i) => `  h${i}: { platform: linux, imports: [home/*.yaml] }`,
).join("\n");
const files = Array.from(
  { length: 20 },
  (_, i) => `  - { target: ~/.f${i}, text: "${"x".repeat(100)}" }`,
).join("\n");

export default defineCase({
  title: "100 hosts (the most a repo may have), each importing the same 20 files",
  decision:
    "a safe result within the limits (exit 0): each file is parsed and the entry validated once per command, however many hosts use them",
  files: { "dotops.yaml": `version: 1\nhosts:\n${hosts}\n`, "home/files.yaml": `files:\n${files}\n` },
  commands: [{ args: ["check"], exit: 0, stdout: ["is valid for 100 host(s)"] }],
});
