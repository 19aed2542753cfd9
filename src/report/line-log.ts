import { mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { Log } from "../engine/engine.js";
import { redact } from "./redact.js";

export type LogFormat = "pretty" | "json";

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
type Level = keyof typeof LEVELS;
const LEVEL_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(LEVELS).map(([name, n]) => [n, name]),
);

/** One of pino's JSON lines as a person reads it on a terminal. */
export function prettyLine(line: string): string {
  const rec = JSON.parse(line) as Record<string, unknown>;
  const { level, msg, time: _t, pid: _p, hostname: _h, ...rest } = rec;
  const name = LEVEL_NAMES[level as number] ?? "log";
  const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : "";
  return `${name === "info" ? "" : `${name}: `}${msg ?? ""}${name === "debug" ? extra : ""}\n`;
}

/**
 * The logger of the agent's long-running supervisor: the same lines as
 * report/logger.ts (pino's JSON, or the pretty form on a terminal), on stderr
 * and appended to `file`, without loading pino, which would cost the process
 * that only waits between polls more memory than all of its own work.
 */
export function lineLogger(opts: {
  level: string;
  format?: LogFormat;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Also append JSON lines here (the agent's agent.log). */
  file?: string;
}): Log {
  const stream = opts.stream ?? process.stderr;
  const format = opts.format ?? (stream.isTTY ? "pretty" : "json");
  const threshold = LEVELS[opts.level as Level] ?? LEVELS.info;
  let fd: number | undefined;
  if (opts.file) {
    mkdirSync(dirname(opts.file), { recursive: true });
    fd = openSync(opts.file, "a");
  }
  const write = (level: Level, obj: object | string, msg?: string) => {
    if (LEVELS[level] < threshold) return;
    const fields = typeof obj === "string" ? {} : obj;
    const text = typeof obj === "string" ? obj : msg;
    const line = redact(
      `${JSON.stringify({
        level: LEVELS[level],
        time: new Date().toISOString(),
        pid: process.pid,
        ...fields,
        ...(text === undefined ? {} : { msg: text }),
      })}\n`,
    );
    stream.write(format === "json" ? line : prettyLine(line));
    if (fd !== undefined) writeSync(fd, line);
  };
  return {
    debug: (obj, msg) => write("debug", obj, msg),
    info: (obj, msg) => write("info", obj, msg),
    warn: (obj, msg) => write("warn", obj, msg),
    error: (obj, msg) => write("error", obj, msg),
  };
}
