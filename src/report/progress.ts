import type { Progress } from "../engine/engine.js";

/**
 * A one-line progress display on a terminal (stderr), redrawn at most every
 * 100 ms and only for work big enough to notice; `end()` clears it so the
 * plan and result that follow stand alone.
 */
export function terminalProgress(stream: NodeJS.WriteStream, opts: { minTotal?: number } = {}) {
  let last = 0;
  let shown = false;
  const report: Progress = (phase, done, total) => {
    if (total < (opts.minTotal ?? 200)) return;
    const now = Date.now();
    if (done < total && now - last < 100) return;
    last = now;
    const width = 24;
    const filled = Math.round((done / total) * width);
    stream.write(
      `\r\u001b[K${phase.padEnd(7)} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total}`,
    );
    shown = true;
  };
  /** A long step's latest output line, after its phase, cut to the terminal's width. */
  const activity = (line: string) => {
    const text = `apply   ${line.replace(/\s+/g, " ").trim()}`;
    stream.write(`\r\u001b[K${text.slice(0, Math.max(20, (stream.columns ?? 80) - 1))}`);
    shown = true;
  };
  const end = () => {
    if (shown) stream.write("\r\u001b[K");
    shown = false;
  };
  return { report, activity, end };
}
