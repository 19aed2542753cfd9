import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { defineCase } from "../case.js";

export default defineCase({
  title: "dotops.yaml is a symlink out of the repo",
  decision:
    "refused (exit 2) naming the link: the config is what the commit holds, and a link's text is not a config; dotops never follows it to the machine",
  files: {},
  async setup(w) {
    writeFileSync(
      join(w.outside, "evil.yaml"),
      "version: 1\nhosts:\n  box: { platform: linux }\nfiles:\n  - { target: ~/.x, text: evil }\n",
    );
    w.symlink("@OUTSIDE@/evil.yaml", "dotops.yaml");
    await w.commit({});
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [/dotops\.yaml is a symlink \(to .*\/outside\/evil\.yaml\): commit the config file itself/],
    },
    { args: ["apply"], exit: 2, stderr: ["dotops.yaml is a symlink"] },
  ],
});
