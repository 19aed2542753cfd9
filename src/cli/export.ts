import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { withContent } from "../config/source.js";
import { UsageError } from "../errors.js";
import { helpText } from "./help-text.js";
import { withSourceOptions } from "./options.js";
import type { CliFactory } from "./program.js";

/** The prose `dotops export --help` prints after the options (also in docs/reference/commands.md). */
const HELP = [
  "Example: dotops export brewfile -o Brewfile writes the selected host's homebrew: section as Homebrew Bundle reads it (taps, brews, casks, mas), for brew bundle on a machine without dotops.",
].join("\n");

/** What `dotops export <kind>` can write, from the selected host's config. */
const EXPORTERS = { brewfile: "a Brewfile (Homebrew Bundle) of the host's homebrew: section" } as const;

export function registerExport(program: Command, cli: CliFactory) {
  withSourceOptions(
    program
      .command("export")
      .addHelpText("after", helpText(HELP))
      .description(
        `write another tool's config from dotops config: ${Object.entries(EXPORTERS)
          .map(([n, d]) => `${n} (${d})`)
          .join("; ")}`,
      )
      .argument("<kind>", Object.keys(EXPORTERS).join(" | "))
      .option("-o, --output <file>", "write to this file instead of stdout"),
  ).action(async (kind: string, o: { output?: string; commit?: string; worktree?: boolean }) => {
    const c = cli();
    if (!(kind in EXPORTERS))
      throw new UsageError(`unknown export "${kind}"`, `one of: ${Object.keys(EXPORTERS).join(", ")}`);
    const repo = c.repoDir();
    const source = await c.sourceLoader(o, repo)();
    const { loadConfig } = await import("../config/kit.js");
    const { toBrewfile } = await import("../migrate/brewfile.js");
    const config = await withContent(source, () => loadConfig(source, c.loadOptions({ secrets: false })));
    const text = toBrewfile(config.homebrew);
    if (!o.output) {
      process.stdout.write(text);
      return;
    }
    const host = c.engine().host;
    const file = resolve(o.output);
    await host.mkdir(dirname(file), 0o755);
    await host.writeFile(file, text, 0o644);
    if (c.opts.json) c.printJson({ kind, host: config.host.name, written: file });
    else c.print(`wrote ${file} (${config.host.name})`);
  });
}
