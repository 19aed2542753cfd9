import { defineCase, entry } from "../case.js";

const deep = `~/${Array.from({ length: 25 }, (_, i) => `${i}${"d".repeat(200)}`).join("/")}/f`;
const wide = `~/${"n".repeat(300)}`;

export default defineCase({
  title: "targets longer than PATH_MAX, or with a name longer than NAME_MAX",
  decision:
    "refused at check (exit 2) naming the limit: macOS allows 1024 bytes a path and both systems 255 a name, so such a target could only fail halfway through an apply",
  files: { "dotops.yaml": entry(`{ target: "${deep}", text: x }`, `{ target: "${wide}", text: x }`) },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        /dotops\.yaml:5:7: target "~\/0d+.*" is 50\d\d bytes long; paths are limited to 1024/,
        /dotops\.yaml:6:7: target "~\/n+" has a name of 300 bytes; names are limited to 255/,
      ],
    },
    { args: ["apply"], exit: 2, stderr: ["bytes long; paths are limited to 1024"] },
  ],
});
