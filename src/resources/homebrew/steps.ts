import type { ResourceContext } from "../context.js";
import type { StepOps } from "../step.js";
import { type BrewInstalled, brew, brewInstalledNow, mas, masInstalledNow } from "./brew-cli.js";

/*
 * The journaled steps of the Homebrew kinds. Neighbouring installs run as one
 * `brew install a b c` (and one `brew install --cask …`), uninstalls likewise.
 * Every undo asks brew what is installed now and acts only on what is (or is
 * not) there: recovery after a crash may undo steps that never ran or ran
 * halfway (a batch killed after its first names).
 */

/**
 * `unlink`: `brew unlink` it once installed (`link: false`); `restartService`:
 * `brew services restart` it once installed. Both ride on the install step so
 * that neighbouring installs still make one batch.
 */
export type BrewInstallStep = {
  op: "brew-install";
  name: string;
  cask: boolean;
  args: string[];
  unlink?: true;
  restartService?: true;
};
/** An installed formula linked into the prefix or unlinked (`link:` changed). */
export type BrewLinkStep = { op: "brew-link"; name: string; link: boolean };
/** `args`: how to install it again when the uninstall is undone. */
export type BrewUninstallStep = {
  op: "brew-uninstall";
  name: string;
  cask: boolean;
  zap: boolean;
  args: string[];
};
export type BrewTapStep = { op: "brew-tap"; name: string; url?: string };
export type BrewUntapStep = { op: "brew-untap"; name: string; url?: string };
export type MasInstallStep = { op: "mas-install"; appId: number; name: string };
/** mas uninstalls as root (`sudo mas uninstall`). */
export type MasUninstallStep = { op: "mas-uninstall"; appId: number; name: string; root: true };

export type HomebrewStep =
  | BrewInstallStep
  | BrewUninstallStep
  | BrewLinkStep
  | BrewTapStep
  | BrewUntapStep
  | MasInstallStep
  | MasUninstallStep;

const isInstalled = (now: BrewInstalled, s: { name: string; cask: boolean }) =>
  s.cask ? now.casks.has(s.name) : now.formulae.has(s.name);

/** Steps with the same flags, in order: one brew process each. */
function groups<S extends { cask: boolean }>(steps: S[], flags: (s: S) => string[]): [string[], S[]][] {
  const out = new Map<string, [string[], S[]]>();
  for (const s of steps) {
    const f = flags(s);
    const key = JSON.stringify(f);
    const g = out.get(key) ?? [f, []];
    g[1].push(s);
    out.set(key, g);
  }
  return [...out.values()];
}

const installFlags = (s: { cask: boolean; args: string[] }) => [
  ...(s.cask ? ["--cask"] : ["--formula"]),
  ...s.args,
];
const uninstallFlags = (s: { cask: boolean; zap: boolean }) =>
  s.cask ? ["--cask", ...(s.zap ? ["--zap"] : [])] : ["--formula"];

async function install(ctx: ResourceContext, steps: Omit<BrewInstallStep, "op">[]) {
  for (const [flags, group] of groups(steps, installFlags))
    await brew(ctx, ["install", ...flags, ...group.map((s) => s.name)]);
  const unlink = steps.filter((s) => s.unlink).map((s) => s.name);
  if (unlink.length) await brew(ctx, ["unlink", ...unlink]);
  for (const s of steps) if (s.restartService) await brew(ctx, ["services", "restart", s.name]);
}

async function uninstall(ctx: ResourceContext, steps: { name: string; cask: boolean; zap: boolean }[]) {
  for (const [flags, group] of groups(steps, uninstallFlags))
    await brew(ctx, ["uninstall", ...flags, ...group.map((s) => s.name)]);
}

/** Of `steps`, those whose package is installed now (`want`) or not. */
async function where<S extends { name: string; cask: boolean }>(
  ctx: ResourceContext,
  steps: S[],
  want: boolean,
): Promise<S[]> {
  const now = await brewInstalledNow(ctx);
  if (!now) return want ? [] : steps; // no brew: nothing can be installed
  return steps.filter((s) => isInstalled(now, s) === want);
}

const installOp = {
  run: (ctx: ResourceContext, s: BrewInstallStep) => install(ctx, [s]),
  runBatch: (ctx: ResourceContext, steps: BrewInstallStep[]) => install(ctx, steps),
  // The step exists only when the package was not installed at plan time: what is there now, this apply added.
  undo: async (ctx: ResourceContext, s: BrewInstallStep) =>
    uninstall(
      ctx,
      (await where(ctx, [s], true)).map((x) => ({ ...x, zap: false })),
    ),
  undoBatch: async (ctx: ResourceContext, steps: BrewInstallStep[]) =>
    uninstall(
      ctx,
      (await where(ctx, steps, true)).map((x) => ({ ...x, zap: false })),
    ),
  describe: (s: BrewInstallStep) => `brew install ${s.cask ? "--cask " : ""}${s.name}`,
};

const uninstallOp = {
  run: async (ctx: ResourceContext, s: BrewUninstallStep) => uninstall(ctx, await where(ctx, [s], true)),
  runBatch: async (ctx: ResourceContext, steps: BrewUninstallStep[]) =>
    uninstall(ctx, await where(ctx, steps, true)),
  undo: async (ctx: ResourceContext, s: BrewUninstallStep) => install(ctx, await where(ctx, [s], false)),
  undoBatch: async (ctx: ResourceContext, steps: BrewUninstallStep[]) =>
    install(ctx, await where(ctx, steps, false)),
  describe: (s: BrewUninstallStep) =>
    `brew uninstall ${s.cask ? "--cask " : ""}${s.zap ? "--zap " : ""}${s.name}`,
};

async function tapped(ctx: ResourceContext, name: string): Promise<boolean> {
  const r = await brew(ctx, ["tap"], { readOnly: true });
  return r.stdout.split("\n").some((l) => l.trim().toLowerCase() === name.toLowerCase());
}

const tap = (ctx: ResourceContext, s: { name: string; url?: string }) =>
  brew(ctx, ["tap", s.name, ...(s.url ? [s.url] : [])]);
const untap = (ctx: ResourceContext, s: { name: string }) => brew(ctx, ["untap", s.name]);

async function masApps(ctx: ResourceContext, steps: { appId: number }[], want: boolean) {
  const now = await masInstalledNow(ctx);
  if (!now) return want ? [] : steps;
  return steps.filter((s) => now.has(s.appId) === want);
}

const masInstall = async (ctx: ResourceContext, steps: { appId: number }[]) => {
  if (steps.length) await mas(ctx, ["install", ...steps.map((s) => String(s.appId))]);
};
const masUninstall = async (ctx: ResourceContext, steps: { appId: number }[]) => {
  for (const s of steps) await mas(ctx, ["uninstall", String(s.appId)]);
};

export const homebrewSteps: StepOps<HomebrewStep> = {
  "brew-install": installOp,
  "brew-uninstall": uninstallOp,
  "brew-link": {
    run: async (ctx, s) => {
      await brew(ctx, [s.link ? "link" : "unlink", s.name]);
    },
    undo: async (ctx, s) => {
      const now = await brewInstalledNow(ctx);
      const f = now?.formulae.get(s.name);
      if (f && f.linked === s.link) await brew(ctx, [s.link ? "unlink" : "link", s.name]);
    },
    describe: (s) => `brew ${s.link ? "link" : "unlink"} ${s.name}`,
  },
  "brew-tap": {
    run: async (ctx, s) => {
      await tap(ctx, s);
    },
    undo: async (ctx, s) => {
      if (await tapped(ctx, s.name)) await untap(ctx, s);
    },
    describe: (s) => `brew tap ${s.name}${s.url ? ` ${s.url}` : ""}`,
  },
  "brew-untap": {
    run: async (ctx, s) => {
      if (await tapped(ctx, s.name)) await untap(ctx, s);
    },
    undo: async (ctx, s) => {
      if (!(await tapped(ctx, s.name))) await tap(ctx, s);
    },
    describe: (s) => `brew untap ${s.name}`,
  },
  "mas-install": {
    run: (ctx, s) => masInstall(ctx, [s]),
    runBatch: masInstall,
    undo: async (ctx, s) => masUninstall(ctx, await masApps(ctx, [s], true)),
    undoBatch: async (ctx, steps) => masUninstall(ctx, await masApps(ctx, steps, true)),
    describe: (s) => `mas install ${s.appId} (${s.name})`,
  },
  "mas-uninstall": {
    run: async (ctx, s) => masUninstall(ctx, await masApps(ctx, [s], true)),
    undo: async (ctx, s) => masInstall(ctx, await masApps(ctx, [s], false)),
    describe: (s) => `mas uninstall ${s.appId} (${s.name})`,
    // `mas uninstall` removes the app from /Applications: root, through the privilege door.
    mayRunAsRoot: () => true,
  },
};
