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

/** The plist types `defaults write` knows (-bool, -int, …), as a config spells them. */
export const PLIST_TYPES = ["bool", "int", "float", "string", "date", "data", "array", "dict"] as const;
export type PlistType = (typeof PLIST_TYPES)[number];

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

/** Normalises a plist date (`2024-01-02T03:04:05Z`) to the canonical ISO form, or null when it is not one. */
export function canonicalDate(text: string): string | null {
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
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
