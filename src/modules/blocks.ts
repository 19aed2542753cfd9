import type { Config } from "../config/load.js";
import { formatPath, originOf, type Path } from "../config/yaml.js";
import { ConfigError, type ConfigProblem } from "../errors.js";
import {
  type BlockResource,
  blockId,
  type CommentSyntax,
  commentFor,
  DEFAULT_BLOCK_NAME,
  extensionOf,
  markersOf,
  NO_COMMENTS,
} from "../resources/block/resource.js";
import type { Located, Resource } from "../resources/types.js";
import { homeTarget } from "./home-path.js";
import type { ModuleOutput } from "./module.js";

export interface BlockOptions {
  name?: string;
  comment?: CommentSyntax;
  line?: boolean;
  create?: boolean;
}

/**
 * A block resource for `content` in the file `within` (`~/...`), or the
 * reason it cannot be one. A final newline of `content` (YAML's `|`) is not
 * part of it: the markers are lines of their own.
 */
export function makeBlock(within: string, content: string, opts: BlockOptions = {}): BlockResource | string {
  const name = opts.name ?? DEFAULT_BLOCK_NAME;
  const comment = opts.comment ?? commentFor(within);
  const inner = content.endsWith("\n") ? content.slice(0, -1) : content;
  const r: BlockResource = {
    kind: "block",
    id: blockId(within, name),
    within,
    name,
    content: inner,
    comment,
    ...(opts.line ? { line: true as const } : {}),
    ...(opts.create === false ? { create: false as const } : {}),
  };
  if (inner.includes("\0")) return "content holds a NUL byte";
  if (!opts.comment && NO_COMMENTS.has(extensionOf(within)))
    return `${within} is a .${extensionOf(within)} file, which has no comments to mark a block with; set comment: if it does`;
  const markers = markersOf(r);
  if ("suffix" in markers) {
    if (inner.includes("\n") || inner.includes("\r"))
      return "content of a line block (line: true) must be one line";
    if (inner.includes(markers.suffix.trim()))
      return `content holds its own marker "${markers.suffix.trim()}"`;
  } else {
    const lines = inner.split("\n").map((l) => l.replace(/[ \t\r]+$/, ""));
    const clash = lines.find((l) => l === markers.begin || l === markers.end);
    if (clash !== undefined) return `content holds its own marker line "${clash}"`;
  }
  return r;
}

const BLOCK_ONLY = ["content", "name", "comment", "line", "create"] as const;
const NOT_FOR_BLOCK = ["source", "text", "permissions", "executable", "symlinks"] as const;

/** `comment: "#"` or a pair like `comment: "<!-- -->"`. */
function parseComment(text: string): CommentSyntax | undefined {
  const parts = text.trim().split(/\s+/);
  if (!parts[0] || parts.length > 2) return undefined;
  return parts[1] ? { start: parts[0], end: parts[1] } : { start: parts[0] };
}

/** `mode: block` entries of home/files.yaml → block resources (the other modes are filesModule's). */
export function blocksModule(config: Config): ModuleOutput {
  const resources: Located<Resource>[] = [];
  const problems: ConfigProblem[] = [];
  for (const [i, entry] of config.files.entries()) {
    const at: Path = ["files", i];
    const fail = (message: string, key?: string) =>
      problems.push({
        message,
        origin: originOf(config.located, key ? [...at, key] : at),
        path: formatPath(key ? [...at, key] : at),
      });
    if (entry.mode !== "block") {
      for (const key of BLOCK_ONLY)
        if (entry[key] !== undefined) fail(`${key} is an option of mode: block`, key);
      continue;
    }
    for (const key of NOT_FOR_BLOCK)
      if (entry[key] !== undefined)
        fail(`${key} does not go with mode: block (a block is the content: text inside a file you own)`, key);
    if (entry.content === undefined) {
      fail(`mode: block needs content: for ${entry.target}`);
      continue;
    }
    let comment: CommentSyntax | undefined;
    if (entry.comment !== undefined) {
      comment = parseComment(entry.comment);
      if (!comment || /[\r\n]/.test(entry.comment)) {
        fail('comment must be how a comment starts, e.g. "--", or a pair like "/* */"', "comment");
        continue;
      }
    }
    try {
      const targetPath: Path = [...at, "target"];
      const within = homeTarget(
        entry.target,
        originOf(config.located, targetPath),
        "target",
        formatPath(targetPath),
      );
      const r = makeBlock(within, entry.content, {
        name: entry.name,
        comment,
        line: entry.line,
        create: entry.create,
      });
      if (typeof r === "string") fail(r, "content");
      else resources.push({ ...r, origin: originOf(config.located, at) });
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems);
      else throw err;
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return { resources, blobs: [] };
}
