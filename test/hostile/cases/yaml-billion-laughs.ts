import { defineCase, entry } from "../case.js";

/** Ten anchors, each a list of nine aliases of the one before: 9^10 strings if expanded. */
const lines = ["vars:", `  l0: &l0 [${Array(9).fill('"lol"').join(", ")}]`];
for (let i = 1; i < 10; i++)
  lines.push(
    `  l${i}: &l${i} [${Array(9)
      .fill(`*l${i - 1}`)
      .join(", ")}]`,
  );

export default defineCase({
  title: "a billion-laughs YAML alias bomb",
  decision: "refused (exit 2) at the alias whose expansion passes the limit, before the cost is paid",
  files: { "dotops.yaml": `${entry("{ target: ~/.x, text: x }")}${lines.join("\n")}\n` },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [/^error: dotops\.yaml:\d+:\d+: alias \*l3 takes this file past 1000 alias uses: refused$/m],
    },
    { args: ["apply"], exit: 2, stderr: ["alias uses"] },
  ],
});
