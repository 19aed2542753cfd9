import { existsSync } from "node:fs";
import { cp, mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { configJsonSchema, SCHEMA_FILES } from "../config/schema.js";
import { UsageError } from "../errors.js";
import { git } from "../git/git.js";
import type { CliFactory } from "./program.js";

export const EXAMPLES_DIR = fileURLToPath(new URL("../../config-examples", import.meta.url));

export function registerInit(program: Command, cli: CliFactory) {
  program
    .command("init")
    .description("scaffold a config repo: git init, example files, JSON Schema")
    .argument("[dir]", "where to create it", ".")
    .option("--example <name>", "which example to start from", "minimal")
    .action(async (dir: string, o: { example: string }) => {
      const c = cli();
      const target = resolve(dir);
      if (existsSync(join(target, "dotops.yaml")))
        throw new UsageError(`${target} already holds a dotops.yaml`);
      const example = join(EXAMPLES_DIR, o.example);
      if (!existsSync(example)) throw new UsageError(`no example called "${o.example}"`);
      await mkdir(target, { recursive: true });
      await cp(example, target, { recursive: true, errorOnExist: true, force: false });
      await writeSchemas(target);
      if (!existsSync(join(target, ".git"))) await git(target, ["init", "-q", "-b", "main"]);
      await git(target, ["add", "-A"]);
      const commit = await git(target, ["commit", "-q", "-m", "dotops init"], { allowFail: true });
      const committed = commit.exitCode === 0;
      if (c.opts.json) c.printJson({ dir: target, committed });
      else {
        c.print(`Created a dotops config repo in ${target}${committed ? " (committed)" : ""}.`);
        if (!committed) c.print("Commit it (git identity not set?) and then run `dotops plan`.");
        else c.print(`Next: cd ${dir} && dotops plan`);
      }
    });
}

export async function writeSchemas(repo: string): Promise<string[]> {
  await mkdir(join(repo, ".dotops"), { recursive: true });
  const written: string[] = [];
  for (const which of ["entry", "fragment"] as const) {
    const path = join(repo, SCHEMA_FILES[which]);
    await writeFile(path, `${JSON.stringify(configJsonSchema(which), null, 2)}\n`);
    written.push(path);
  }
  return written;
}
