import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "YAML tags that other loaders act on (!include, !!python/object, !!js/function)",
  decision:
    "refused (exit 2, file:line:col): only !secret and !override mean anything; no tag reads a file or runs code",
  files: {
    "dotops.yaml": `${entry("{ target: ~/.x, text: x }")}vars:\n  a: !include @OUTSIDE@/etc/shadow\n  b: !!python/object/apply:os.system ["touch @OUTSIDE@/pwned"]\n  c: !!js/function "function () { return 1 }"\n`,
  },
  commands: [
    { args: ["check"], exit: 2, stderr: [/dotops\.yaml:7:\d+: .*!include/] },
    { args: ["apply"], exit: 2 },
  ],
});
