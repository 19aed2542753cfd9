import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "a !secret file: in a directory this machine allows (DOTOPS_SECRET_DIRS)",
  decision:
    "a safe result (exit 0): the machine, not the repo, widens where secrets may be read; the value reaches the file and never the plan or the record",
  files: {
    "dotops.yaml": `${entry('{ target: ~/.token, mode: template, text: "{{ vars.token }}" }')}vars:\n  token: !secret file:@OUTSIDE@/vault/token\n`,
  },
  setup(w) {
    mkdirSync(join(w.outside, "vault"));
    writeFileSync(join(w.outside, "vault/token"), "s3cr3t-allowed\n");
  },
  commands: [
    { args: ["apply"], exit: 2, stderr: ["is outside HOME"] },
    { args: ["apply"], exit: 0, env: { DOTOPS_SECRET_DIRS: "/nonexistent:@OUTSIDE@/vault" } },
  ],
  check(w, runs) {
    expect(readFileSync(join(w.home, ".token"), "utf8")).toBe("s3cr3t-allowed");
    for (const r of runs) expect(r.stdout + r.stderr).not.toContain("s3cr3t-allowed");
  },
});
