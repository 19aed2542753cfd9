import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "template loops that would run a billion times, or repeat a body into gigabytes",
  decision:
    "refused (exit 2): ranges are charged against a memory budget before they are built, so a huge loop stops at once; a render's output is capped too",
  files: {
    "dotops.yaml": entry(
      "{ target: ~/.a, source: files/a.liquid, mode: template }",
      "{ target: ~/.b, source: files/b.liquid, mode: template }",
    ),
    "files/a.liquid": "{% for i in (1..1000000000) %}lol{% endfor %}\n",
    "files/b.liquid": `{% for i in (1..100) %}{% for j in (1..100) %}${"y".repeat(2000)}{% endfor %}{% endfor %}\n`,
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        "files/a.liquid:1:1: template: it builds more than 250000 values or characters (a loop over a huge range?): refused",
        "files/b.liquid:1:1: template renders 20000001 characters; the limit is 16777216",
      ],
    },
    { args: ["apply"], exit: 2 },
  ],
});
