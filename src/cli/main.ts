#!/usr/bin/env node
/**
 * The one place that owns the exit (changesets' style): commands throw typed
 * errors carrying an exit code; this turns them into a message and a status.
 * `--version` answers before any heavy module loads, and `agent` without the
 * other commands' modules.
 */
import * as nodeModule from "node:module";
import { version } from "../self.js";

// Node 22+ keeps the compiled bundle between runs (a no-op in Node 20, which has no such cache).
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  process.stdout.write(`${version()}\n`);
} else {
  // The agent runs without the other commands' modules: it stays resident (agent-main.ts).
  const agent = argv.includes("agent")
    ? await (await import("./agent-main.js")).runAgentCommand(argv)
    : undefined;
  if (agent !== undefined) process.exitCode = agent;
  else {
    const { run } = await import("./program.js");
    process.exitCode = await run(argv);
  }
}
