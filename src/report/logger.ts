import pino from "pino";
import type { Log } from "../engine/engine.js";
import { type LogFormat, prettyLine } from "./line-log.js";
import { redact } from "./redact.js";

export type { LogFormat };

/**
 * pino on stderr: JSON lines when stderr is not a TTY (agents, CI), a short
 * human line when it is. Results never go here: they go to stdout.
 */
export function createLogger(opts: {
  level: string;
  format?: LogFormat;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Also append JSON lines here (the agent's agent.log). */
  file?: string;
}): Log & pino.Logger {
  const stream = opts.stream ?? process.stderr;
  const format = opts.format ?? (stream.isTTY ? "pretty" : "json");
  const dest = {
    write(line: string) {
      const safe = redact(line);
      stream.write(format === "json" ? safe : prettyLine(safe));
    },
  };
  const options = { level: opts.level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  if (!opts.file) return pino(options, dest);
  const boom = pino.destination({ dest: opts.file, append: true, mkdir: true, sync: true });
  const file = { write: (line: string) => boom.write(redact(line)) };
  return pino(
    options,
    pino.multistream([
      { level: opts.level as pino.Level, stream: dest as pino.DestinationStream },
      { level: opts.level as pino.Level, stream: file },
    ]),
  );
}
