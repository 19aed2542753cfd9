/** ANSI colours, off unless the stream is a TTY and neither NO_COLOR nor --no-color says otherwise. */
export interface Palette {
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

export const colors: Palette = {
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  red: wrap(31, 39),
  cyan: wrap(36, 39),
  dim: wrap(2, 22),
  bold: wrap(1, 22),
};

const id = (s: string) => s;
export const noColors: Palette = { green: id, yellow: id, red: id, cyan: id, dim: id, bold: id };

export function useColor(
  stream: { isTTY?: boolean },
  env: Record<string, string | undefined>,
  flag: boolean | undefined,
): boolean {
  if (flag === false || (env.NO_COLOR !== undefined && env.NO_COLOR !== "")) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return Boolean(stream.isTTY) && env.TERM !== "dumb";
}
