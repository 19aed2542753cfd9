import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "a directory source holding links to /etc/shadow-like and ~/.ssh files",
  decision:
    "a safe result (exit 0): the tree's own files are deployed; its links out of the repo are skipped with a warning naming each (symlinks: keep would deploy them as links, never their content)",
  files: {
    "dotops.yaml": entry("{ target: ~/.config/app, source: files/app }"),
    "files/app/ok.conf": "ok\n",
  },
  async setup(w) {
    w.symlink("@OUTSIDE@/etc/shadow", "files/app/shadow");
    w.symlink("@HOME@/.ssh/id_ed25519", "files/app/key");
    await w.commit({});
  },
  commands: [
    {
      args: ["apply"],
      exit: 0,
      stderr: [
        /skipped files\/app\/key \(inside files\/app\): a symlink to .*id_ed25519, which is not in the repo/,
        /skipped files\/app\/shadow \(inside files\/app\): a symlink to .*etc\/shadow, which is not in the repo/,
      ],
    },
  ],
  check(w) {
    expect(readFileSync(join(w.home, ".config/app/ok.conf"), "utf8")).toBe("ok\n");
    expect(existsSync(join(w.home, ".config/app/shadow"))).toBe(false);
    expect(existsSync(join(w.home, ".config/app/key"))).toBe(false);
  },
});
