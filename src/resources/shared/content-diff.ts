import { createTwoFilesPatch } from "diff";

const MAX_DIFF_BYTES = 256 * 1024;

/** A unified diff between two versions of a file, or a one-line note for binary or huge files. */
export function contentDiff(id: string, before: Buffer | null, after: Buffer | null): string {
  const a = before ?? Buffer.alloc(0);
  const b = after ?? Buffer.alloc(0);
  if (a.equals(b)) return "";
  if (isBinary(a) || isBinary(b)) return `Binary file ${id} changed (${a.length} → ${b.length} bytes)\n`;
  if (a.length + b.length > MAX_DIFF_BYTES)
    return `File ${id} changed (${a.length} → ${b.length} bytes; too large to diff)\n`;
  return createTwoFilesPatch(
    before ? `a/${id}` : "/dev/null",
    after ? `b/${id}` : "/dev/null",
    a.toString("utf8"),
    b.toString("utf8"),
    undefined,
    undefined,
    { context: 3 },
  )
    .split("\n")
    .slice(1) // drop the "====" header line jsdiff adds
    .join("\n");
}

function isBinary(buf: Buffer): boolean {
  return buf.subarray(0, 8000).includes(0);
}
