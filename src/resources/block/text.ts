import { type BlockResource, markersOf } from "./resource.js";

/**
 * Finding and splicing a block in a file's text. The text is handled as a
 * "binary" string (one char per byte, latin1) so that every byte outside the
 * block, valid UTF-8 or not, is written back exactly as it was read.
 */
export type BlockSpec = Pick<BlockResource, "name" | "comment" | "line">;

/** Where the block is: from the start of its first line to the end of its last (before the newline). */
export interface Found {
  start: number;
  end: number;
  /** The text between the markers (or the marked line without its marker), binary. */
  inner: string;
}

export type Search = { found: Found | null } | { problem: string };

export const toBinary = (s: string) => Buffer.from(s, "utf8").toString("latin1");
export const fromBinary = (s: string) => Buffer.from(s, "latin1");

interface Line {
  start: number;
  end: number;
  text: string;
}

function linesOf(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf("\n", start);
    const end = nl === -1 ? text.length : nl;
    // Trailing blanks and a CR (a file edited on Windows) do not unmark a line.
    lines.push({ start, end, text: text.slice(start, end).replace(/[ \t\r]+$/, "") });
    start = end + 1;
  }
  return lines;
}

export function findBlock(text: string, spec: BlockSpec): Search {
  const markers = markersOf(spec);
  const lines = linesOf(text);
  const what = `block "${spec.name}"`;
  if ("suffix" in markers) {
    const suffix = toBinary(markers.suffix);
    const marked = lines.filter((l) => l.text.endsWith(suffix));
    if (marked.length > 1) return { problem: `has ${marked.length} lines marked as ${what}; keep one` };
    const l = marked[0];
    return { found: l ? { start: l.start, end: l.end, inner: l.text.slice(0, -suffix.length) } : null };
  }
  const begin = toBinary(markers.begin);
  const end = toBinary(markers.end);
  const begins = lines.filter((l) => l.text === begin);
  const ends = lines.filter((l) => l.text === end);
  if (!begins.length && !ends.length) return { found: null };
  if (begins.length > 1 || ends.length > 1)
    return {
      problem: `has ${Math.max(begins.length, ends.length)} copies of the markers of ${what}; keep one`,
    };
  const b = begins[0];
  const e = ends[0];
  if (!b || !e || e.start < b.start)
    return {
      problem: `has ${b ? `"${markers.begin}"` : `"${markers.end}"`} without ${b ? `"${markers.end}" after it` : `"${markers.begin}" before it`}: fix the markers by hand`,
    };
  const between = text.slice(b.end + 1, e.start);
  return {
    found: { start: b.start, end: e.end, inner: between.endsWith("\n") ? between.slice(0, -1) : between },
  };
}

/** The block's lines (no final newline), binary. */
export function renderBlock(spec: BlockSpec, inner: string): string {
  const markers = markersOf(spec);
  if ("suffix" in markers) return `${inner}${toBinary(markers.suffix)}`;
  return `${toBinary(markers.begin)}\n${inner}\n${toBinary(markers.end)}`;
}

/**
 * The file's text with the block set to `to` (null: taken out). A new block
 * goes at the end; in a file without a final newline it goes after a newline
 * and ends without one, so that taking it out (which removes that newline
 * again) gives back the file byte for byte.
 */
export function spliceBlock(text: string, spec: BlockSpec, found: Found | null, to: string | null): string {
  if (to !== null) {
    const block = renderBlock(spec, to);
    if (found) return text.slice(0, found.start) + block + text.slice(found.end);
    if (text === "" || text.endsWith("\n")) return `${text}${block}\n`;
    return `${text}\n${block}`;
  }
  if (!found) return text;
  if (text[found.end] === "\n") return text.slice(0, found.start) + text.slice(found.end + 1);
  const start = found.start > 0 && text[found.start - 1] === "\n" ? found.start - 1 : found.start;
  return text.slice(0, start) + text.slice(found.end);
}
