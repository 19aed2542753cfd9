import pino from "pino";
import type { Log } from "../engine/engine.js";

export type LogFormat = "pretty" | "json";

const LEVEL_NAMES: Record<number, string> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};

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
  const dest =
    format === "json"
      ? stream
      : {
          write(line: string) {
            const rec = JSON.parse(line) as Record<string, unknown>;
            const { level, msg, time: _t, pid: _p, hostname: _h, ...rest } = rec;
            const name = LEVEL_NAMES[level as number] ?? "log";
            const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : "";
            stream.write(
              `${name === "info" ? "" : `${name}: `}${msg ?? ""}${name === "debug" ? extra : ""}\n`,
            );
          },
        };
  const options = { level: opts.level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  if (!opts.file) return pino(options, dest);
  const file = pino.destination({ dest: opts.file, append: true, mkdir: true, sync: true });
  return pino(
    options,
    pino.multistream([
      { level: opts.level as pino.Level, stream: dest as pino.DestinationStream },
      { level: opts.level as pino.Level, stream: file },
    ]),
  );
}
