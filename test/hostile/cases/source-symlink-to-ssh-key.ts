import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "sources linking to ~/.ssh/id_ed25519: absolute, climbing relative, and with a literal ~",
  decision:
    "each refused (exit 2) naming where it leads: Git stores a link's text, which is resolved inside the commit's tree only",
  files: {
    "dotops.yaml": entry(
      "{ target: ~/.a, source: files/abs }",
      "{ target: ~/.b, source: files/rel }",
      "{ target: ~/.c, source: files/tilde }",
    ),
  },
  async setup(w) {
    w.symlink("@HOME@/.ssh/id_ed25519", "files/abs");
    w.symlink("../../../../../../../../../..@HOME@/.ssh/id_ed25519", "files/rel");
    w.symlink("~/.ssh/id_ed25519", "files/tilde");
    await w.commit({});
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        /dotops\.yaml:5:21: source files\/abs is a symlink out of the repo \(.*\/home\/\.ssh\/id_ed25519\)/,
        /dotops\.yaml:6:21: source files\/rel is a symlink to \.\.\/.*, which is not in commit/,
        "dotops.yaml:7:21: source files/tilde is a symlink to files/~/.ssh/id_ed25519, which is not in commit",
      ],
    },
    { args: ["apply"], exit: 2 },
  ],
});
