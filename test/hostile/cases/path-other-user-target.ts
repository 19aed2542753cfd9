import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "a target in another user's home (~root/...)",
  decision: "refused (exit 2): `~user` is never expanded; targets are in your own HOME",
  files: {
    "dotops.yaml": entry('{ target: "~root/.ssh/authorized_keys", text: "ssh-ed25519 AAAA attacker" }'),
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: ['dotops.yaml:5:7: target "~root/.ssh/authorized_keys" names another user\'s home'],
    },
    { args: ["apply"], exit: 2, stderr: ["names another user's home"] },
  ],
});
