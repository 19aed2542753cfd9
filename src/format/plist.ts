import { DOMParser, type Document, type Element, type Node, XMLSerializer } from "@xmldom/xmldom";

/** Serialises values to an XML property list (launchd agents, `defaults import`). */
export type PlistValue = string | number | boolean | Date | PlistValue[] | { [key: string]: PlistValue };

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function encode(v: PlistValue, indent: string): string {
  const next = `${indent}\t`;
  if (typeof v === "boolean") return `${indent}<${v}/>`;
  if (typeof v === "number")
    return Number.isInteger(v) ? `${indent}<integer>${v}</integer>` : `${indent}<real>${v}</real>`;
  if (typeof v === "string") return `${indent}<string>${esc(v)}</string>`;
  if (v instanceof Date) return `${indent}<date>${v.toISOString().replace(/\.\d{3}Z$/, "Z")}</date>`;
  if (Array.isArray(v))
    return v.length
      ? `${indent}<array>\n${v.map((x) => encode(x, next)).join("\n")}\n${indent}</array>`
      : `${indent}<array/>`;
  const keys = Object.keys(v);
  if (!keys.length) return `${indent}<dict/>`;
  return `${indent}<dict>\n${keys.map((k) => `${next}<key>${esc(k)}</key>\n${encode(v[k] as PlistValue, next)}`).join("\n")}\n${indent}</dict>`;
}

export function toPlist(v: PlistValue): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
${encode(v, "")}
</plist>
`;
}

/*
 * Typed property lists, for `defaults export` / `defaults import`. The plist
 * library's `parse` answers `<real>2.0</real>` and `<integer>2</integer>`
 * with the same JS number; a default's type matters (`-int` vs `-float`), so
 * this walks the XML with the DOM parser the plist library itself uses and
 * keeps every element's plist type.
 */

/** A plist value with its type: dates as ISO 8601 UTC to the second, data as lowercase hex. */
export type TypedPlist =
  | { type: "bool"; value: boolean }
  | { type: "int"; value: number }
  | { type: "float"; value: number }
  | { type: "string"; value: string }
  | { type: "date"; value: string }
  | { type: "data"; value: string }
  | { type: "array"; value: TypedPlist[] }
  | { type: "dict"; value: { [key: string]: TypedPlist } };

export class PlistError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlistError";
  }
}

const ELEMENT_NODE = 1;

function parseXml(xml: string): Document {
  try {
    return new DOMParser({
      onError: (level, msg) => {
        if (level !== "warning") throw new PlistError(msg);
      },
    }).parseFromString(xml, "text/xml");
  } catch (err) {
    const first = String((err as Error).message).split("\n")[0] ?? "";
    throw new PlistError(`not XML: ${first.replace(/^Reporting fatalError "(.*)" caused.*$/, "$1")}`);
  }
}

const elements = (node: Node): Element[] =>
  Array.from(node.childNodes).filter((n): n is Element => n.nodeType === ELEMENT_NODE);

/** The one value element under <plist>. */
function rootValue(doc: Document): Element {
  const root = doc.documentElement;
  if (root?.nodeName !== "plist")
    throw new PlistError(`expected a <plist> document, found <${root?.nodeName ?? "nothing"}>`);
  const [value, extra] = elements(root);
  if (!value || extra) throw new PlistError("a <plist> holds exactly one value");
  return value;
}

/** Normalises a plist date (`2024-01-02T03:04:05Z`) to the canonical ISO form, or null when it is not one. */
export function canonicalDate(text: string): string | null {
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function typedOf(el: Element): TypedPlist {
  const text = el.textContent ?? "";
  switch (el.nodeName) {
    case "true":
    case "false":
      return { type: "bool", value: el.nodeName === "true" };
    case "integer": {
      if (!/^\s*[-+]?\d+\s*$/.test(text))
        throw new PlistError(`<integer>${text}</integer> is not an integer`);
      return { type: "int", value: Number.parseInt(text, 10) };
    }
    case "real": {
      const n = Number(text.trim());
      if (text.trim() === "" || Number.isNaN(n)) throw new PlistError(`<real>${text}</real> is not a number`);
      return { type: "float", value: n };
    }
    case "string":
      return { type: "string", value: text };
    case "date": {
      const d = canonicalDate(text.trim());
      if (!d) throw new PlistError(`<date>${text}</date> is not a date`);
      return { type: "date", value: d };
    }
    case "data":
      return { type: "data", value: Buffer.from(text.replace(/\s+/g, ""), "base64").toString("hex") };
    case "array":
      return { type: "array", value: elements(el).map(typedOf) };
    case "dict": {
      const out: { [key: string]: TypedPlist } = {};
      const kids = elements(el);
      for (let i = 0; i < kids.length; i += 2) {
        const k = kids[i] as Element;
        const v = kids[i + 1];
        if (k.nodeName !== "key") throw new PlistError(`<dict> expects <key>, found <${k.nodeName}>`);
        if (!v || v.nodeName === "key") throw new PlistError(`<key>${k.textContent}</key> has no value`);
        out[k.textContent ?? ""] = typedOf(v);
      }
      return { type: "dict", value: out };
    }
    default:
      throw new PlistError(`<${el.nodeName}> is not a property list element`);
  }
}

/** An XML property list → its typed value; throws PlistError on anything else. */
export function parseTypedPlist(xml: string): TypedPlist {
  return typedOf(rootValue(parseXml(xml)));
}

function typedXml(v: TypedPlist, indent: string): string {
  const next = `${indent}\t`;
  switch (v.type) {
    case "bool":
      return `${indent}<${v.value}/>`;
    case "int":
      return `${indent}<integer>${Math.trunc(v.value)}</integer>`;
    case "float":
      return `${indent}<real>${v.value}</real>`;
    case "string":
      return `${indent}<string>${esc(v.value)}</string>`;
    case "date":
      return `${indent}<date>${v.value}</date>`;
    case "data":
      return `${indent}<data>${Buffer.from(v.value, "hex").toString("base64")}</data>`;
    case "array":
      return v.value.length
        ? `${indent}<array>\n${v.value.map((x) => typedXml(x, next)).join("\n")}\n${indent}</array>`
        : `${indent}<array/>`;
    case "dict": {
      const keys = Object.keys(v.value).sort();
      if (!keys.length) return `${indent}<dict/>`;
      return `${indent}<dict>\n${keys.map((k) => `${next}<key>${esc(k)}</key>\n${typedXml(v.value[k] as TypedPlist, next)}`).join("\n")}\n${indent}</dict>`;
    }
  }
}

const HEADER = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
`;

/** A typed value as an XML property list document (what `defaults import` reads). */
export function typedPlistXml(v: TypedPlist): string {
  return `${HEADER}${typedXml(v, "")}\n</plist>\n`;
}

/**
 * `xml` (a domain as `defaults export` printed it) with some top-level keys
 * set (or removed: null). Every other key is kept as the very elements it
 * was exported as, so nothing else in the domain changes by a round trip.
 */
export function setPlistKeys(xml: string, set: Record<string, TypedPlist | null>): string {
  const doc = parseXml(xml);
  const dict = rootValue(doc);
  if (dict.nodeName !== "dict") throw new PlistError(`expected a <dict>, found <${dict.nodeName}>`);
  const kids = elements(dict);
  const valueNode = (v: TypedPlist) => {
    const el = rootValue(parseXml(typedPlistXml(v)));
    return doc.importNode(el, true);
  };
  const done = new Set<string>();
  for (let i = 0; i < kids.length; i += 2) {
    const k = kids[i] as Element;
    const key = k.textContent ?? "";
    if (!(key in set)) continue;
    const v = set[key];
    const old = kids[i + 1] as Element;
    if (v === null || v === undefined) {
      dict.removeChild(k);
      dict.removeChild(old);
    } else dict.replaceChild(valueNode(v), old);
    done.add(key);
  }
  for (const [key, v] of Object.entries(set)) {
    if (done.has(key) || v === null) continue;
    const k = doc.createElement("key");
    k.appendChild(doc.createTextNode(key));
    dict.appendChild(k);
    dict.appendChild(valueNode(v));
  }
  return new XMLSerializer().serializeToString(doc);
}
