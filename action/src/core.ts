import { randomUUID } from "node:crypto";
import { appendFileSync } from "node:fs";
import { EOL } from "node:os";

/**
 * The few parts of `@actions/core` this action needs, with the same wire
 * formats (workflow commands on stdout, `GITHUB_OUTPUT` heredocs, the
 * `GITHUB_STEP_SUMMARY` file), so the bundle stays small and the runner
 * environment is passed in rather than read from globals.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export interface Core {
  getInput(name: string): string;
  setOutput(name: string, value: string): void;
  appendSummary(markdown: string): boolean;
  setSecret(value: string): void;
  debug(message: string): void;
  info(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
  /** An error annotation; with `file`/`line`/`col` GitHub shows it on that line of the PR. */
  error(message: string, where?: { file: string; line?: number; col?: number }): void;
  /** Logs the error and marks the step failed (exit code 1), as `core.setFailed`. */
  setFailed(message: string): void;
  readonly failed: boolean;
}

export function createCore(env: Env, write: (text: string) => void = (t) => process.stdout.write(t)): Core {
  const command = (name: string, message: string, props: Record<string, string> = {}) => {
    const p = Object.entries(props)
      .map(([k, v]) => `${k}=${escapeProperty(v)}`)
      .join(",");
    write(`::${name}${p ? ` ${p}` : ""}::${escapeData(message)}${EOL}`);
  };
  let failed = false;
  return {
    getInput(name) {
      return (env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim();
    },
    setOutput(name, value) {
      const file = env.GITHUB_OUTPUT;
      if (!file) {
        command("set-output", value, { name });
        return;
      }
      const delimiter = `ghadelimiter_${randomUUID()}`;
      if (name.includes(delimiter) || value.includes(delimiter))
        throw new Error(`output ${name} contains the delimiter ${delimiter}`);
      appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, "utf8");
    },
    appendSummary(markdown) {
      const file = env.GITHUB_STEP_SUMMARY;
      if (!file) return false;
      appendFileSync(file, markdown.endsWith("\n") ? markdown : `${markdown}\n`, "utf8");
      return true;
    },
    setSecret(value) {
      if (value) command("add-mask", value);
    },
    debug: (m) => command("debug", m),
    info: (m) => write(`${m}${EOL}`),
    notice: (m) => command("notice", m),
    warning: (m) => command("warning", m),
    error: (m, where) =>
      command(
        "error",
        m,
        where
          ? {
              file: where.file,
              ...(where.line ? { line: String(where.line) } : {}),
              ...(where.col ? { col: String(where.col) } : {}),
            }
          : {},
      ),
    setFailed(message) {
      failed = true;
      process.exitCode = 1;
      command("error", message);
    },
    get failed() {
      return failed;
    },
  };
}

function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}
