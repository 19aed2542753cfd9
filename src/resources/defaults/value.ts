import { canonicalDate, PLIST_TYPES, type PlistType, type TypedPlist } from "../../format/plist.js";

/*
 * A default's value as the resource carries it: a typed plist value in one
 * canonical form (dates ISO 8601 UTC to the second, data lowercase hex, dict
 * keys as given — the manifest hash sorts them), so the same config always
 * gives the same manifest hash.
 */

export type { TypedPlist };

/** A config value that cannot be a default, with where it is (`com.apple.dock.tilesize[2]`). */
export class ValueError extends Error {}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** `{ type, value }` as the schema spells it out (a dict with exactly those two keys and a known type). */
const isTypedSpec = (v: unknown): v is { type: PlistType; value: unknown } =>
  isRecord(v) &&
  Object.keys(v).length === 2 &&
  "value" in v &&
  (PLIST_TYPES as readonly unknown[]).includes(v.type);

/** A YAML value of `defaults:` → its typed plist value. YAML numbers: whole → int, else float. */
export function typedFromConfig(v: unknown, where: string): TypedPlist {
  if (typeof v === "boolean") return { type: "bool", value: v };
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new ValueError(`${where}: ${v} is not a plist number`);
    return Number.isInteger(v) ? { type: "int", value: v } : { type: "float", value: v };
  }
  if (typeof v === "string") return { type: "string", value: v };
  if (Array.isArray(v))
    return { type: "array", value: v.map((x, i) => typedFromConfig(x, `${where}[${i}]`)) };
  if (isTypedSpec(v)) return typedSpec(v.type, v.value, where);
  if (isRecord(v))
    return {
      type: "dict",
      value: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typedFromConfig(x, `${where}.${k}`)])),
    };
  throw new ValueError(`${where}: ${JSON.stringify(v)} is not a plist value`);
}

function typedSpec(type: PlistType, value: unknown, where: string): TypedPlist {
  const bad = (what: string): never => {
    throw new ValueError(`${where}: ${JSON.stringify(value)} is not ${what} (type: ${type})`);
  };
  switch (type) {
    case "bool":
      if (typeof value === "boolean") return { type, value };
      if (typeof value === "string" && /^(true|false|yes|no)$/i.test(value))
        return { type, value: /^(true|yes)$/i.test(value) };
      return bad("true or false");
    case "int": {
      const n = typeof value === "string" && /^[-+]?\d+$/.test(value.trim()) ? Number(value) : value;
      return typeof n === "number" && Number.isSafeInteger(n) ? { type, value: n } : bad("an integer");
    }
    case "float": {
      const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
      return typeof n === "number" && Number.isFinite(n) ? { type, value: n } : bad("a number");
    }
    case "string":
      if (typeof value === "string") return { type, value };
      if (typeof value === "number" || typeof value === "boolean") return { type, value: String(value) };
      return bad("a string");
    case "date": {
      const d = typeof value === "string" ? canonicalDate(value) : null;
      return d ? { type, value: d } : bad("an ISO 8601 date such as 2024-01-02T03:04:05Z");
    }
    case "data": {
      const hex = typeof value === "string" ? value.replace(/[\s<>]/g, "").toLowerCase() : "";
      return typeof value === "string" && /^([0-9a-f]{2})*$/.test(hex)
        ? { type, value: hex }
        : bad("hex digits, two per byte");
    }
    case "array":
      return Array.isArray(value)
        ? { type, value: value.map((x, i) => typedFromConfig(x, `${where}[${i}]`)) }
        : bad("a list");
    case "dict":
      return isRecord(value)
        ? {
            type,
            value: Object.fromEntries(
              Object.entries(value).map(([k, x]) => [k, typedFromConfig(x, `${where}.${k}`)]),
            ),
          }
        : bad("a map");
  }
}

/**
 * Equal as a default: same type and value. Floats compare at single
 * precision too: `defaults write -float` may store a 32-bit float, which
 * reads back as 0.15000000596046448 for 0.15.
 */
export function sameValue(a: TypedPlist | null, b: TypedPlist | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.type !== b.type) return false;
  if (a.type === "float") {
    const y = b.value as number;
    return a.value === y || Math.fround(a.value) === Math.fround(y);
  }
  if (a.type === "array") {
    const y = b.value as TypedPlist[];
    return a.value.length === y.length && a.value.every((x, i) => sameValue(x, y[i] ?? null));
  }
  if (a.type === "dict") {
    const y = b.value as Record<string, TypedPlist>;
    const ka = Object.keys(a.value).sort();
    const kb = Object.keys(y).sort();
    return (
      ka.length === kb.length &&
      ka.every((k, i) => k === kb[i] && sameValue(a.value[k] as TypedPlist, y[k] as TypedPlist))
    );
  }
  return a.value === b.value;
}

/** Int and float are both numbers to an app (NSNumber): only other type changes contradict a key. */
export function contradicts(existing: TypedPlist, wanted: TypedPlist): boolean {
  const num = (t: string) => t === "int" || t === "float";
  return existing.type !== wanted.type && !(num(existing.type) && num(wanted.type));
}

/** Short text for plans: true, 48, 2.5, "Dark", 2024-01-02T03:04:05Z, <deadbeef>, [3 items], {2 keys}. */
export function showValue(v: TypedPlist | null): string {
  if (v === null) return "(not set)";
  switch (v.type) {
    case "string":
      return JSON.stringify(v.value);
    case "data":
      return `<${v.value.length > 32 ? `${v.value.slice(0, 32)}…` : v.value}>`;
    case "array":
      return `[${v.value.map(showValue).join(", ")}]`;
    case "dict":
      return `{${Object.entries(v.value)
        .map(([k, x]) => `${k}: ${showValue(x)}`)
        .join(", ")}}`;
    case "float":
      return Number.isInteger(v.value) ? v.value.toFixed(1) : String(v.value);
    default:
      return String(v.value);
  }
}

/** `defaults write` arguments after the key for a scalar (`-bool true`), null for arrays and dicts. */
export function writeFlag(v: TypedPlist): string[] | null {
  switch (v.type) {
    case "bool":
      return ["-bool", v.value ? "true" : "false"];
    case "int":
      return ["-int", String(v.value)];
    case "float":
      return ["-float", String(v.value)];
    case "string":
      return ["-string", v.value];
    case "date":
      // The form `defaults read` prints a date in, which -date parses back.
      return ["-date", `${v.value.slice(0, 10)} ${v.value.slice(11, 19)} +0000`];
    case "data":
      return ["-data", v.value];
    default:
      return null;
  }
}
