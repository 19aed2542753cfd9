import { lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "a target that is a file in one generation and a directory in the next",
  decision:
    "a safe result (exit 0): the switch is one transaction that takes the link away and makes the directory, and the user's own files are never removed silently",
  files: { "dotops.yaml": entry("{ target: ~/.x, text: a }") },
  commands: [
    { args: ["apply"], exit: 0 },
    {
      args: ["apply"],
      exit: 0,
      before: (w) => w.commit({ "dotops.yaml": entry("{ target: ~/.x/y, text: b }") }).then(() => {}),
      stdout: ["(a file becomes a directory)"],
    },
  ],
  check(w) {
    expect(lstatSync(join(w.home, ".x")).isDirectory()).toBe(true);
    expect(readFileSync(join(w.home, ".x/y"), "utf8")).toBe("b");
  },
});
