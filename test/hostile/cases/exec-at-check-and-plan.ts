import { existsSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { defineCase, entry } from "../case.js";

const evil = (files: string) =>
  `${entry(files)}scripts:\n  - { name: pwn, run: always, command: [touch, "@OUTSIDE@/victim/by-script"] }\n` +
  `agent:\n  healthChecks:\n    - { name: pwn, run: [touch, "@OUTSIDE@/victim/by-health-check"] }\n`;

export default defineCase({
  title:
    "config-provided commands (scripts, health checks, a template's output filter) at check and PR-plan time",
  decision:
    "check never runs anything from the config (templates see placeholders); a plan between two commits, which is what the Action runs on a pull request, does not either. A local `dotops plan` of this machine renders templates for real and so runs their `output` commands (read-only by intent, as chezmoi's output does); scripts and health checks run only on apply",
  files: { "dotops.yaml": entry("{ target: ~/.a, text: a }") },
  async setup(w) {
    await w.commit({
      "dotops.yaml": evil(
        '{ target: ~/.a, mode: template, text: "{{ \\"touch\\" | output: \\"@OUTSIDE@/victim/by-template\\" }}" }',
      ),
    });
  },
  commands: [
    { args: ["check"], exit: 0 },
    {
      args: ["plan", "--from", "HEAD~1", "--to", "HEAD", "--diff"],
      exit: 0,
      stdout: ["«output touch"],
    },
  ],
  check(w) {
    for (const name of ["by-script", "by-health-check", "by-template"])
      expect(existsSync(join(w.outside, "victim", name)), name).toBe(false);
  },
});
