import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "a target that climbs out of HOME with ../",
  decision:
    "refused before anything is read from the machine (exit 2, file:line:col): targets stay inside HOME",
  files: { "dotops.yaml": entry('{ target: "../outside/victim/keep", text: pwned }') },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: ['dotops.yaml:5:7: target "../outside/victim/keep" climbs out of HOME with ..'],
    },
    { args: ["apply"], exit: 2, stderr: ["climbs out of HOME with .."] },
  ],
});
