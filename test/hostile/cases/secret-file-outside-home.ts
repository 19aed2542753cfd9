import { defineCase, entry } from "../case.js";

const config = (ref: string) =>
  `${entry('{ target: ~/.token, mode: template, text: "{{ vars.token }}" }')}vars:\n  token: !secret file:${ref}\n`;

export default defineCase({
  title: "a !secret file: outside HOME (an absolute path beside it)",
  decision:
    "refused (exit 2) naming the path and how to allow it: !secret files are read in HOME only unless this machine lists a directory in DOTOPS_SECRET_DIRS (the repo cannot allow it itself)",
  files: { "dotops.yaml": config("@OUTSIDE@/etc/shadow") },
  commands: [
    {
      args: ["plan"],
      exit: 2,
      stderr: [
        /dotops\.yaml:5:\d+: secret file:.*\/outside\/etc\/shadow is outside HOME \(.*\): dotops reads !secret files in HOME only; to allow another directory, list it in DOTOPS_SECRET_DIRS \(colon-separated\) on this machine/,
      ],
    },
    { args: ["apply"], exit: 2, stderr: ["is outside HOME"] },
  ],
});
