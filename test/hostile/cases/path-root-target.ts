import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "a target that is / itself",
  decision: "refused (exit 2) like any path outside HOME",
  files: { "dotops.yaml": entry('{ target: "/", source: files }'), "files/x": "x\n" },
  commands: [
    { args: ["check"], exit: 2, stderr: ['dotops.yaml:5:7: target "/" is outside HOME'] },
    { args: ["apply"], exit: 2, stderr: ['target "/" is outside HOME'] },
  ],
});
