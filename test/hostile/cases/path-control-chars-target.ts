import { readdirSync } from "node:fs";
import { expect } from "vitest";
import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "escape sequences and a newline in a target name",
  decision:
    "a safe result (exit 0): the file gets exactly that name, and plans and logs print it escaped (\\x1b, \\n), never as terminal control",
  files: { "dotops.yaml": entry('{ target: "~/.evil\\e]0;owned\\a\\e[31mred\\nline", text: x }') },
  commands: [
    { args: ["plan"], exit: 0, stdout: ["+ link ~/.evil\\x1b]0;owned\\x07\\x1b[31mred\\nline"] },
    { args: ["apply"], exit: 0 },
  ],
  check(w, runs) {
    for (const r of runs) for (const c of ["\u001b", "\u0007"]) expect(r.stdout + r.stderr).not.toContain(c);
    expect(readdirSync(w.home)).toContain(".evil\u001b]0;owned\u0007\u001b[31mred\nline");
  },
});
