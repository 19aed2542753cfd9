import { dirname, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { IMPORTERS } from "../migrate/index.js";
import type { CliFactory } from "./program.js";

export function registerImport(program: Command, cli: CliFactory) {
  program
    .command("import")
    .description(
      `convert another tool's config into dotops config: ${Object.entries(IMPORTERS)
        .map(([n, i]) => `${n} (${i.describe})`)
        .join("; ")}`,
    )
    .argument("<kind>", Object.keys(IMPORTERS).join(" | "))
    .argument("<path>", "the file to convert")
    .option("-o, --out <dir>", "config repo to write into (default: --repo or the current dir)")
    .option("--force", "overwrite files that exist (the old one is kept as <file>.dotops-backup)")
    .action(async (kind: string, path: string, o: { out?: string; force?: boolean }) => {
      const c = cli();
      const importer = IMPORTERS[kind];
      if (!importer)
        throw new UsageError(`unknown import "${kind}"`, `one of: ${Object.keys(IMPORTERS).join(", ")}`);
      const host = c.engine().host;
      const input = resolve(path);
      const text = await host.readFile(input).catch((err: Error & { code?: string }) => {
        throw new UsageError(`cannot read ${path}: ${err.code ?? err.message}`);
      });
      const result = importer.convert(text.toString("utf8"), input);
      const out = resolve(o.out ?? c.opts.repo ?? ".");
      const written: string[] = [];
      for (const [file, yaml] of Object.entries(result.files)) {
        const abs = join(out, file);
        if ((await host.lstat(abs)) && !o.force)
          throw new UsageError(
            `${relative(process.cwd(), abs) || abs} exists`,
            "rerun with --force to replace it (a backup is kept)",
          );
        if (await host.lstat(abs)) await host.rename(abs, `${abs}.dotops-backup`);
        await host.mkdir(dirname(abs), 0o755);
        await host.writeFile(abs, yaml, 0o644);
        written.push(abs);
      }
      if (c.opts.json) c.printJson({ kind, input, written, counts: result.counts, skipped: result.skipped });
      else {
        for (const f of written) c.print(`wrote ${f}`);
        const counts = Object.entries(result.counts).map(([k, v]) => `${v} ${k}`);
        if (counts.length) c.print(`converted ${counts.join(", ")}`);
        if (result.skipped.length) {
          c.print(`not converted (${result.skipped.length}):`);
          for (const s of result.skipped) c.print(`  ${path}:${s.line}: ${s.text.trim()} — ${s.reason}`);
        }
      }
    });
}
