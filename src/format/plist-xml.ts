import { DOMParser, type Document, type Element, type Node, XMLSerializer } from "@xmldom/xmldom";
import { canonicalDate, PlistError, type TypedPlist, typedPlistXml } from "./plist.js";

/*
 * Reading XML property lists, apart from plist.ts: the DOM parser is loaded
 * only by what reads a plist (a `defaults` observation or write, an import of
 * a .macos script), not with every command.
 */

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
