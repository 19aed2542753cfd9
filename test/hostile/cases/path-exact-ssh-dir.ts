import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "`exact: true` on ~/.ssh, which would sweep the user's keys away",
  decision:
    "refused by policy (exit 4): removing files dotops does not manage is destructive and needs --allow-destructive (and then goes to the trash, not away)",
  files: {
    "dotops.yaml": entry("{ target: ~/.ssh, source: files/ssh, exact: true }"),
    "files/ssh/config": "Host *\n",
  },
  commands: [
    {
      args: ["apply"],
      exit: 4,
      stderr: [
        "refusing 1 destructive step(s)",
        "update dir ~/.ssh: exact: removes id_ed25519, which dotops does not manage",
      ],
    },
  ],
});
