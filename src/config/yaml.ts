import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type Scalar,
  visit,
  type YAMLMap,
} from "yaml";
import { ConfigError, type ConfigProblem, type Origin } from "../errors.js";

export type Path = (string | number)[];

/** A merged config value with the source position of every node in it. */
export interface Located {
  value: Record<string, unknown>;
  origins: Map<string, Origin>;
  /** Where the text of each scalar value starts (after a quote or a block header), for positions inside strings. */
  texts?: Map<string, Origin>;
}

export const pathKey = (path: Path): string => path.join("\u0000");

/** `files[2].mode` */
export function formatPath(path: Path): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

/** The origin of `path`, or of its nearest ancestor that has one. */
export function originOf(located: Located, path: Path): Origin | undefined {
  for (let n = path.length; n >= 0; n--) {
    const o = located.origins.get(pathKey(path.slice(0, n)));
    if (o) return o;
  }
  return undefined;
}

export interface ParsedYaml {
  file: string;
  text: string;
  doc: Document;
  lc: LineCounter;
}

const KNOWN_TAGS = new Set(["!override", "!secret"]);

/** Parses one YAML file; syntax errors become file:line:col problems. */
export function parseYaml(file: string, text: string): ParsedYaml {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblem[] = doc.errors.map((e) => {
    const pos = lc.linePos(e.pos[0]);
    return {
      message: `invalid YAML: ${e.message.split("\n")[0]}`,
      origin: { file, line: pos.line, col: pos.col },
    };
  });
  for (const w of doc.warnings) {
    const tag = /Unresolved tag: (\S+)/.exec(w.message)?.[1];
    if (tag && KNOWN_TAGS.has(tag)) continue;
    const pos = lc.linePos(w.pos[0]);
    problems.push({
      message: tag
        ? `unknown tag ${tag} (dotops knows: ${[...KNOWN_TAGS].join(", ")})`
        : (w.message.split("\n")[0] ?? ""),
      origin: { file, line: pos.line, col: pos.col },
    });
  }
  visit(doc, {
    Alias(_key, node) {
      if (node.resolve(doc) !== undefined) return;
      problems.push({
        message: `invalid YAML: alias *${node.source} has no anchor &${node.source} before it`,
        origin: { file, ...lc.linePos(node.range?.[0] ?? 0) },
      });
    },
  });
  if (problems.length) throw new ConfigError(problems);
  return { file, text, doc, lc };
}

/**
 * Merges a parsed file into `acc`: later files win for scalars, lists append,
 * maps merge key by key, and `!override` replaces whatever was there.
 */
export function mergeYaml(acc: Located, parsed: ParsedYaml, path: Path = []): void {
  const root = parsed.doc.contents;
  if (root == null) return;
  if (!isMap(root)) {
    const pos = parsed.lc.linePos(root.range?.[0] ?? 0);
    throw new ConfigError([
      { message: "expected a mapping of keys at the top level", origin: { file: parsed.file, ...pos } },
    ]);
  }
  // The first file to contribute is where a missing required key is reported.
  if (!acc.origins.has(pathKey(path))) acc.origins.set(pathKey(path), { file: parsed.file, line: 1, col: 1 });
  acc.texts ??= new Map();
  acc.value = mergeNode(acc.value, root as Node, path, parsed, acc) as Record<string, unknown>;
}

function originAt(parsed: ParsedYaml, node: { range?: [number, number, number] | null } | null): Origin {
  const pos = parsed.lc.linePos(node?.range?.[0] ?? 0);
  return { file: parsed.file, line: pos.line, col: pos.col };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Where a scalar's text starts: after the opening quote, or on the first line of a block scalar. */
function textStart(parsed: ParsedYaml, node: Scalar): Origin {
  let at = node.range?.[0] ?? 0;
  if (node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE") at++;
  else if (node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED") {
    const nl = parsed.text.indexOf("\n", at);
    at = nl < 0 ? at : nl + 1;
    while (parsed.text[at] === " ") at++;
  }
  return { file: parsed.file, ...parsed.lc.linePos(at) };
}

function mergeNode(acc: unknown, node: Node | null, path: Path, parsed: ParsedYaml, loc: Located): unknown {
  const target = node && isAlias(node) ? ((node.resolve(parsed.doc) as Node | undefined) ?? null) : node;
  const override = target?.tag === "!override";
  if (target && isMap(target) && isPlainObject(acc) && !override) {
    return mergeMap({ ...acc }, target, path, parsed, loc);
  }
  if (target && isSeq(target) && Array.isArray(acc) && !override) {
    const base = acc.length;
    return [
      ...acc,
      ...target.items.map((item, i) => convert(item as Node, [...path, base + i], parsed, loc)),
    ];
  }
  // Replaced (a scalar, a different type, or !override): the old value's origins must not outlive it.
  if (typeof acc === "object" && acc !== null) forgetBelow(loc.origins, path);
  return convert(target, path, parsed, loc);
}

function forgetBelow(origins: Map<string, Origin>, path: Path): void {
  const prefix = path.length ? `${pathKey(path)}\u0000` : "";
  for (const key of [...origins.keys()]) if (key.startsWith(prefix)) origins.delete(key);
}

function convert(node: Node | null, path: Path, parsed: ParsedYaml, loc: Located): unknown {
  if (node == null) return null;
  if (isAlias(node))
    return convert((node.resolve(parsed.doc) as Node | undefined) ?? null, path, parsed, loc);
  if (!loc.origins.has(pathKey(path))) loc.origins.set(pathKey(path), originAt(parsed, node));
  if (isMap(node)) return mergeMap({}, node, path, parsed, loc);
  if (isSeq(node)) return node.items.map((item, i) => convert(item as Node, [...path, i], parsed, loc));
  if (isScalar(node)) {
    if (node.tag === "!secret") return { $secret: String(node.value) };
    loc.texts?.set(pathKey(path), textStart(parsed, node));
    return node.value;
  }
  return null;
}

function mergeMap(
  out: Record<string, unknown>,
  node: YAMLMap,
  path: Path,
  parsed: ParsedYaml,
  loc: Located,
): Record<string, unknown> {
  for (const pair of node.items) {
    const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const keyPath = [...path, key];
    loc.origins.set(pathKey(keyPath), originAt(parsed, pair.key as Node));
    out[key] = mergeNode(out[key], pair.value as Node | null, keyPath, parsed, loc);
  }
  return out;
}
