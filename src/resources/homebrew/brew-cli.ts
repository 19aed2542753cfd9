import type { ExecOptions, ExecResult } from "../../host/host.js";
import type { ResourceContext } from "../context.js";
import { findTool, missingTool, once, runTool, type Unobservable } from "../shared/tools.js";

/*
 * Talking to `brew` and `mas`: one batched observation per run shared by every
 * brew, cask and the cleanup (`brew info --json=v2 --installed`), one `brew
 * tap`, one `mas list`; installs with auto-update and cleanup off and their
 * output streamed to the log. The plan computes changes 32 at a time, so the
 * memo holds the promise (`once`), never a result filled in later.
 */

export const BREW_HINT = "install Homebrew: https://brew.sh";
export const MAS_HINT = "install it with: brew install mas";

/** Installs do what they are asked and nothing else: no `brew update`, no cleanup of old versions. */
export const BREW_ENV = {
  HOMEBREW_NO_AUTO_UPDATE: "1",
  HOMEBREW_NO_INSTALL_CLEANUP: "1",
  HOMEBREW_NO_ENV_HINTS: "1",
};

export interface Formula {
  /** `jq`, or `user/tap/name` for a formula from a tap (brew's `full_name`). */
  fullName: string;
  version: string;
  onRequest: boolean;
  /** Every formula it needs at run time (brew lists them transitively). */
  deps: string[];
  /** Linked into the prefix (brew's `linked_keg`). */
  linked: boolean;
}

export interface BrewInstalled {
  /** By full name, and by short name for core formulae. */
  formulae: Map<string, Formula>;
  /** Cask token (and full token) → installed version. */
  casks: Map<string, string>;
}

type InfoJson = {
  formulae?: {
    name: string;
    full_name: string;
    linked_keg?: string | null;
    installed?: {
      version: string;
      installed_on_request?: boolean;
      runtime_dependencies?: { full_name: string }[];
    }[];
  }[];
  casks?: { token: string; full_token?: string; installed: string | string[] | null; version: string }[];
};

/** `brew info --json=v2 --installed` → what is installed. */
export function parseBrewInfo(json: string): BrewInstalled {
  const info = JSON.parse(json) as InfoJson;
  const formulae = new Map<string, Formula>();
  for (const f of info.formulae ?? []) {
    const keg = f.installed?.at(-1);
    if (!keg) continue;
    const formula: Formula = {
      fullName: f.full_name,
      version: keg.version,
      onRequest: keg.installed_on_request ?? true,
      deps: (keg.runtime_dependencies ?? []).map((d) => d.full_name),
      linked: f.linked_keg != null,
    };
    formulae.set(f.full_name, formula);
    if (!formulae.has(f.name)) formulae.set(f.name, formula);
  }
  const casks = new Map<string, string>();
  for (const c of info.casks ?? []) {
    // Homebrew 3.0 briefly printed `installed` as an array.
    const v = Array.isArray(c.installed) ? c.installed.at(-1) : c.installed;
    if (!v) continue;
    casks.set(c.token, v);
    if (c.full_token) casks.set(c.full_token, v);
  }
  return { formulae, casks };
}

/** Runs brew (found on PATH) with the install environment; long output goes to the log line by line. */
export async function brew(
  ctx: ResourceContext,
  args: string[],
  opts: ExecOptions & { ok?: number[] } = {},
): Promise<ExecResult> {
  const bin = (await findTool(ctx, "brew")) ?? "brew";
  return runTool(ctx, [bin, ...args], {
    ...opts,
    env: { ...BREW_ENV, ...opts.env },
    onLine: opts.readOnly ? undefined : (line) => ctx.log?.(`brew: ${line}`),
  });
}

export async function mas(ctx: ResourceContext, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const bin = (await findTool(ctx, "mas")) ?? "mas";
  return runTool(ctx, [bin, ...args], {
    ...opts,
    onLine: opts.readOnly ? undefined : (line) => ctx.log?.(`mas: ${line}`),
  });
}

async function readInstalled(ctx: ResourceContext): Promise<BrewInstalled> {
  return parseBrewInfo((await brew(ctx, ["info", "--json=v2", "--installed"], { readOnly: true })).stdout);
}

/** What brew has installed, asked once per run for every brew, cask and the cleanup. */
export function brewInstalled(ctx: ResourceContext): Promise<BrewInstalled | Unobservable> {
  return once(
    ctx,
    "brew:installed",
    async () => (await missingTool(ctx, "brew", BREW_HINT)) ?? readInstalled(ctx),
  );
}

/**
 * The same question asked again, not from the plan's memo: after steps ran
 * (the versions recorded with a generation, what an undo must remove).
 */
export async function brewInstalledNow(ctx: ResourceContext): Promise<BrewInstalled | null> {
  if (!(await findTool(ctx, "brew"))) return null;
  return readInstalled(ctx);
}

/** `brew tap`: the taps there are, lower-cased as brew prints them. */
export function brewTaps(ctx: ResourceContext): Promise<Set<string> | Unobservable> {
  return once(ctx, "brew:taps", async () => {
    const missing = await missingTool(ctx, "brew", BREW_HINT);
    if (missing) return missing;
    const r = await brew(ctx, ["tap"], { readOnly: true });
    return new Set(
      r.stdout
        .split("\n")
        .map((l) => l.trim().toLowerCase())
        .filter(Boolean),
    );
  });
}

export interface MasApp {
  name: string;
  version: string;
}

/**
 * `mas list`: `<id>  <name padded>  (<version>)` (mas 2), or one space and no
 * padding (mas 1.x); TestFlight apps show id 0 and are skipped.
 */
export function parseMasList(text: string): Map<number, MasApp> {
  const apps = new Map<number, MasApp>();
  for (const line of text.split("\n")) {
    const m = /^\s*(\d+)\s+(.*?)\s+\(([^()]*)\)\s*$/.exec(line);
    if (m && m[1] !== "0") apps.set(Number(m[1]), { name: m[2] ?? "", version: m[3] ?? "" });
  }
  return apps;
}

export function masInstalled(ctx: ResourceContext): Promise<Map<number, MasApp> | Unobservable> {
  return once(ctx, "mas:installed", async () => {
    const missing = await missingTool(ctx, "mas", MAS_HINT);
    if (missing) return missing;
    return parseMasList((await mas(ctx, ["list"], { readOnly: true })).stdout);
  });
}

export async function masInstalledNow(ctx: ResourceContext): Promise<Map<number, MasApp> | null> {
  if (!(await findTool(ctx, "mas"))) return null;
  return parseMasList((await mas(ctx, ["list"], { readOnly: true })).stdout);
}
