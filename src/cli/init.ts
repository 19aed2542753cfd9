import { constants, existsSync } from "node:fs";
import { copyFile, lstat, mkdir, readdir, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { git } from "../git/git.js";
import { examplesDir } from "../self.js";
import type { CliFactory } from "./program.js";

/** One file init writes: copied from an example, or generated. */
interface Planned {
  path: string;
  from?: string;
  text?: string;
}

export function registerInit(program: Command, cli: CliFactory) {
  program
    .command("init")
    .description(
      "scaffold a config repo: a new dir gets the example, committed; an existing one only dotops' own files, uncommitted",
    )
    .argument("[dir]", "where to create it", ".")
    .option("--example <name>", 'copy an example into it (default in a new dir: "minimal")')
    .action(async (dir: string, o: { example?: string }) => {
      const c = cli();
      const target = resolve(dir);
      const st = await lstat(target).catch(() => null);
      if (st && !st.isDirectory()) throw new UsageError(`${target} exists and is not a directory`);
      // A new dir gets the example and a first commit. Anywhere else the dir
      // is the user's: no sample dotfiles unless asked, no commit of theirs.
      const fresh = await isFresh(target);
      const example = o.example ?? (fresh ? "minimal" : undefined);
      const planned = example ? await exampleFiles(example) : scaffoldFiles();
      for (const which of ["entry", "fragment"] as const)
        planned.push({ path: SCHEMA_FILES[which], text: await schemaText(which) });

      // Every path is checked before anything is written: a conflict leaves the dir as it was.
      const conflicts = await conflicting(target, planned);
      if (conflicts.length) {
        const others = conflicts.filter((p) => p !== "dotops.yaml");
        if (conflicts.includes("dotops.yaml")) {
          throw new UsageError(
            `${target} already holds a dotops.yaml${others.length ? ` (and init would overwrite ${others.join(", ")})` : ""}`,
            "it is a config repo already: try `dotops check` there. init never overwrites; nothing was written",
          );
        }
        throw new UsageError(
          `init would overwrite ${conflicts.length} file(s) in ${target}: ${conflicts.join(", ")}`,
          "nothing was written: move them aside, or init another dir",
        );
      }
      for (const f of planned) await writePlanned(target, f);
      if (!existsSync(join(target, ".git"))) await git(target, ["init", "-q", "-b", "main"]);

      const paths = planned.map((f) => f.path);
      let committed = false;
      if (fresh) {
        await git(target, ["add", "--", ...paths]);
        const commit = await git(target, ["commit", "-q", "-m", "dotops init", "--", ...paths], {
          allowFail: true,
        });
        committed = commit.exitCode === 0;
      }
      if (c.opts.json) c.printJson({ dir: target, committed, files: paths });
      else if (fresh) {
        c.print(`Created a dotops config repo in ${target}${committed ? " (committed)" : ""}.`);
        if (!committed) c.print("Commit it (git identity not set?) and then run `dotops plan`.");
        else c.print(`Next: cd ${dir} && dotops plan`);
      } else {
        c.print(
          `Added to ${target}, not committed (it already had files: what goes into a commit is yours to say):`,
        );
        for (const p of paths) c.print(`  ${p}`);
        c.print(
          [
            example ? "Next: review them, then" : "Next: list your dotfiles in home/files.yaml, then",
            // The pathspec keeps whatever else the user has staged out of this commit.
            `  git add ${commitPaths(paths).join(" ")} && git commit -m "dotops init" -- ${commitPaths(paths).join(" ")}`,
            "  dotops plan    (before committing: dotops plan --worktree)",
          ].join("\n"),
        );
      }
    });
}

/** Missing, empty, or a repo that has neither commits nor staged files. */
async function isFresh(target: string): Promise<boolean> {
  const entries = await readdir(target).catch(() => null);
  if (!entries) return true;
  if (entries.some((e) => e !== ".git")) return false;
  if (!entries.includes(".git")) return true;
  const head = await git(target, ["rev-parse", "--verify", "--quiet", "HEAD"], { allowFail: true });
  if (head.exitCode === 0) return false;
  return (await git(target, ["ls-files", "-z"])).stdout.length === 0;
}

async function exampleFiles(name: string): Promise<Planned[]> {
  const root = join(examplesDir(), name);
  if (!existsSync(root)) {
    const known = (await readdir(examplesDir())).sort().join(", ");
    throw new UsageError(`no example called "${name}"`, `examples: ${known}`);
  }
  const out: Planned[] = [];
  const walk = async (rel: string) => {
    for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path);
      else out.push({ path, from: join(root, path) });
    }
  };
  await walk("");
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** For a repo that already has dotfiles: the entry and one empty fragment, nothing that pretends to be theirs. */
function scaffoldFiles(): Planned[] {
  const host = hostname().split(".")[0] || "laptop";
  const platform = process.platform === "darwin" ? "darwin" : "linux";
  return [
    {
      path: "dotops.yaml",
      text: [
        `# yaml-language-server: $schema=${SCHEMA_FILES.entry}`,
        "version: 1",
        // Named, not a glob: a repo that already has a home/ dir may keep other YAML there.
        "imports: [home/files.yaml]",
        "hosts:",
        `  ${/^[A-Za-z0-9][\w.-]*$/.test(host) ? host : JSON.stringify(host)}:`,
        `    platform: ${platform}`,
        "",
      ].join("\n"),
    },
    {
      path: "home/files.yaml",
      text: [
        `# yaml-language-server: $schema=../${SCHEMA_FILES.fragment}`,
        "# The dotfiles dotops links into HOME; sources are paths in this repo, e.g.",
        "#   - { target: ~/.zshrc, source: zshrc }",
        "#   - { target: ~/.config/nvim, source: nvim }",
        "files: []",
        "",
      ].join("\n"),
    },
  ];
}

/** Planned paths that exist already (in any form), or whose parent dirs are not dirs. */
async function conflicting(target: string, planned: Planned[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of planned) {
    let rel = f.path;
    for (; rel !== "."; rel = dirname(rel)) {
      const st = await lstat(join(target, rel)).catch(() => null);
      if (!st) continue;
      // The file itself in any form, or an ancestor that is not a directory.
      if (rel === f.path || !st.isDirectory()) out.push(rel);
      break;
    }
  }
  return [...new Set(out)];
}

async function writePlanned(target: string, f: Planned): Promise<void> {
  const abs = join(target, f.path);
  await mkdir(dirname(abs), { recursive: true });
  // "wx"/COPYFILE_EXCL: even a file that appeared since the check is never overwritten.
  if (f.from) await copyFile(f.from, abs, constants.COPYFILE_EXCL);
  else await writeFile(abs, f.text ?? "", { flag: "wx" });
}

/** `.dotops/schema.json .dotops/fragment.schema.json` → `.dotops`, for a short `git add`. */
function commitPaths(paths: string[]): string[] {
  return [...new Set(paths.map((p) => (p.startsWith(".dotops/") ? ".dotops" : p)))];
}

/** Where `init` puts the JSON Schemas that editors read (the YAML files name them). */
export const SCHEMA_FILES = {
  entry: ".dotops/schema.json",
  fragment: ".dotops/fragment.schema.json",
} as const;

async function schemaText(which: "entry" | "fragment"): Promise<string> {
  const { configJsonSchema } = await import("../config/kit.js");
  return `${JSON.stringify(configJsonSchema(which), null, 2)}\n`;
}

export async function writeSchemas(repo: string): Promise<string[]> {
  await mkdir(join(repo, ".dotops"), { recursive: true });
  const written: string[] = [];
  for (const which of ["entry", "fragment"] as const) {
    const path = join(repo, SCHEMA_FILES[which]);
    await writeFile(path, await schemaText(which));
    written.push(path);
  }
  return written;
}
