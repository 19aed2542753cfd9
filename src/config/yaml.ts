import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type YAMLMap,
} from "yaml";
import { ConfigError, type ConfigProblem, type Origin } from "../errors.js";

export type Path = (string | number)[];

/** A merged config value with the source position of every node in it. */
export interface Located {
  value: Record<string, unknown>;
  origins: Map<string, Origin>;
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
  doc: Document;
  lc: LineCounter;
}

const KNOWN_TAGS = new Set(["!override"]);

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
  if (problems.length) throw new ConfigError(problems);
  return { file, doc, lc };
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
  acc.value = mergeNode(acc.value, root as Node, path, parsed, acc.origins) as Record<string, unknown>;
}

function originAt(parsed: ParsedYaml, node: { range?: [number, number, number] | null } | null): Origin {
  const pos = parsed.lc.linePos(node?.range?.[0] ?? 0);
  return { file: parsed.file, line: pos.line, col: pos.col };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function mergeNode(
  acc: unknown,
  node: Node | null,
  path: Path,
  parsed: ParsedYaml,
  origins: Map<string, Origin>,
): unknown {
  const target = node && isAlias(node) ? ((node.resolve(parsed.doc) as Node | undefined) ?? null) : node;
  const override = target?.tag === "!override";
  if (target && isMap(target) && isPlainObject(acc) && !override) {
    return mergeMap({ ...acc }, target, path, parsed, origins);
  }
  if (target && isSeq(target) && Array.isArray(acc) && !override) {
    const base = acc.length;
    return [
      ...acc,
      ...target.items.map((item, i) => convert(item as Node, [...path, base + i], parsed, origins)),
    ];
  }
  return convert(target, path, parsed, origins);
}

function convert(node: Node | null, path: Path, parsed: ParsedYaml, origins: Map<string, Origin>): unknown {
  if (node == null) return null;
  if (isAlias(node))
    return convert((node.resolve(parsed.doc) as Node | undefined) ?? null, path, parsed, origins);
  if (!origins.has(pathKey(path))) origins.set(pathKey(path), originAt(parsed, node));
  if (isMap(node)) return mergeMap({}, node, path, parsed, origins);
  if (isSeq(node)) return node.items.map((item, i) => convert(item as Node, [...path, i], parsed, origins));
  if (isScalar(node)) return node.value;
  return null;
}

function mergeMap(
  out: Record<string, unknown>,
  node: YAMLMap,
  path: Path,
  parsed: ParsedYaml,
  origins: Map<string, Origin>,
): Record<string, unknown> {
  for (const pair of node.items) {
    const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const keyPath = [...path, key];
    origins.set(pathKey(keyPath), originAt(parsed, pair.key as Node));
    out[key] = mergeNode(out[key], pair.value as Node | null, keyPath, parsed, origins);
  }
  return out;
}
