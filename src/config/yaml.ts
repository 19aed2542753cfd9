import {
  type Alias,
  Composer,
  CST,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  type Node,
  Parser,
  type Scalar,
  visit,
  type YAMLMap,
  YAMLParseError,
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
  /** The node each alias names, found once: yaml's `Alias.resolve` walks the whole document per call. */
  anchors: Map<Alias, Node>;
  /** Scalars in the file (keys and values), for the limit on a whole config. */
  scalars: number;
}

/**
 * What one config file may cost. A few lines of YAML can name billions of
 * nodes through nested aliases, or nest deeper than any parser's stack, and
 * `dotops check` runs on pull requests from forks: each limit is checked as
 * the file is read and refused with file:line:col (ConfigError, exit 2)
 * before the cost is paid. Real configs stay far below all of them.
 */
export const YAML_LIMITS = {
  /** Characters in one file. */
  fileChars: 4 * 1024 * 1024,
  /** Characters in one scalar. */
  scalarChars: 1024 * 1024,
  /** Nested collections (a value at files[2].mode is 3 deep). */
  depth: 64,
  /** Alias uses in one file, nested ones included. */
  aliases: 1_000,
  /** Nodes produced by expanding aliases in one file. */
  aliasNodes: 10_000,
  /** Entries of one list or map: parsing 100,000 costs seconds (and a manifest of them, a gigabyte). */
  entries: 5_000,
  /** Scalars (keys and values) in one file, and in all the files of one host's config together. */
  scalars: 20_000,
} as const;

const KNOWN_TAGS = new Set(["!override", "!secret"]);

/** A limit passed at `offset` of the text. */
class LimitError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Parses one YAML file; syntax errors and passed limits become file:line:col problems. */
export function parseYaml(file: string, text: string): ParsedYaml {
  if (text.length > YAML_LIMITS.fileChars) {
    throw new ConfigError([
      {
        message: `the file is ${text.length} characters; config YAML is limited to ${YAML_LIMITS.fileChars}`,
        origin: { file, line: 1, col: 1 },
      },
    ]);
  }
  const lc = new LineCounter();
  let doc: Document;
  let scalars = 0;
  try {
    ({ doc, scalars } = composeWithinLimits(text, lc));
  } catch (err) {
    if (!(err instanceof LimitError)) throw err;
    throw new ConfigError([{ message: err.message, origin: { file, ...lc.linePos(err.offset) } }]);
  }
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
  // One pass in document order: an alias names the last anchor before it
  // (as Alias.resolve decides), and duplicate keys are found with a Set
  // (yaml's uniqueKeys compares each key with every earlier one: a map of
  // 60,000 keys took 40 s).
  const named = new Map<string, Node>();
  const anchors = new Map<Alias, Node>();
  const at = (node: { range?: [number, number, number] | null }) => ({
    file,
    ...lc.linePos(node.range?.[0] ?? 0),
  });
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) {
        const target = named.get(node.source);
        if (target) anchors.set(node, target);
        else
          problems.push({
            message: `invalid YAML: alias *${node.source} has no anchor &${node.source} before it`,
            origin: at(node),
          });
      } else if (node.anchor) named.set(node.anchor, node);
      if (isMap(node)) {
        const seen = new Set<unknown>();
        for (const pair of node.items) {
          if (!isScalar(pair.key)) continue;
          if (seen.has(pair.key.value))
            problems.push({ message: "invalid YAML: Map keys must be unique", origin: at(pair.key) });
          seen.add(pair.key.value);
        }
      }
    },
  });
  if (problems.length) {
    problems.sort(
      (a, b) => (a.origin?.line ?? 0) - (b.origin?.line ?? 0) || (a.origin?.col ?? 0) - (b.origin?.col ?? 0),
    );
    throw new ConfigError(problems);
  }
  return { file, text, doc, lc, anchors, scalars };
}

const COLLECTIONS = new Set(["block-map", "block-seq", "flow-collection"]);

/**
 * yaml's parseDocument, fed one token at a time so that depth and scalar
 * size are checked while parsing: the parser is iterative, but composing a
 * 1000-level document overflows the stack, and 100,000 levels took seconds
 * to parse before failing.
 */
function composeWithinLimits(text: string, lc: LineCounter): { doc: Document; scalars: number } {
  const parser = new Parser(lc.addNewLine);
  let scalars = 0;
  function* tokens() {
    lc.addNewLine(0); // as Parser.parse does
    let scalarNext = false;
    for (const lexeme of new Lexer().lex(text)) {
      // Plain and block scalars follow a SCALAR marker; quoted ones start with their quote.
      const scalar = scalarNext || lexeme.startsWith('"') || lexeme.startsWith("'");
      if (scalar && ++scalars > YAML_LIMITS.scalars)
        throw new LimitError(
          `more than ${YAML_LIMITS.scalars} keys and values in one file: refused (config is not data)`,
          parser.offset,
        );
      if (scalar && lexeme.length > YAML_LIMITS.scalarChars) {
        const top = parser.stack.at(-1);
        const offset = top?.type === "block-scalar" ? top.offset : parser.offset;
        throw new LimitError(
          `a scalar of ${lexeme.length} characters; the limit is ${YAML_LIMITS.scalarChars}`,
          offset,
        );
      }
      scalarNext = lexeme === CST.SCALAR;
      yield* parser.next(lexeme);
      if (scalar) entriesWithinLimit(parser);
      // The stack holds the document, the open collections and at most a scalar or two.
      if (parser.stack.length > YAML_LIMITS.depth + 2) {
        const open = parser.stack.filter((t) => COLLECTIONS.has(t.type));
        if (open.length > YAML_LIMITS.depth)
          throw new LimitError(`nested deeper than ${YAML_LIMITS.depth} levels`, open.at(-1)?.offset ?? 0);
      }
    }
    yield* parser.end();
  }
  // uniqueKeys off: checked in linear time after composing (see parseYaml).
  const composer = new Composer({ uniqueKeys: false });
  let doc: Document | undefined;
  for (const d of composer.compose(tokens(), true, text.length)) {
    if (!doc) doc = d;
    else {
      doc.errors.push(
        new YAMLParseError(
          [d.range[0], d.range[1]],
          "MULTIPLE_DOCS",
          "Source contains multiple documents; please use YAML.parseAllDocuments()",
        ),
      );
      break;
    }
  }
  return { doc: doc as Document, scalars };
}

/** The innermost open list or map may not pass YAML_LIMITS.entries (checked as each scalar arrives). */
function entriesWithinLimit(parser: Parser): void {
  for (let i = parser.stack.length - 1; i >= 0; i--) {
    const t = parser.stack[i];
    if (!t || !COLLECTIONS.has(t.type)) continue;
    const items = (t as { items: unknown[] }).items;
    if (items.length > YAML_LIMITS.entries)
      throw new LimitError(
        `a ${t.type === "block-seq" || (t.type === "flow-collection" && t.start.source === "[") ? "list" : "map"} of more than ${YAML_LIMITS.entries} entries: refused (config is not data)`,
        t.offset,
      );
    return;
  }
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
  const w: Walk = { parsed, loc: acc, open: new Set(), aliases: 0, aliasNodes: 0, outer: null };
  acc.value = mergeNode(acc.value, root as Node, path, w) as Record<string, unknown>;
}

/** One merge of one file: where it writes, and what its aliases have cost so far. */
interface Walk {
  parsed: ParsedYaml;
  loc: Located;
  /** Collections being converted: an alias to one of them would never end. */
  open: Set<Node>;
  aliases: number;
  aliasNodes: number;
  /** The alias, written in the file, whose expansion is under way (null outside one): where a limit is reported. */
  outer: Alias | null;
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

function limitError(w: Walk, node: Node, message: string): ConfigError {
  return new ConfigError([{ message, origin: originAt(w.parsed, node) }]);
}

/**
 * Follows an alias, counting: the uses of aliases, and (in `enter`) every
 * node made while inside one. Those counts are what a "billion laughs"
 * drives up; without them ten lines expand to 9^10 nodes.
 */
function viaAlias<T>(alias: Alias, w: Walk, fn: (target: Node | null) => T): T {
  const target = w.parsed.anchors.get(alias) ?? null;
  const outer = w.outer ?? alias;
  if (++w.aliases > YAML_LIMITS.aliases) {
    throw limitError(
      w,
      outer,
      `alias *${outer.source} takes this file past ${YAML_LIMITS.aliases} alias uses: refused`,
    );
  }
  if (target && w.open.has(target))
    throw limitError(w, alias, `alias *${alias.source} refers to a node that contains it`);
  const was = w.outer;
  w.outer = outer;
  try {
    return fn(target);
  } finally {
    w.outer = was;
  }
}

/** Called for every node converted or merged: depth, and nodes made by aliases. */
function enter(node: Node, path: Path, w: Walk): void {
  // Nesting in the text is refused while parsing; aliases can still stack it deeper.
  if (path.length > YAML_LIMITS.depth)
    throw limitError(w, w.outer ?? node, `nested deeper than ${YAML_LIMITS.depth} levels (through aliases)`);
  if (w.outer && ++w.aliasNodes > YAML_LIMITS.aliasNodes) {
    throw limitError(
      w,
      w.outer,
      `alias *${w.outer.source} expands past ${YAML_LIMITS.aliasNodes} nodes (all of this file's aliases together): refused as an alias bomb`,
    );
  }
}

/** Converts a collection with `node` marked open, so an alias back into it is caught. */
function inside<T>(node: Node, w: Walk, fn: () => T): T {
  w.open.add(node);
  try {
    return fn();
  } finally {
    w.open.delete(node);
  }
}

function mergeNode(acc: unknown, node: Node | null, path: Path, w: Walk): unknown {
  if (node && isAlias(node)) return viaAlias(node, w, (target) => mergeNode(acc, target, path, w));
  const override = node?.tag === "!override";
  if (node && isMap(node) && isPlainObject(acc) && !override) {
    enter(node, path, w);
    return inside(node, w, () => mergeMap({ ...acc }, node, path, w));
  }
  if (node && isSeq(node) && Array.isArray(acc) && !override) {
    enter(node, path, w);
    const base = acc.length;
    return inside(node, w, () => [
      ...acc,
      ...node.items.map((item, i) => convert(item as Node, [...path, base + i], w)),
    ]);
  }
  // Replaced (a scalar, a different type, or !override): the old value's origins must not outlive it.
  if (typeof acc === "object" && acc !== null) forgetBelow(w.loc.origins, path);
  return convert(node, path, w);
}

function forgetBelow(origins: Map<string, Origin>, path: Path): void {
  const prefix = path.length ? `${pathKey(path)}\u0000` : "";
  for (const key of [...origins.keys()]) if (key.startsWith(prefix)) origins.delete(key);
}

function convert(node: Node | null, path: Path, w: Walk): unknown {
  if (node == null) return null;
  if (isAlias(node)) return viaAlias(node, w, (target) => convert(target, path, w));
  enter(node, path, w);
  const loc = w.loc;
  if (!loc.origins.has(pathKey(path))) loc.origins.set(pathKey(path), originAt(w.parsed, node));
  if (isMap(node)) return inside(node, w, () => mergeMap({}, node, path, w));
  if (isSeq(node))
    return inside(node, w, () => node.items.map((item, i) => convert(item as Node, [...path, i], w)));
  if (isScalar(node)) {
    if (node.tag === "!secret") return { $secret: String(node.value) };
    loc.texts?.set(pathKey(path), textStart(w.parsed, node));
    return node.value;
  }
  return null;
}

function mergeMap(out: Record<string, unknown>, node: YAMLMap, path: Path, w: Walk): Record<string, unknown> {
  for (const pair of node.items) {
    const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const keyPath = [...path, key];
    w.loc.origins.set(pathKey(keyPath), originAt(w.parsed, pair.key as Node));
    out[key] = mergeNode(out[key], pair.value as Node | null, keyPath, w);
  }
  return out;
}
