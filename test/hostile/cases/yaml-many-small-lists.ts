import { defineCase } from "../case.js";

/** Twelve files of 3,500 vars (7,000 keys and values) each: every list and file within its limit, the config not. */
const files: Record<string, string> = {
  "dotops.yaml": "version: 1\nimports: [vars/*.yaml]\nhosts:\n  box: { platform: linux }\n",
};
for (let f = 0; f < 12; f++)
  files[`vars/v${String(f).padStart(2, "0")}.yaml`] =
    `vars:\n${Array.from({ length: 3_500 }, (_, i) => `  v${f}_${i}: x`).join("\n")}\n`;

export default defineCase({
  title: "a config split into many files, each within the limits, together 84,000 keys and values",
  decision:
    "refused (exit 2) at the import that passes 20,000 keys and values in all: a glob can import any number of files, so the limit is on the whole config too",
  files,
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        "dotops.yaml:2:11: the config holds more than 20000 keys and values in all (vars/v02.yaml passes it): refused (config is not data)",
      ],
    },
    // apply loads through the same code; one command keeps the case to its budget (parsing
    // 20,000 keys and values is the price of the limit itself).
  ],
});
