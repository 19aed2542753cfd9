import { relative } from "node:path";
import type { Command } from "commander";
import { withContent } from "../config/source.js";
import { deploy } from "../engine/deploy.js";
import { DotopsError } from "../errors.js";
import { worktreeSource } from "../git/source.js";
import { helpText } from "./help-text.js";
import type { CliFactory } from "./program.js";

/** The prose `dotops adopt --help` prints after the options (also in docs/reference/commands.md). */
const HELP = [
  "Copies each path into the repo's files/ (the path without its leading dot: ~/.zshrc → files/zshrc, ~/.config/foo → files/config/foo/..., bytes and modes kept), appends entries to home/files.yaml (comments kept; created and imported when missing) and links the files back by applying the work tree. A file with permissions other than 0644/0755 (a 0600 token) becomes mode: copy with its permissions. Paths outside HOME, paths already managed and links into dotops' store are refused. Nothing is committed: review and commit, or the next apply of a commit unmanages them.",
].join("\n");

const FILES_YAML = "home/files.yaml";

export function registerAdopt(program: Command, cli: CliFactory) {
  program
    .command("adopt")
    .addHelpText("after", helpText(HELP))
    .description(
      "move existing files or directories from HOME into the config repo's files/, add them to home/files.yaml and link them back by applying the work tree (commits nothing)",
    )
    .argument("<paths...>", "files or directories inside HOME, e.g. ~/.zshrc ~/.config/foo")
    .action(async (paths: string[]) => {
      const c = cli();
      const { loadConfig, buildManifest } = await import("../config/kit.js");
      const { copyIntoRepo, mkdirs, planAdoption, removeWritten } = await import("../migrate/adopt.js");
      const { appendEntries, ensureImported } = await import("../migrate/yaml-edit.js");
      const eng = c.engine();
      const host = eng.host;
      const repo = c.repoDir();
      const source = await worktreeSource(repo, { inputs: c.inputCache(repo) });
      const loadOpts = c.loadOptions({ secrets: false });
      const { manifest } = await withContent(source, () => buildManifest(loadConfig(source, loadOpts)));
      const adoptions = await planAdoption(host, {
        home: c.home,
        stateDir: c.stateDir,
        repoDir: repo,
        paths,
        cwd: process.cwd(),
        manifest,
      });

      const filesPath = `${repo}/${FILES_YAML}`;
      const entryPath = `${repo}/dotops.yaml`;
      const read = async (p: string) =>
        (await host.lstat(p)) ? (await host.readFile(p)).toString("utf8") : null;
      const before = { files: await read(filesPath), entry: (await read(entryPath)) as string };
      const written: string[] = [];
      const putBack = async () => {
        if (before.files === null) await host.unlink(filesPath);
        else await host.writeFile(filesPath, before.files);
        await host.writeFile(entryPath, before.entry);
        await removeWritten(host, written);
      };
      let result: Awaited<ReturnType<typeof deploy>>;
      try {
        await copyIntoRepo(host, adoptions, written);
        await mkdirs(host, `${repo}/home`, written);
        const entries = adoptions.flatMap((a) => a.entries);
        await host.writeFile(filesPath, appendEntries(before.files, FILES_YAML, "files", entries));
        const entry = ensureImported(before.entry, FILES_YAML);
        if (entry !== null) await host.writeFile(entryPath, entry);
        // The normal apply, from the work tree: each adopted file is taken over because its bytes are identical.
        result = await deploy(eng, {
          load: c.sourceLoader({ worktree: true }, repo),
          repoDir: repo,
          loadOptions: c.loadOptions(),
        });
      } catch (err) {
        // The apply undid its own steps: HOME is as it was; the repo is put back too.
        await putBack();
        throw err;
      }
      if (result.rolledBackTo !== null)
        throw new DotopsError(
          `adopted, but a health check failed and generation ${result.rolledBackTo} is current again: the adopted files are in ${repo}/files`,
          1,
          "fix the check, then `dotops apply --worktree`",
        );
      const toCommit = [
        ...adoptions.map((a) => relative(repo, a.files.length === 1 ? (a.files[0]?.to ?? "") : repoDirOf(a))),
        FILES_YAML,
        "dotops.yaml",
      ];
      if (c.opts.json) {
        c.printJson({
          adopted: adoptions.map((a) => ({ path: a.id, entries: a.entries })),
          generation: result.generation,
          created: result.created,
        });
        return;
      }
      for (const a of adoptions)
        c.print(
          `adopted ${a.id} → ${a.entries.length === 1 ? a.entries[0]?.source : `${a.entries.length} entries`}`,
        );
      c.print(
        result.created
          ? `Applied generation ${result.generation} from the work tree.`
          : `Generation ${result.generation} is current.`,
      );
      c.print(
        `Nothing is committed: review and commit them (git -C ${repo} add ${toCommit.join(" ")} && git -C ${repo} commit), or the next apply of a commit will unmanage them.`,
      );
    });
}

/** The repo directory an adopted directory went to. */
function repoDirOf(a: { files: { to: string; rel: string }[] }): string {
  const f = a.files[0];
  return f ? f.to.slice(0, f.to.length - f.rel.length - 1) : "";
}
