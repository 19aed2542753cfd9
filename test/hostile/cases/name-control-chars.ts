import { readdirSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "file names in the repo with a newline, an escape sequence and a tab",
  decision:
    "a safe result (exit 0): Git allows them, so dotops deploys them under exactly those names, and prints them escaped in plans and logs",
  files: {
    "dotops.yaml": entry("{ target: ~/.conf, source: files/conf }"),
    "files/conf/new\nline": "a\n",
    "files/conf/\u001b[2J\u001b[31mred": "b\n",
    "files/conf/tab\there": "c\n",
  },
  commands: [
    {
      args: ["apply"],
      exit: 0,
      stdout: ["+ link ~/.conf/new\\nline", "+ link ~/.conf/\\x1b[2J\\x1b[31mred"],
    },
  ],
  check(w, runs) {
    for (const r of runs) expect(r.stdout + r.stderr).not.toContain("\u001b");
    expect(readdirSync(join(w.home, ".conf")).sort()).toEqual(
      ["new\nline", "tab\there", "\u001b[2J\u001b[31mred"].sort(),
    );
  },
});
