/**
 * Just enough of npm's semver ranges to ask "does this engines.node range
 * admit Node X.Y.Z?" of package.json and the lock file: `||`, space-joined
 * comparators, >= > <= < =, ^, ~ and x-ranges. Anything else throws, so a
 * new form in the lock file is noticed rather than waved through.
 */
type Version = [number, number, number];

function parseVersion(v: string): { parts: number[]; version: Version } {
  const parts = v
    .replace(/^v/, "")
    .split(".")
    .filter((p) => p !== "" && !/^[x*]$/i.test(p))
    .map((p) => {
      if (!/^\d+$/.test(p)) throw new Error(`cannot read version "${v}"`);
      return Number(p);
    });
  return { parts, version: [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0] };
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The exclusive upper bound of a partial version: 20 → 21.0.0, 20.19 → 20.20.0. */
function next(parts: number[]): Version {
  if (parts.length <= 1) return [(parts[0] ?? 0) + 1, 0, 0];
  return [parts[0] ?? 0, (parts[1] ?? 0) + 1, 0];
}

function comparator(c: string, v: Version): boolean {
  const m = /^(>=|<=|>|<|=|\^|~)?\s*(\S+)$/.exec(c);
  if (!m) throw new Error(`cannot read comparator "${c}"`);
  const op = m[1] ?? "";
  const { parts, version } = parseVersion(m[2] as string);
  const cmp = compare(v, version);
  switch (op) {
    case ">=":
      return cmp >= 0;
    case ">":
      return parts.length < 3 ? compare(v, next(parts)) >= 0 : cmp > 0;
    case "<=":
      return parts.length < 3 ? compare(v, next(parts)) < 0 : cmp <= 0;
    case "<":
      return cmp < 0;
    case "^": {
      const major = version[0];
      if (major === 0) throw new Error(`^0.x ranges are not handled: "${c}"`);
      return cmp >= 0 && v[0] === major;
    }
    case "~":
      return cmp >= 0 && compare(v, next(parts.length >= 2 ? parts.slice(0, 2) : parts)) < 0;
    default:
      // "20", "20.x", "=20.19.0": everything the given parts allow.
      return parts.length === 3 ? cmp === 0 : cmp >= 0 && compare(v, next(parts)) < 0;
  }
}

export function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version).version;
  return range.split("||").some((alt) =>
    alt
      .trim()
      .replace(/(>=|<=|>|<|=|\^|~)\s+/g, "$1")
      .split(/\s+/)
      .filter(Boolean)
      .every((c) => comparator(c, v)),
  );
}

/** The lowest version a `>=X.Y[.Z]` range (optionally `||`-joined with higher ones) admits. */
export function minVersion(range: string): string {
  const m = /^>=\s*(\d+(?:\.\d+){0,2})/.exec(range.trim());
  if (!m) throw new Error(`engines.node should start with ">=": "${range}"`);
  return parseVersion(m[1] as string).version.join(".");
}
