import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { recoverIfInterrupted } from "../engine/engine.js";
import { perfHistory } from "../engine/perf.js";
import { UsageError } from "../errors.js";
import { perfCsv, perfJson, renderPerf } from "../report/perf.js";
import { helpText } from "./help-text.js";
import type { CliFactory } from "./program.js";

/** The prose `dotops perf --help` prints after the options (also in docs/reference/commands.md). */
const HELP = [
  "Reads the generations' records: the phases of the last apply (or --generation N) slowest first, its 5 slowest resources (each apply records how long each resource's steps took in generations/<n>/timings.json; steps run as one batch share its time), and a sparkline per phase over the last 30 generations (--last N).",
  "",
  "--csv prints one row per generation: generation, createdAt, outcome, a column per phase, total (ms; record is part of apply and not added to the total). --json prints { generation: { number, commit, createdAt, outcome, totalMs, phases: [{ name, ms }], slowestResources: [{ id, kind, ms }] } | null, trend: { phases, generations }, skipped: [{ generation, reason }] }. --html report.html writes one self-contained page with charts (nothing fetched when viewed), one point per generation. A generation whose records cannot be read is skipped with a warning.",
].join("\n");

export function registerPerf(program: Command, cli: CliFactory) {
  program
    .command("perf")
    .addHelpText("after", helpText(HELP))
    .alias("perf-analyze")
    .description(
      "where applies spend their time: the slowest phases and resources of the last apply, and each phase's trend",
    )
    .option("--generation <n>", "analyse this generation instead of the last one")
    .option("--last <n>", "the trend covers the last N generations", "30")
    .option("--csv", "print one row per generation, a column per phase and the total (ms)")
    .option("--html <file>", "write a self-contained page with charts to this file")
    .action(async (o: { generation?: string; last: string; csv?: boolean; html?: string }) => {
      const c = cli();
      const count = (flag: string, v: string, min: number) => {
        if (!/^\d+$/.test(v) || Number(v) < min)
          throw new UsageError(`${flag} wants a number${min ? ` from ${min}` : ""}, not "${v}"`);
        return Number(v);
      };
      const last = count("--last", o.last, 1);
      const generation = o.generation === undefined ? undefined : count("--generation", o.generation, 1);
      if (o.csv && c.opts.json) throw new UsageError("use either --json or --csv, not both");
      const eng = c.engine();
      await recoverIfInterrupted(eng);
      const h = await perfHistory(eng.host, eng.state, { last, generation });
      for (const s of h.skipped) c.log.warn(`skipped ${s.reason}`);
      if (o.html) {
        const { chartLibraryFiles, perfHtml } = await import("../report/perf-html.js");
        const files = chartLibraryFiles();
        const [js, css] = await Promise.all([eng.host.readFile(files.js), eng.host.readFile(files.css)]);
        const file = resolve(o.html);
        await eng.host.mkdir(dirname(file), 0o755);
        await eng.host.writeFile(
          file,
          perfHtml(h, { js: js.toString("utf8"), css: css.toString("utf8") }),
          0o644,
        );
        if (!c.opts.json && !o.csv) c.print(`wrote ${file} (${h.trend.length} generation(s))`);
      }
      if (c.opts.json) c.printJson(perfJson(h));
      else if (o.csv) process.stdout.write(perfCsv(h));
      else if (!o.html) c.print(renderPerf(h, c.palette));
    });
}
