import type { ExecOptions, ExecResult } from "../../host/host.js";
import type { ResourceContext } from "../context.js";
import { findTool, missingTool, runTool, ToolError, type Unobservable } from "../shared/tools.js";

/*
 * Talking to `nix` and `nix-env`: flakes and the nix command switched on for
 * every call (a user's nix.conf may not have them), builds as `nix build
 * --json` (Nix 2.8 has no --print-out-paths), profiles as `nix-env -p`.
 */

export const NIX_HINT =
  "install Nix: https://nixos.org/download (or the Determinate Systems installer), then open a new shell";
const FEATURES = ["--extra-experimental-features", "nix-command flakes"];

export async function nixMissing(ctx: ResourceContext): Promise<Unobservable | null> {
  return missingTool(ctx, "nix", NIX_HINT);
}

export async function nix(ctx: ResourceContext, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const bin = (await findTool(ctx, "nix")) ?? "nix";
  return runTool(ctx, [bin, ...FEATURES, ...args], opts);
}

export async function nixEnv(
  ctx: ResourceContext,
  args: string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  const bin = (await findTool(ctx, "nix-env")) ?? "nix-env";
  return runTool(ctx, [bin, ...args], opts);
}

/** A build that failed: nix's own message, with store copies of the repo's flake named as repo paths. */
export class NixBuildError extends Error {}

/**
 * `nix build --no-link --json`: the out path. Only adds to the Nix store, so
 * plans run it (readOnly); long output streams to the log.
 */
export async function nixBuild(
  ctx: ResourceContext,
  installable: string[],
  repoFlakeLabel?: string,
): Promise<string> {
  try {
    const r = await nix(ctx, ["build", "--no-link", "--json", ...installable], {
      readOnly: true,
      onLine: (line, stream) => stream === "stderr" && ctx.log?.(`nix: ${line}`),
    });
    const out = (JSON.parse(r.stdout) as { outputs?: { out?: string } }[])[0]?.outputs?.out;
    if (!out) throw new NixBuildError(`nix build printed no out path: ${r.stdout.trim()}`);
    return out;
  } catch (err) {
    if (!(err instanceof ToolError)) throw err;
    throw new NixBuildError(nixErrorText(err.result, repoFlakeLabel));
  }
}

/**
 * What nix said, trimmed to the error and its location. A flake copied into
 * the store as `/nix/store/<hash>-source/flake.nix:3:32` is named as the
 * repo's file (`flake.nix:3:32`).
 */
export function nixErrorText(r: ExecResult, repoFlakeLabel?: string): string {
  const said = (r.stderr || r.stdout).replace(/\r/g, "");
  const from = said.search(/^error:/m);
  const text = (from >= 0 ? said.slice(from) : said).trim();
  const named =
    repoFlakeLabel !== undefined
      ? text.replace(/\/nix\/store\/[a-z0-9]{32}-source\//g, repoFlakeLabel)
      : text;
  const lines = named.split("\n");
  return lines.length > 14 ? [...lines.slice(0, 14), "…"].join("\n") : named;
}

/** `nix store diff-closures A B`: one line per package whose versions or size changed. */
export async function diffClosures(ctx: ResourceContext, from: string, to: string): Promise<string[]> {
  try {
    const r = await nix(ctx, ["store", "diff-closures", from, to], { readOnly: true });
    return r.stdout.split("\n").filter((l) => l.trim());
  } catch (err) {
    if (err instanceof ToolError) return [`(no closure diff: ${nixErrorText(err.result).split("\n")[0]})`];
    throw err;
  }
}

export interface ClosureLine {
  name: string;
  from?: string;
  to?: string;
  size?: string;
}

/** `jq: ∅ → 1.7, +12.3 KiB` → its parts; `ibus: -21.8 KiB` (a size change only). */
export function parseClosureLine(line: string): ClosureLine | null {
  const m = /^(?<name>[^:]+): (?:(?<from>.+?) → (?<to>.+?))?(?:, )?(?<size>[+-][\d.]+ KiB)?$/.exec(
    line.trim(),
  );
  if (!m?.groups) return null;
  const { name, from, to, size } = m.groups;
  return { name: name as string, ...(from ? { from, to } : {}), ...(size ? { size } : {}) };
}

/** A closure diff as plan lines: `+ jq 1.7`, `- curl 8.0`, `~ git 2.40 → 2.41, +9.7 KiB`. */
export function closurePlanLines(lines: string[]): string[] {
  return lines.map((line) => {
    const c = parseClosureLine(line);
    if (!c) return `  ${line}`;
    const size = c.size ? `, ${c.size}` : "";
    if (c.from === "∅") return `+ ${c.name} ${c.to === "ε" ? "" : c.to}${size}`.replace(/ ,/, ",").trimEnd();
    if (c.to === "∅")
      return `- ${c.name} ${c.from === "ε" ? "" : c.from}${size}`.replace(/ ,/, ",").trimEnd();
    return `~ ${c.name}${c.from ? ` ${c.from} → ${c.to}` : ""}${size}`;
  });
}

/** A profile's generations: `<profile>-<N>-link` beside it, each pointing at a store path. */
export interface ProfileState {
  /** The generation `<profile>` points at, or null when there is no profile. */
  current: number | null;
  /** The store path `<profile>` resolves to. */
  out: string | null;
  generations: Map<number, string>;
}

export async function readProfile(ctx: ResourceContext, profile: string): Promise<ProfileState> {
  const slash = profile.lastIndexOf("/");
  const dir = profile.slice(0, slash);
  const base = profile.slice(slash + 1);
  const generations = new Map<number, string>();
  const names = (await ctx.host.lstat(dir)) ? await ctx.host.readdir(dir) : [];
  for (const name of names) {
    const m = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-(\\d+)-link$`).exec(name);
    if (!m) continue;
    try {
      generations.set(Number(m[1]), await ctx.host.readlink(`${dir}/${name}`));
    } catch {
      // removed meanwhile
    }
  }
  const st = await ctx.host.lstat(profile);
  if (st?.type !== "symlink") return { current: null, out: null, generations };
  const target = await ctx.host.readlink(profile);
  const m = /-(\d+)-link$/.exec(target);
  const current = m ? Number(m[1]) : null;
  const out =
    current !== null ? (generations.get(current) ?? null) : target.startsWith("/nix/store/") ? target : null;
  return { current, out, generations };
}

/** The generation of `profile` whose store path is `out`, newest first. */
export function generationOf(p: ProfileState, out: string): number | null {
  let found: number | null = null;
  for (const [n, path] of p.generations) if (path === out && (found === null || n > found)) found = n;
  return found;
}
