import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "a target that is the user's existing ~/.ssh/id_ed25519",
  decision:
    "refused by policy (exit 4): a file dotops does not manage is never overwritten; --backup would move it aside, which the agent never passes",
  files: {
    "dotops.yaml": entry(
      '{ target: ~/.ssh/id_ed25519, text: "attacker key", mode: copy, permissions: "0600" }',
    ),
  },
  commands: [
    {
      args: ["apply"],
      exit: 4,
      stderr: ["~/.ssh/id_ed25519 exists and is a file that dotops does not manage"],
    },
  ],
});
