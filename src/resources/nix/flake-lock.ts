import type { ResourceContext } from "../context.js";

/*
 * What a lock bump changes, for the plan: the config repo's flake.lock as the
 * last generation had it (its flake bundle) against the desired one, named
 * per input (`nixpkgs: github:NixOS/nixpkgs/abc1234 → def5678`). Inputs of
 * inputs are named by their path (`home-manager/nixpkgs`); `follows` are
 * aliases and left out.
 */

interface LockNode {
  inputs?: Record<string, string | string[]>;
  locked?: Record<string, unknown>;
}
interface FlakeLock {
  nodes?: Record<string, LockNode>;
  root?: string;
}

/** A locked input as a flake reference: `ref` plus its pin, written `ref<sep><pin>`. */
interface Pin {
  ref: string;
  sep: string;
  pin: string;
}

const short = (rev: string) => rev.slice(0, 7);
const shortHash = (h: string) => h.replace(/^(sha256-.{8}).*$/, "$1…");

function pinOf(locked: Record<string, unknown>): Pin {
  const str = (k: string) => (typeof locked[k] === "string" ? (locked[k] as string) : "");
  const type = str("type");
  const rev = str("rev");
  const narHash = str("narHash");
  if (["github", "gitlab", "sourcehut"].includes(type))
    return { ref: `${type}:${str("owner")}/${str("repo")}`, sep: "/", pin: short(rev) };
  // A flake input fetched by a version control tool: its URL scheme prefix (no program is run here).
  const vcs: Record<string, string> = { git: "git+", mercurial: "hg+" };
  if (vcs[type]) {
    const ref = `${vcs[type]}${str("url")}`;
    return rev ? { ref, sep: "?rev=", pin: short(rev) } : { ref, sep: "?narHash=", pin: shortHash(narHash) };
  }
  if (type === "path") return { ref: `path:${str("path")}`, sep: "?narHash=", pin: shortHash(narHash) };
  const ref = str("url") ? `${type === "tarball" ? "" : `${type}+`}${str("url")}` : `${type}:`;
  return rev ? { ref, sep: "?rev=", pin: short(rev) } : { ref, sep: "?narHash=", pin: shortHash(narHash) };
}

/** Every input reachable from the root, by path, with its pin. */
export function lockedInputs(lock: FlakeLock): Map<string, Pin> {
  const out = new Map<string, Pin>();
  const nodes = lock.nodes ?? {};
  const walk = (key: string, prefix: string, seen: Set<string>) => {
    for (const [name, target] of Object.entries(nodes[key]?.inputs ?? {})) {
      if (typeof target !== "string" || seen.has(target)) continue; // a follows, or a cycle
      const node = nodes[target];
      const path = `${prefix}${name}`;
      if (node?.locked) out.set(path, pinOf(node.locked));
      walk(target, `${path}/`, new Set([...seen, target]));
    }
  };
  const root = lock.root ?? "root";
  walk(root, "", new Set([root]));
  return out;
}

const show = (p: Pin) => `${p.ref}${p.sep}${p.pin}`;

/** `nixpkgs: github:NixOS/nixpkgs/abc1234 → def5678`, `sub: added …`, `old: removed …`, sorted by input. */
export function lockChanges(before: FlakeLock, after: FlakeLock): string[] {
  const a = lockedInputs(before);
  const b = lockedInputs(after);
  const lines: string[] = [];
  for (const name of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(name);
    const y = b.get(name);
    if (!x && y) lines.push(`${name}: added ${show(y)}`);
    else if (x && !y) lines.push(`${name}: removed (was ${show(x)})`);
    else if (x && y && show(x) !== show(y))
      lines.push(`${name}: ${show(x)} → ${x.ref === y.ref && x.sep === y.sep ? y.pin : show(y)}`);
  }
  return lines;
}

/** flake.lock of a flake bundle (flake-source.ts): {} without a lock, null when the object cannot be read. */
async function bundleLock(ctx: ResourceContext, object: string): Promise<FlakeLock | null> {
  try {
    const bundle = JSON.parse((await ctx.content(object)).toString("utf8")) as {
      files?: Record<string, { b64: string }>;
    };
    const lock = bundle.files?.["flake.lock"];
    return lock ? (JSON.parse(Buffer.from(lock.b64, "base64").toString("utf8")) as FlakeLock) : {};
  } catch {
    return null;
  }
}

/** The inputs whose lock changed between two flake bundles (none when either is not the repo's flake). */
export async function flakeLockChanges(
  ctx: ResourceContext,
  before: string | undefined,
  after: string | undefined,
): Promise<string[]> {
  if (!before || !after || before === after) return [];
  const [a, b] = [await bundleLock(ctx, before), await bundleLock(ctx, after)];
  return a && b ? lockChanges(a, b) : [];
}

/** The plan note: `flake.lock: nixpkgs: … → …, sub: added …`. */
export const lockNote = (lines: string[]) => (lines.length ? `flake.lock: ${lines.join(", ")}` : "");
