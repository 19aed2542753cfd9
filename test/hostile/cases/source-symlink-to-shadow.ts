import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "a source that is a symlink in the repo to /etc/shadow (the real one, readable: tests run as root)",
  decision:
    "refused (exit 2): a link out of the repo is never followed; commit the file, or set symlinks: keep to deploy the link itself",
  files: { "dotops.yaml": entry("{ target: ~/.x, source: files/shadow }") },
  async setup(w) {
    w.symlink("/etc/shadow", "files/shadow");
    await w.commit({});
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        "dotops.yaml:5:21: source files/shadow is a symlink out of the repo (/etc/shadow); commit the file itself, or set symlinks: keep to deploy it as a link",
      ],
    },
    { args: ["apply"], exit: 2, stderr: ["is a symlink out of the repo"] },
  ],
  check(_w, runs) {
    const firstLine = readFileSync("/etc/shadow", "utf8").split("\n")[0] as string;
    for (const r of runs) expect(r.stdout + r.stderr).not.toContain(firstLine);
  },
});
