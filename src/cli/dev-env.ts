import { basename, resolve } from "node:path";
import type { Command } from "commander";
import type { Config } from "../config/load.js";
import { withContent } from "../config/source.js";
import { writeDevEnv } from "../engine/dev-env.js";
import { commitSource } from "../git/source.js";
import type { Cli } from "./context.js";
import type { CliFactory } from "./program.js";

export function registerDevEnv(program: Command, cli: CliFactory) {
  program
    .command("dev-env")
    .alias("setup-dev-env")
    .description(
      "write a project's dev environment (.envrc for direnv) from a template: python, nodejs, go, rust, or your repo's templates/dev-env/<name>",
    )
    .argument("[template]", "template name (omit with --list)")
    .argument("[dir]", "project directory", ".")
    .option("--force", "replace differing files, keeping them as .dotops-backup")
    .option("--list", "list the templates")
    .action(async (template: string | undefined, dir: string, o: { force?: boolean; list?: boolean }) => {
      const c = cli();
      const { devEnvFiles, devEnvNames } = await import("../modules/dev-env.js");
      const config = await configIfAny(c);
      if (o.list || !template) {
        const names = devEnvNames(config);
        if (c.opts.json) c.printJson(names);
        else c.print(names.join("\n"));
        return;
      }
      const project = resolve(dir);
      const proj = { name: basename(project), dir: project };
      const files = config
        ? await withContent(config.source, () => devEnvFiles(config, template, proj))
        : devEnvFiles(null, template, proj);
      const r = await writeDevEnv(c.engine().host, project, files, { force: o.force });
      if (c.opts.json) c.printJson({ template, dir: project, ...r });
      else {
        for (const f of r.written)
          c.print(`wrote ${f}${r.backedUp.includes(f) ? ` (old one kept as ${f}.dotops-backup)` : ""}`);
        for (const f of r.unchanged) c.print(`${f} is already up to date`);
        if (r.written.some((f) => f.endsWith(".envrc")))
          c.print(`Next: ${project === process.cwd() ? "" : `cd ${dir} && `}direnv allow`);
      }
    });
}

/** The config at HEAD of the config repo when there is one; built-in templates otherwise. */
async function configIfAny(c: Cli): Promise<Config | null> {
  let repo: string;
  try {
    repo = c.repoDir();
  } catch {
    return null;
  }
  const source = await commitSource(repo, "HEAD", { inputs: c.inputCache(repo) });
  const { loadConfig } = await import("../config/kit.js");
  return withContent(source, () => loadConfig(source, c.loadOptions({ secrets: false })));
}
