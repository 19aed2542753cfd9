import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "Windows-style backslashes in a target",
  decision:
    "refused (exit 2): on macOS and Linux a backslash is part of a name, so `..\\..\\x` would be one odd file in HOME and `~\\.config\\x` a file named so; dotops asks for / instead of guessing",
  files: {
    "dotops.yaml": entry(
      '{ target: "..\\\\..\\\\outside\\\\victim\\\\keep", text: pwned }',
      '{ target: "~\\\\.config\\\\app", text: x }',
    ),
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        'dotops.yaml:5:7: target "..\\..\\outside\\victim\\keep" contains a backslash: separate directories with /',
        'dotops.yaml:6:7: target "~\\.config\\app" contains a backslash',
      ],
    },
    { args: ["apply"], exit: 2, stderr: ["contains a backslash"] },
  ],
});
