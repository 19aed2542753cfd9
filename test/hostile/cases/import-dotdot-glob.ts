import { defineCase } from "../case.js";

export default defineCase({
  title: "imports with .. or an absolute path (../*.yaml, /etc/*)",
  decision:
    "refused (exit 2, file:line:col): imports name files of the repo; a pattern that could only leave it is a mistake or an attack, not a silent no-op",
  files: {
    "dotops.yaml":
      'version: 1\nimports:\n  - "../*.yaml"\n  - "home/../../outside/**"\n  - /etc/passwd\nhosts:\n  box: { platform: linux }\n',
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        'dotops.yaml:3:5: import "../*.yaml" leaves the repo: imports are paths inside the config repo',
        'dotops.yaml:4:5: import "home/../../outside/**" leaves the repo',
        'dotops.yaml:5:5: import "/etc/passwd" is an absolute path: imports are paths inside the config repo',
      ],
    },
    { args: ["apply"], exit: 2 },
  ],
});
