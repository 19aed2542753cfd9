import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "a target with a trailing slash",
  decision:
    "for a file it is refused (exit 2): `~/.config/nvim/` reads as 'into that directory' (cp's meaning) but would make a file named nvim; for a directory source it means the directory and is fine",
  files: {
    "dotops.yaml": entry('{ target: "~/.config/nvim/", source: files/init.lua }'),
    "files/init.lua": "vim.o.number = true\n",
    "files/tree/a.conf": "a\n",
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        'dotops.yaml:5:7: target "~/.config/nvim/" ends with / but its source is a file: write the file\'s own path (e.g. ~/.config/nvim/init.lua)',
      ],
    },
    {
      args: ["apply"],
      exit: 0,
      async before(w) {
        await w.commit({ "dotops.yaml": entry('{ target: "~/.config/tree/", source: files/tree }') });
      },
    },
  ],
  check(w) {
    expect(readFileSync(join(w.home, ".config/tree/a.conf"), "utf8")).toBe("a\n");
  },
});
