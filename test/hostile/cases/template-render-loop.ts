import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "templates that render each other in a loop ({% render %} and {% layout %})",
  decision: "refused (exit 2) at each tag, for the same reason as include",
  files: {
    "dotops.yaml": entry(
      "{ target: ~/.a, source: files/a.liquid, mode: template }",
      "{ target: ~/.b, source: files/b.liquid, mode: template }",
    ),
    "files/a.liquid": '{% render "files/b.liquid" %}\n',
    "files/b.liquid": '{% layout "files/a.liquid" %}\n',
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        "files/a.liquid:1:1: {% render %} is not supported",
        "files/b.liquid:1:1: {% layout %} is not supported",
      ],
    },
    { args: ["apply"], exit: 2 },
  ],
});
