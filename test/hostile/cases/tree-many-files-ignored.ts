import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { defineCase, entry } from "../case.js";
import { commitTree } from "../tree.js";

export default defineCase({
  title: "a home mirror holding a vendored tree of 20,500 files that .dotopsignore leaves out",
  decision:
    "a safe result (exit 0): what the ignore lists leave is what counts towards the limit, so a big tree the user already ignores costs only its listing",
  files: {
    "dotops.yaml": entry("{ target: ~, source: home }"),
    ".dotopsignore": "home/vendor/\n",
    "home/.zshrc": "export A=1\n",
  },
  async setup(w) {
    await commitTree(w, "home/vendor", 20_500);
  },
  commands: [{ args: ["apply"], exit: 0 }],
  check(w) {
    expect(readFileSync(join(w.home, ".zshrc"), "utf8")).toBe("export A=1\n");
    expect(existsSync(join(w.home, "vendor"))).toBe(false);
  },
});
