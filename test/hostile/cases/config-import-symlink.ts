import { defineCase } from "../case.js";

export default defineCase({
  title: "an imported file that is a symlink (out of the repo, and within it)",
  decision:
    "refused (exit 2) naming the link and where it points: config files are read as committed, so import the file it points to instead",
  files: {
    "dotops.yaml": "version: 1\nimports: [home/*.yaml]\nhosts:\n  box: { platform: linux }\n",
    "shared/files.yaml": "files:\n  - { target: ~/.x, text: x }\n",
  },
  async setup(w) {
    w.symlink("../../outside/etc/shadow.yaml", "home/out.yaml");
    w.symlink("../shared/files.yaml", "home/files.yaml");
    await w.commit({});
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        "home/files.yaml is a symlink (to ../shared/files.yaml): commit the config file itself, or import shared/files.yaml",
        "home/out.yaml is a symlink (to ../../outside/etc/shadow.yaml)",
      ],
    },
    { args: ["apply"], exit: 2 },
  ],
});
