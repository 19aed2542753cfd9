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
