import { defineCase, entry } from "../case.js";

export default defineCase({
  title:
    "a source in a Git submodule whose commit is not here, with a .gitmodules URL that would run a command",
  decision:
    "refused (exit 2) naming the submodule and what to do: dotops reads a submodule only from a repository already on disk and never fetches (so ext:: URLs never run)",
  files: {
    "dotops.yaml": entry("{ target: ~/.vim/pack/p, source: vendor/p }"),
    ".gitmodules": '[submodule "vendor/p"]\n\tpath = vendor/p\n\turl = ext::sh -c touch% @OUTSIDE@/pwned\n',
  },
  async setup(w) {
    await w.git("update-index", "--add", "--cacheinfo", `160000,${"1".repeat(40)},vendor/p`);
    await w.git("commit", "-q", "-m", "submodule");
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        "vendor/p is a Git submodule (pinned at 111111111111) whose commit is not in",
        "git submodule update --init vendor/p",
      ],
    },
    { args: ["apply"], exit: 2 },
  ],
});
