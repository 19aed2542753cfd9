/**
 * Prose a command's `--help` prints after its options (commander's
 * `addHelpText`), written as paragraphs: wrapped to the terminal here, kept
 * whole by the generated docs/reference/commands.md (src/cli/reference-docs.ts),
 * which read the same text. Lines indented by two spaces (examples) are kept
 * as they are.
 */
export function helpText(text: string): (ctx: { error: boolean }) => string {
  return ({ error }) => {
    const columns = (error ? process.stderr : process.stdout).columns;
    return `\n${wrap(text, Math.min(Math.max(columns || 80, 40), 100))}`;
  };
}

export function wrap(text: string, width: number): string {
  return text
    .split("\n")
    .map((line) => {
      if (line.startsWith("  ") || line.length <= width) return line;
      const out: string[] = [];
      let cur = "";
      for (const word of line.split(" ")) {
        if (cur && cur.length + 1 + word.length > width) {
          out.push(cur);
          cur = word;
        } else cur = cur ? `${cur} ${word}` : word;
      }
      if (cur) out.push(cur);
      return out.join("\n");
    })
    .join("\n");
}
