import type { ResourceContext } from "../context.js";
import type { StepOps } from "../step.js";
import { nixEnv, readProfile } from "./nix-cli.js";
import { SYSTEM_NIX_CONF } from "./resource.js";

/**
 * A profile points at `to` (a store path, or the generation that already
 * holds it), or `to: null` removes the profile link. `from` is where it
 * pointed before: undo goes back to that generation (by number when its link
 * is still there, else by store path), only if the profile is still where
 * run left it.
 */
export type ProfileTarget = { out: string; generation?: number };
export type NixProfileSwitchStep = {
  op: "nix-profile-switch";
  profile: string;
  to: ProfileTarget | null;
  from: { generation: number; out: string | null } | null;
};

/**
 * A delegated configuration (nix-darwin's system, Home Manager's generation):
 * the profile set, then its activation run, as darwin-rebuild / home-manager
 * switch do. Undo sets the profile back and activates what was there.
 */
export type NixActivateStep = NixDarwinSwitchStep | NixHomeManagerSwitchStep;
export type NixDarwinSwitchStep = ActivateFields & { op: "nix-darwin-switch" };
export type NixHomeManagerSwitchStep = ActivateFields & { op: "nix-home-manager-switch" };
type ActivateFields = {
  profile: string;
  out: string;
  prev: string | null;
  /** Where dotops remembers which store path a flake hash built (no build when it comes back). */
  builds: string;
  hash: string;
  root?: true;
};

/**
 * /etc/nix/nix.conf written as root: `content` (base64; null removes it),
 * `prev` what was there (null: nothing). The bytes travel in the step, so the
 * root side needs nothing but the step.
 */
export type NixConfSystemStep = {
  op: "nix-conf-system-write";
  path: string;
  content: string | null;
  prev: string | null;
  root: true;
};

export type NixStep = NixProfileSwitchStep | NixActivateStep | NixConfSystemStep;

/** Points the profile at `t`: back to a generation it has, else a new generation for the store path. */
async function setProfile(ctx: ResourceContext, profile: string, t: ProfileTarget): Promise<void> {
  const p = await readProfile(ctx, profile);
  if (p.out === t.out) return;
  await ctx.host.mkdir(profile.slice(0, profile.lastIndexOf("/")));
  if (t.generation !== undefined && p.generations.get(t.generation) === t.out)
    await nixEnv(ctx, ["-p", profile, "--switch-generation", String(t.generation)]);
  else await nixEnv(ctx, ["-p", profile, "--set", t.out]);
}

async function activate(ctx: ResourceContext, s: NixActivateStep, out: string): Promise<void> {
  const args = s.op === "nix-home-manager-switch" ? ["--driver-version", "1"] : [];
  const r = await ctx.host.exec(`${out}/activate`, args, {
    onLine: (line) => ctx.log?.(`activate: ${line}`),
  });
  if (r.exitCode !== 0)
    throw new Error(
      `${out}/activate failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split("\n").slice(-5).join("\n")}`,
    );
}

async function remember(ctx: ResourceContext, s: NixActivateStep): Promise<void> {
  let known: Record<string, string> = {};
  try {
    known = JSON.parse((await ctx.host.readFile(s.builds)).toString("utf8")) as Record<string, string>;
  } catch {
    // first build
  }
  if (known[s.hash] === s.out) return;
  await ctx.host.writeFile(s.builds, `${JSON.stringify({ ...known, [s.hash]: s.out }, null, 1)}\n`, 0o644);
}

const activateOp = {
  run: async (ctx: ResourceContext, s: NixActivateStep) => {
    await setProfile(ctx, s.profile, { out: s.out });
    await activate(ctx, s, s.out);
    await remember(ctx, s);
  },
  undo: async (ctx: ResourceContext, s: NixActivateStep) => {
    const p = await readProfile(ctx, s.profile);
    if (p.out !== s.out) return;
    if (!s.prev) {
      await ctx.host.unlink(s.profile);
      return;
    }
    const back = [...p.generations].filter(([, out]) => out === s.prev).map(([n]) => n);
    await setProfile(ctx, s.profile, {
      out: s.prev,
      ...(back.length ? { generation: Math.max(...back) } : {}),
    });
    await activate(ctx, s, s.prev);
  },
  describe: (s: NixActivateStep) => `nix-env -p ${s.profile} --set ${s.out}; ${s.out}/activate`,
};

async function putConf(ctx: ResourceContext, path: string, content: string | null): Promise<void> {
  if (content === null) await ctx.host.unlink(path);
  else {
    await ctx.host.mkdir(path.slice(0, path.lastIndexOf("/")));
    await ctx.host.writeFile(path, Buffer.from(content, "base64"), 0o644);
  }
}

/** Does `path` hold `content` (null: nothing there)? */
async function holds(ctx: ResourceContext, path: string, content: string | null): Promise<boolean> {
  const st = await ctx.host.lstat(path);
  if (content === null) return st === null;
  return st?.type === "file" && (await ctx.host.readFile(path)).equals(Buffer.from(content, "base64"));
}

/** The profile path a root step may set: nix-darwin's system profile, or the one the tests name. */
const isSystemProfile = (p: string) =>
  p === "/nix/var/nix/profiles/system" || (p === process.env.DOTOPS_NIX_DARWIN_PROFILE && !p.includes(".."));
const isStorePath = (p: string) => /^\/nix\/store\/[a-z0-9]{32}-[^/]+$/.test(p);

export const nixSteps: StepOps<NixStep> = {
  "nix-profile-switch": {
    run: async (ctx, s) => {
      if (s.to) return setProfile(ctx, s.profile, s.to);
      const p = await readProfile(ctx, s.profile);
      if (s.from && p.current === s.from.generation) await ctx.host.unlink(s.profile);
    },
    undo: async (ctx, s) => {
      const p = await readProfile(ctx, s.profile);
      if ((p.out ?? null) !== (s.to?.out ?? null)) return;
      if (!s.from) {
        if (p.current !== null) await ctx.host.unlink(s.profile);
        return;
      }
      if (s.from.out) await setProfile(ctx, s.profile, { out: s.from.out, generation: s.from.generation });
      else await nixEnv(ctx, ["-p", s.profile, "--switch-generation", String(s.from.generation)]);
    },
    describe: (s) =>
      s.to
        ? s.to.generation !== undefined
          ? `nix-env -p ${s.profile} --switch-generation ${s.to.generation} (${s.to.out})`
          : `nix-env -p ${s.profile} --set ${s.to.out}`
        : `remove the profile link ${s.profile}`,
  },
  "nix-darwin-switch": {
    ...activateOp,
    // As root through the door: only the system profile, only a store path's activate.
    mayRunAsRoot: (s) =>
      isSystemProfile(s.profile) && isStorePath(s.out) && (s.prev === null || isStorePath(s.prev)),
  },
  "nix-home-manager-switch": activateOp,
  "nix-conf-system-write": {
    run: (ctx, s) => putConf(ctx, s.path, s.content),
    undo: async (ctx, s) => {
      if (await holds(ctx, s.path, s.content)) await putConf(ctx, s.path, s.prev);
    },
    describe: (s) => (s.content === null ? `remove ${s.path} (as root)` : `write ${s.path} (as root)`),
    mayRunAsRoot: (s) =>
      s.path === SYSTEM_NIX_CONF || (s.path === process.env.DOTOPS_NIX_SYSTEM_CONF && !s.path.includes("..")),
  },
};
