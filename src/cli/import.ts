import { dirname, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import type { Host } from "../host/host.js";
import type { ImportResult, OutputFile, TreeImportResult } from "../migrate/importer.js";
import { IMPORTERS, isTreeImporter } from "../migrate/index.js";
import { helpText } from "./help-text.js";
import type { CliFactory } from "./program.js";

/** The prose `dotops import --help` prints after the options (also in docs/reference/commands.md). */
const HELP = [
  "Examples:",
  "",
  "  dotops import brewfile ~/Brewfile",
  "  dotops import macos-script ~/.macos",
  "  dotops import stow ~/dotfiles",
  "  dotops import chezmoi ~/.local/share/chezmoi",
  "",
  "brewfile writes system/homebrew.yaml, macos-script system/macos-defaults.yaml (every defaults write with its type; a killall of an app whose domain the script wrote becomes restartOnChange). Both list every line they could not convert, with its line number, and add nothing to dotops.yaml: import the file there unless a pattern already covers it (system/*.yaml).",
  "",
  "stow turns each package into files: entries with target ~ in home/stow.yaml (in place when the stow directory is the config repo, else copied into files/<package>), honouring .stow-local-ignore and stow's default ignores; the result applies to the same HOME as stow --no-folding, and links stow left to identical content are taken over.",
  "",
  "chezmoi converts the source state (dot_, private_, readonly_, executable_, empty_, symlink_, simple .tmpl templates, run_, run_once_ and run_onchange_ scripts) into files/, scripts/ and home/chezmoi.yaml, and lists what it cannot convert (encrypted files, modify_, templates with logic) with the reason.",
  "",
  "stow and chezmoi add their YAML to dotops.yaml's imports. Nothing is committed or applied: review, commit, then dotops apply. Output files that exist are refused unless --force.",
].join("\n");

export function registerImport(program: Command, cli: CliFactory) {
  program
    .command("import")
    .addHelpText("after", helpText(HELP))
    .description(
      `convert another tool's config into dotops config: ${Object.entries(IMPORTERS)
        .map(([n, i]) => `${n} (${i.describe})`)
        .join("; ")}`,
    )
    .argument("<kind>", Object.keys(IMPORTERS).join(" | "))
    .argument("<path>", "the file (or, for stow and chezmoi, the directory) to convert")
    .option("-o, --out <dir>", "config repo to write into (default: --repo or the current dir)")
    .option("--force", "overwrite files that exist (the old one is kept as <file>.dotops-backup)")
    .action(async (kind: string, path: string, o: { out?: string; force?: boolean }) => {
      const c = cli();
      const known = IMPORTERS[kind];
      if (!known)
        throw new UsageError(`unknown import "${kind}"`, `one of: ${Object.keys(IMPORTERS).join(", ")}`);
      const importer = await known.load();
      const { ensureImported } = await import("../migrate/yaml-edit.js");
      const host = c.engine().host;
      const input = resolve(path);
      const out = resolve(o.out ?? c.opts.repo ?? ".");
      const inputType = (await host.lstat(input))?.type;
      let result: ImportResult | TreeImportResult;
      if (isTreeImporter(importer)) {
        if (inputType !== "dir")
          throw new UsageError(`${path} is not a directory: import ${kind} takes the tree`);
        // With the YAML parser it brings: every command loads this module, not every one needs that.
        const { convertTree } = await import("./import-tree.js");
        result = await convertTree(host, importer, input, out);
      } else {
        const text = await host.readFile(input).catch((err: Error & { code?: string }) => {
          throw new UsageError(`cannot read ${path}: ${err.code ?? err.message}`);
        });
        result = importer.convert(text.toString("utf8"), input);
      }
      // Everything is checked before anything is written.
      const clashes: string[] = [];
      for (const file of Object.keys(result.files))
        if (await host.lstat(join(out, file))) clashes.push(relative(process.cwd(), join(out, file)) || file);
      if (clashes.length && !o.force)
        throw new UsageError(
          `${clashes.slice(0, 5).join(", ")}${clashes.length > 5 ? ` and ${clashes.length - 5} more` : ""} exist${clashes.length === 1 ? "s" : ""}`,
          "rerun with --force to replace them (a backup of each is kept)",
        );
      const written: string[] = [];
      for (const [file, content] of Object.entries(result.files)) {
        const abs = join(out, file);
        if (await host.lstat(abs)) await host.rename(abs, `${abs}.dotops-backup`);
        await host.mkdir(dirname(abs), 0o755);
        await writeOutput(host, abs, content);
        written.push(abs);
      }
      // A tree importer's YAML is put in dotops.yaml's imports when no pattern there covers it.
      if (isTreeImporter(importer) && (await host.lstat(join(out, "dotops.yaml"))))
        for (const file of Object.keys(result.files).filter((f) => typeof result.files[f] === "string")) {
          const entry = ensureImported(
            (await host.readFile(join(out, "dotops.yaml"))).toString("utf8"),
            file,
          );
          if (entry !== null) await host.writeFile(join(out, "dotops.yaml"), entry);
        }
      const notes = "notes" in result ? (result.notes ?? []) : [];
      if (c.opts.json)
        c.printJson({ kind, input, written, counts: result.counts, skipped: result.skipped, notes });
      else if (isTreeImporter(importer)) {
        const yaml = written.filter((f) => typeof result.files[relative(out, f)] === "string");
        for (const f of yaml) c.print(`wrote ${f}`);
        if (written.length > yaml.length)
          c.print(`copied ${written.length - yaml.length} file(s) into ${out}`);
        const counts = Object.entries(result.counts).map(([k, v]) => `${v} ${k}`);
        if (counts.length) c.print(`converted ${counts.join(", ")}`);
        for (const n of notes) c.print(`note: ${n}`);
        const skipped = result.skipped as TreeImportResult["skipped"];
        if (skipped.length) {
          c.print(`not imported (${skipped.length}):`);
          for (const s of skipped) c.print(`  ${join(path, s.path)} — ${s.reason}`);
        }
      } else {
        for (const f of written) c.print(`wrote ${f}`);
        const counts = Object.entries(result.counts).map(([k, v]) => `${v} ${k}`);
        if (counts.length) c.print(`converted ${counts.join(", ")}`);
        const skipped = result.skipped as ImportResult["skipped"];
        if (skipped.length) {
          c.print(`not converted (${skipped.length}):`);
          for (const s of skipped) c.print(`  ${path}:${s.line}: ${s.text.trim()} — ${s.reason}`);
        }
      }
    });
}

async function writeOutput(host: Host, abs: string, content: string | OutputFile): Promise<void> {
  if (typeof content === "string") await host.writeFile(abs, content, 0o644);
  else if (content.symlink) await host.symlink(content.data.toString("utf8"), abs);
  else await host.writeFile(abs, content.data, content.mode & 0o777);
}
