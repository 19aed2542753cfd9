import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "a template that includes itself",
  decision:
    "refused (exit 2, file:line:col of the tag): there is no include to recurse through, so no recursion limit to trust",
  files: {
    "dotops.yaml": entry("{ target: ~/.rc, source: files/rc.liquid, mode: template }"),
    "files/rc.liquid": 'line one\n{% include "files/rc.liquid" %}\n',
  },
  commands: [
    { args: ["check"], exit: 2, stderr: ["files/rc.liquid:2:1: {% include %} is not supported"] },
    { args: ["apply"], exit: 2, stderr: ["files/rc.liquid:2:1: {% include %} is not supported"] },
  ],
});
