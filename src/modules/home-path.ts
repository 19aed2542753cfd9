import { ConfigError, type ConfigProblem, formatOrigin, type Origin } from "../errors.js";
import type { Located, Resource } from "../resources/types.js";

/**
 * Normalises a target to `~/rel`. Targets must stay inside HOME: absolute
 * paths, `~user` and `..` that climbs out are config errors. (A symlinked
 * parent that leads outside is only visible on the machine: the engine checks
 * that when it observes.)
 */
export function homeTarget(
  target: string,
  origin?: Origin,
  what = "target",
  path?: string,
  /** A directory source may go to HOME itself (a home mirror): each file inside lands in HOME. */
  allowHome = false,
): string {
  const fail = (why: string): never => {
    throw new ConfigError([{ message: `${what} "${target}" ${why}`, origin, path }]);
  };
  // On macOS and Linux a backslash is part of a name: `~\.config\x` would be one odd file in HOME.
  if (target.includes("\\")) fail("contains a backslash: separate directories with /");
  let rest = target;
  if (rest === "~" || rest.startsWith("~/")) rest = rest.slice(1);
  else if (rest.startsWith("~")) fail("names another user's home: targets must be inside your HOME (~/...)");
  else if (rest.startsWith("/") || rest.startsWith("$"))
    fail("is outside HOME: write it as ~/... (system paths are managed by other resource kinds)");
  const parts: string[] = [];
  for (const part of rest.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (!parts.length) fail("climbs out of HOME with ..");
      parts.pop();
    } else if (part.includes("\0")) fail("contains a NUL byte");
    else parts.push(part);
  }
  if (!parts.length) {
    if (allowHome) return "~";
    fail("is HOME itself: name a file inside it");
  }
  checkLength(parts, fail);
  return `~/${parts.join("/")}`;
}

/** What file systems take: 255 bytes a name everywhere, 1024 a path on macOS (PATH_MAX). */
export const PATH_LIMITS = { name: 255, path: 1024 } as const;

/**
 * A path no file system takes would fail halfway through an apply (ENAMETOOLONG
 * on the first step that reaches it): refused while reading the config instead.
 */
export function checkLength(parts: string[], fail: (why: string) => never): void {
  for (const part of parts) {
    const n = Buffer.byteLength(part);
    if (n > PATH_LIMITS.name) fail(`has a name of ${n} bytes; names are limited to ${PATH_LIMITS.name}`);
  }
  const n = Buffer.byteLength(parts.join("/"));
  if (n > PATH_LIMITS.path)
    fail(`is ${n} bytes long; paths are limited to ${PATH_LIMITS.path} (macOS's PATH_MAX), HOME not counted`);
}

/** `~/.config/nvim/init.lua` → [`~/.config`, `~/.config/nvim`] */
export function parentDirs(id: string): string[] {
  const parts = id.slice(2).split("/");
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(`~/${parts.slice(0, i).join("/")}`);
  return out;
}

export function expandHome(id: string, home: string): string {
  return id === "~" ? home : `${home}/${id.slice(2)}`;
}

/**
 * Adds the parent directories of every home path as `dir` resources, so that
 * creating and removing them is planned too; a parent that is managed as a
 * file is a problem naming both.
 */
export function addParentDirs(byId: Map<string, Located<Resource>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const r of [...byId.values()]) {
    const path = withinOf(r) ?? r.id;
    if (!path.startsWith("~/")) continue;
    for (const dir of parentDirs(path)) {
      const clash = byId.get(dir);
      if (clash && clash.kind !== "dir")
        problems.push({
          message: `${dir} is managed as a file (${formatOrigin(clash.origin)}) but ${r.id} needs it to be a directory`,
          origin: r.origin,
        });
      else if (!clash) byId.set(dir, { kind: "dir", id: dir });
    }
  }
  for (const r of byId.values()) {
    const within = withinOf(r);
    const owner = within === undefined ? undefined : byId.get(within);
    if (owner)
      problems.push({
        message: `${r.id} edits a part of ${within}, a file you own, but ${within} is also managed as a ${owner.kind} (${formatOrigin(owner.origin) || "another module"}); drop one of them`,
        origin: r.origin,
      });
  }
  markExactDirs(byId);
  return problems;
}

/**
 * Targets that differ only by case or Unicode normalisation (`.Zshrc` and
 * `.zshrc`, `café` written composed and decomposed): one file on macOS, whose
 * APFS and HFS+ fold both, so the second would overwrite the first there.
 * The caller refuses them for a darwin host and warns for a linux one.
 */
export function foldedCollisions(byId: Map<string, Located<Resource>>): ConfigProblem[] {
  const seen = new Map<string, Located<Resource>>();
  const problems: ConfigProblem[] = [];
  for (const r of byId.values()) {
    // What the config named; parent directories come with their targets.
    if (!r.origin || !r.id.startsWith("~/")) continue;
    const key = r.id.normalize("NFD").toLowerCase();
    const first = seen.get(key);
    if (!first) seen.set(key, r);
    else
      problems.push({
        message: `${r.id} and ${first.id} (${formatOrigin(first.origin)}) differ only by case or Unicode normalisation: on macOS they are one file; rename one`,
        origin: r.origin,
      });
  }
  return problems;
}

/** The file a resource edits a part of (a managed block's `within`): it owns no path of its own. */
export function withinOf(r: Resource): string | undefined {
  return typeof r.within === "string" ? r.within : undefined;
}

/**
 * An `exact` directory holds only what dotops manages, all the way down: its
 * subdirectories are exact too, and each gets `keep`, the names of the managed
 * entries directly inside it, so that its kind can tell the rest apart.
 */
function markExactDirs(byId: Map<string, Located<Resource>>): void {
  const exact = [...byId.values()].filter((r) => r.kind === "dir" && r.exact === true).map((r) => r.id);
  if (!exact.length) return;
  const under = (id: string) => exact.some((dir) => id === dir || id.startsWith(`${dir}/`));
  const keep = new Map<string, Set<string>>();
  for (const r of byId.values()) {
    const slash = r.id.lastIndexOf("/");
    const parent = r.id.slice(0, slash);
    if (slash < 2 || !under(parent)) continue;
    const names = keep.get(parent) ?? new Set<string>();
    keep.set(parent, names);
    names.add(r.id.slice(slash + 1));
  }
  for (const r of [...byId.values()])
    if (r.kind === "dir" && under(r.id))
      byId.set(r.id, { ...r, exact: true, keep: [...(keep.get(r.id) ?? [])].sort() });
}
