import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "percent-encoded dots and slashes in a target (%2e%2e, ..%2f)",
  decision:
    "a safe result: dotops never URL-decodes a path, so %2e%2e is a directory of that name inside HOME (exit 0)",
  files: {
    "dotops.yaml": entry(
      '{ target: "~/%2e%2e/%2e%2e/outside/victim/keep", text: one }',
      '{ target: "~/..%2f..%2foutside%2fvictim", text: two }',
    ),
  },
  commands: [{ args: ["apply"], exit: 0 }],
  check(w) {
    expect(readFileSync(join(w.home, "%2e%2e/%2e%2e/outside/victim/keep"), "utf8")).toBe("one");
    expect(readFileSync(join(w.home, "..%2f..%2foutside%2fvictim"), "utf8")).toBe("two");
  },
});
