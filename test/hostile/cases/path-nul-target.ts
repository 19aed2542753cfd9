import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "a NUL byte in a target (YAML allows \\0 in a quoted string)",
  decision: "refused (exit 2): no file system takes it, and C code would cut the path short at it",
  files: { "dotops.yaml": entry('{ target: "~/.safe\\0/../../outside/victim/keep", text: pwned }') },
  commands: [
    { args: ["check"], exit: 2, stderr: ["contains a NUL byte"] },
    { args: ["apply"], exit: 2, stderr: ["contains a NUL byte"] },
  ],
});
