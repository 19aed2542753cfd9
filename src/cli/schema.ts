import type { Command } from "commander";
import { writeSchemas } from "./init.js";
import type { CliFactory } from "./program.js";

export function registerSchema(program: Command, cli: CliFactory) {
  program
    .command("schema")
    .description("print the config JSON Schema (for yaml-language-server completion)")
    .option("--fragment", "the schema of imported files instead of dotops.yaml")
    .option("--write", "write both schemas to .dotops/ in the config repo")
    .action(async (o: { write?: boolean; fragment?: boolean }) => {
      const c = cli();
      if (!o.write) {
        const { configJsonSchema } = await import("../config/kit.js");
        return c.print(JSON.stringify(configJsonSchema(o.fragment ? "fragment" : "entry"), null, 2));
      }
      for (const path of await writeSchemas(c.repoDir())) c.print(`wrote ${path}`);
    });
}
