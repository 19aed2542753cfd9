/**
 * A marker-delimited block (or one marked line) inside a file the user owns:
 * dotops manages the block, never the rest of the file. `within` is the
 * file's `~/...` path; the id names the block so it never collides with a
 * link or copy of that same path (`block/~/.zshrc#shell`).
 */
export type BlockResource = {
  kind: "block";
  id: string;
  within: string;
  name: string;
  /** What goes between the markers (or the marked line itself), without a final newline. */
  content: string;
  comment: CommentSyntax;
  /** One line marked by a trailing comment instead of a begin and an end line. */
  line?: true;
  /** false: only a file that exists gets the block (`~/.bash_profile` on darwin). */
  create?: false;
};

/** How a comment is written in the file: `#`, or `<!--` … `-->`. */
export interface CommentSyntax {
  start: string;
  end?: string;
}

/** The block's name when none is given: its markers read `# >>> dotops >>>`. */
export const DEFAULT_BLOCK_NAME = "dotops";

export const BLOCK_NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

export const blockId = (within: string, name: string) => `block/${within}#${name}`;

const BY_EXTENSION: Record<string, CommentSyntax> = {
  lua: { start: "--" },
  sql: { start: "--" },
  hs: { start: "--" },
  vim: { start: '"' },
  js: { start: "//" },
  mjs: { start: "//" },
  cjs: { start: "//" },
  ts: { start: "//" },
  jsonc: { start: "//" },
  json5: { start: "//" },
  kdl: { start: "//" },
  el: { start: ";" },
  lisp: { start: ";" },
  clj: { start: ";" },
  scm: { start: ";" },
  ini: { start: ";" },
  tex: { start: "%" },
  xml: { start: "<!--", end: "-->" },
  plist: { start: "<!--", end: "-->" },
  html: { start: "<!--", end: "-->" },
  css: { start: "/*", end: "*/" },
};

const BY_NAME: Record<string, CommentSyntax> = {
  ".vimrc": { start: '"' },
  ".gvimrc": { start: '"' },
  ".exrc": { start: '"' },
  ".emacs": { start: ";" },
};

/** File types without comments: a block cannot be marked in them. */
export const NO_COMMENTS = new Set(["json"]);

/** The comment syntax of a file, by its name or extension; `#` (shells, TOML, YAML, git config) otherwise. */
export function commentFor(path: string): CommentSyntax {
  const base = path.split("/").pop() ?? "";
  const named = BY_NAME[base];
  if (named) return named;
  const dot = base.lastIndexOf(".");
  const ext = dot > 0 ? base.slice(dot + 1).toLowerCase() : "";
  return BY_EXTENSION[ext] ?? { start: "#" };
}

export function extensionOf(path: string): string {
  const base = path.split("/").pop() ?? "";
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : "";
}

/** The comment text that marks this block: `dotops`, or `dotops:<name>`. */
export function blockLabel(name: string): string {
  return name === DEFAULT_BLOCK_NAME ? "dotops" : `dotops:${name}`;
}

const comment = (c: CommentSyntax, text: string) => `${c.start} ${text}${c.end ? ` ${c.end}` : ""}`;

/** What the block is found by: its begin and end lines, or the marked line's trailing comment. */
export type Markers = { begin: string; end: string } | { suffix: string };

export function markersOf(r: Pick<BlockResource, "name" | "comment" | "line">): Markers {
  const label = blockLabel(r.name);
  if (r.line) return { suffix: ` ${comment(r.comment, label)}` };
  return { begin: comment(r.comment, `>>> ${label} >>>`), end: comment(r.comment, `<<< ${label} <<<`) };
}
