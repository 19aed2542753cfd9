import type { Command } from "commander";
import { isDuration, parseDuration } from "../config/duration.js";
import { gc } from "../engine/gc.js";
import { UsageError } from "../errors.js";
import { formatBytes } from "../report/bytes.js";
import type { CliFactory } from "./program.js";

export function registerGc(program: Command, cli: CliFactory) {
  program
    .command("gc")
    .alias("cleanup")
    .description(
      "delete old generations, store objects and Nix profile generations no generation uses (the current one is kept)",
    )
    .option("--keep <n>", "keep the newest N generations")
    .option("--older-than <age>", "delete generations older than this, e.g. 30d")
    .option("--dry-run", "only say what would be deleted")
    .action(async (o: { keep?: string; olderThan?: string; dryRun?: boolean }) => {
      const c = cli();
      if (o.keep !== undefined && !/^\d+$/.test(o.keep))
        throw new UsageError(`--keep wants a number, not "${o.keep}"`);
      if (o.olderThan !== undefined && !isDuration(o.olderThan))
        throw new UsageError(`--older-than wants an age like 30d or 12h, not "${o.olderThan}"`);
      const r = await gc(c.engine(), {
        keep: o.keep === undefined ? undefined : Number(o.keep),
        olderThanMs: o.olderThan === undefined ? undefined : parseDuration(o.olderThan),
        dryRun: o.dryRun,
      });
      if (c.opts.json) c.printJson({ ...r, dryRun: Boolean(o.dryRun) });
      else {
        const verb = o.dryRun ? "Would delete" : "Deleted";
        // A dry run lists what would go, so that it can be checked before it does.
        if (o.dryRun) {
          for (const n of r.deletedGenerations) c.print(`  generation ${n}`);
          for (const obj of r.deletedObjects.slice(0, 20)) c.print(`  store/${obj}`);
          if (r.deletedObjects.length > 20)
            c.print(`  … and ${r.deletedObjects.length - 20} more store objects (--json lists them all)`);
        }
        c.print(
          `${verb} ${r.deletedGenerations.length} generation(s)${r.deletedGenerations.length ? ` (${r.deletedGenerations.join(", ")})` : ""} and ${r.deletedObjects.length} store object(s)${r.deletedTrash.length ? `, and what ${r.deletedTrash.length} destructive apply(s) kept in the trash (${r.deletedTrash.join(", ")})` : ""}: ${formatBytes(r.freedBytes)} ${o.dryRun ? "would be freed" : "freed"}; ${r.keptGenerations.length} generation(s) kept.`,
        );
        for (const k of r.corrupt)
          c.print(
            c.palette.yellow(
              `Kept generation ${k.number}, which cannot be read, and every store object until it is repaired: ${k.error}`,
            ),
          );
        for (const k of r.collected)
          if (k.deleted.length)
            c.print(
              `${verb} ${k.deleted.length} ${k.what} of ${k.path} (${k.deleted.join(", ")})${k.hint ? `; ${k.hint}` : ""}.`,
            );
      }
    });
}
