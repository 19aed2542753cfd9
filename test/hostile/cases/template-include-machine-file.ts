import { defineCase, entry } from "../case.js";

export default defineCase({
  title: 'a template that includes a file of the machine ({% include "../outside/etc/shadow" %})',
  decision:
    "refused (exit 2) where the tag stands: Liquid's include read files relative to the working directory, so a pull request could print the runner's files in its plan; templates read no files at all",
  files: {
    "dotops.yaml": entry(
      '{ target: ~/.leak, mode: template, text: "before {% include \\"../outside/etc/shadow\\" %} after" }',
    ),
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        "{% include %} is not supported: templates cannot read other files; put shared text in vars, or give it a file entry of its own",
      ],
    },
    { args: ["plan", "--diff"], exit: 2, stderr: ["{% include %} is not supported"] },
  ],
});
