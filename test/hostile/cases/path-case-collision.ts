import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { defineCase } from "../case.js";

export default defineCase({
  title: "targets that differ only by case or Unicode normalisation (.Zshrc and .zshrc, café and café)",
  decision:
    "for a darwin host they are refused (exit 2): APFS and HFS+ fold case and normalisation, so the second would overwrite the first; for a linux host they are distinct files, applied with a warning that the config would collide on a Mac",
  files: {
    "dotops.yaml":
      "version: 1\nhosts:\n  mac: { platform: darwin }\n  box: { platform: linux }\nfiles:\n" +
      "  - { target: ~/.Zshrc, text: upper }\n  - { target: ~/.zshrc, text: lower }\n" +
      '  - { target: "~/caf\\u00e9", text: nfc }\n  - { target: "~/cafe\\u0301", text: nfd }\n',
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        "dotops.yaml:7:5: ~/.zshrc and ~/.Zshrc (dotops.yaml:6:5) differ only by case or Unicode normalisation: on macOS they are one file; rename one [host mac]",
        "dotops.yaml:9:5: ~/cafe\u0301 and ~/caf\u00e9 (dotops.yaml:8:5) differ only by case or Unicode normalisation",
      ],
    },
    {
      args: ["--host", "box", "apply"],
      exit: 0,
      // Logged as a warning (pino JSON when stderr is not a terminal).
      stderr: ["dotops.yaml:7:5: ~/.zshrc and ~/.Zshrc (dotops.yaml:6:5) differ only by case"],
    },
  ],
  check(w) {
    expect(readFileSync(join(w.home, ".Zshrc"), "utf8")).toBe("upper");
    expect(readFileSync(join(w.home, ".zshrc"), "utf8")).toBe("lower");
  },
});
