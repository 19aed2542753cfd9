import { readlinkSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "symlinks: keep on a source that links to a secret outside HOME",
  decision:
    "a safe result (exit 0): the link is deployed as a link with the same text; its target's bytes are never read into the store, the plan or the record",
  files: { "dotops.yaml": entry("{ target: ~/.x, source: files/shadow, symlinks: keep }") },
  async setup(w) {
    w.symlink("@OUTSIDE@/etc/shadow", "files/shadow");
    await w.commit({});
  },
  commands: [
    { args: ["plan", "--diff"], exit: 0 },
    { args: ["apply"], exit: 0 },
  ],
  check(w) {
    expect(readlinkSync(join(w.home, ".x"))).toBe(w.victims.shadow);
  },
});
