import { type Document, isSeq, parseDocument, type YAMLSeq } from "yaml";
import { globToRegExp } from "../config/glob.js";
import { UsageError } from "../errors.js";

/**
 * Edits of the user's YAML that keep everything else as written (comments,
 * order, quoting): through the `yaml` library's Document API, not by
 * re-serialising parsed values.
 */

const FILES_HEADER = "# Dotfiles managed by dotops (written by `dotops adopt` / `dotops import`).\n";

function parse(text: string, file: string): Document {
  const doc = parseDocument(text);
  if (doc.errors.length)
    throw new UsageError(`${file} is not valid YAML: ${doc.errors[0]?.message}`, `fix ${file} first`);
  return doc;
}

/** The list under `key`, created (block style) when absent; an error when `key` holds something else. */
function listAt(doc: Document, key: string, file: string): YAMLSeq {
  let seq = doc.get(key, true);
  if (seq === undefined || seq === null) {
    doc.set(key, doc.createNode([]));
    seq = doc.get(key, true);
  }
  if (!isSeq(seq)) throw new UsageError(`${key} in ${file} is not a list`, `make ${key} a list to add to it`);
  // An empty `files: []` grows as a block list; a flow list with items stays one.
  if (seq.items.length === 0) seq.flow = false;
  return seq;
}

const render = (doc: Document) => doc.toString({ lineWidth: 0 });

/** Appends entries (each as a one-line `{ target, source }` map) to the list `key` of a fragment file. */
export function appendEntries(
  text: string | null,
  file: string,
  key: string,
  entries: Record<string, unknown>[],
): string {
  const doc = parse(text ?? FILES_HEADER, file);
  const seq = listAt(doc, key, file);
  for (const e of entries) {
    const node = doc.createNode(e);
    if (!seq.flow) (node as { flow?: boolean }).flow = true;
    seq.items.push(node);
  }
  return render(doc);
}

/** dotops.yaml with `file` in its `imports` (unless a pattern there already matches it); null when nothing changes. */
export function ensureImported(entryText: string, file: string): string | null {
  const doc = parse(entryText, "dotops.yaml");
  const imports = doc.get("imports");
  if (isSeq(imports)) {
    const patterns = imports.items.map((i) => String((i as { value?: unknown }).value ?? i));
    if (patterns.some((p) => p === file || globToRegExp(p).test(file))) return null;
  }
  listAt(doc, "imports", "dotops.yaml").add(doc.createNode(file));
  return render(doc);
}
