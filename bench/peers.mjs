// Peers: GNU Stow (Debian package) and mise's dotfiles manager (npm package
// @jdxcode/mise), installed when absent at pinned versions. mise goes into
// bench/work/peers, never into the project's dependencies. A peer that cannot
// be installed is skipped with a printed reason.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { log, run, WORK } from "./runner.mjs";

export const STOW_PIN = "2.3.1-1"; // Debian 12 (bookworm)
export const MISE_PIN = "2026.9.15";

const PEERS = join(WORK, "peers");
const MISE = join(PEERS, "node_modules/.bin/mise");

function sh(cmd, args) {
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return { ok: r.status === 0 && !r.error, out: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim(), error: r.error };
}

function stowVersion() {
  const r = sh("stow", ["--version"]);
  return r.ok ? (/version (\S+)/.exec(r.out)?.[1] ?? r.out) : null;
}

function installStow() {
  if (stowVersion()) return { note: "already installed" };
  if (process.getuid?.() !== 0)
    return { skip: "stow is not installed and the bench is not running as root (apt-get)" };
  if (!sh("apt-get", ["--version"]).ok) return { skip: "stow is not installed and there is no apt-get" };
  log(`installing GNU Stow ${STOW_PIN} from Debian packages`);
  const pinned = () => sh("apt-get", ["install", "-y", "-q", `stow=${STOW_PIN}`]);
  let r = pinned();
  if (!r.ok) {
    sh("apt-get", ["update", "-q"]);
    r = pinned();
  }
  if (!r.ok) {
    log(`stow=${STOW_PIN} is not available here; installing the distribution's stow instead`);
    r = sh("apt-get", ["install", "-y", "-q", "stow"]);
    if (!r.ok) return { skip: `apt-get install stow failed: ${r.out.split("\n").slice(-3).join(" ")}` };
    return { note: `pinned ${STOW_PIN} unavailable; installed the distribution's version` };
  }
  return { note: `installed ${STOW_PIN}` };
}

function installMise() {
  if (!existsSync(MISE) || !sh(MISE, ["--version"]).out.startsWith(MISE_PIN)) {
    log(`installing mise ${MISE_PIN} from npm into ${PEERS}`);
    mkdirSync(PEERS, { recursive: true });
    writeFileSync(join(PEERS, "package.json"), '{ "name": "dotops-bench-peers", "private": true }\n');
    const r = sh("npm", [
      "install",
      "--prefix",
      PEERS,
      "--no-save",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      `@jdxcode/mise@${MISE_PIN}`,
    ]);
    if (!r.ok || !existsSync(MISE))
      return {
        skip: `npm install @jdxcode/mise@${MISE_PIN} failed: ${r.out.split("\n").slice(-3).join(" ")}`,
      };
  }
  const version = sh(MISE, ["--version"]);
  if (!version.ok) return { skip: `mise does not run here: ${version.out}` };
  const help = sh(MISE, ["dotfiles", "--help"]);
  if (!help.ok || !/\bapply\b/.test(help.out))
    return { skip: `mise ${version.out} has no \`mise dotfiles apply\` subcommand` };
  return { version: version.out.split(" ")[0], note: "`mise dotfiles apply` and `status` present" };
}

/** Installs what is missing; returns each peer with its version, or the reason it is skipped. */
export function setupPeers() {
  const stow = installStow();
  const mise = installMise();
  const peers = {
    stow: stow.skip
      ? { available: false, reason: stow.skip }
      : { available: true, version: stowVersion(), pin: STOW_PIN, note: stow.note },
    mise: mise.skip
      ? { available: false, reason: mise.skip }
      : { available: true, version: mise.version, pin: MISE_PIN, note: mise.note },
  };
  for (const [name, p] of Object.entries(peers))
    log(p.available ? `${name} ${p.version} (${p.note})` : `SKIPPING ${name}: ${p.reason}`);
  return peers;
}

// --- the peers' commands, on the same tree as dotops (see tree.mjs) ---

export const stow = {
  /** First apply; --no-folding: one link per file, like dotops and mise (no directory links). */
  apply: (repo, home) => run("stow", ["--no-folding", "-d", join(repo, "stow"), "-t", home, "-S", "home"]),
  restow: (repo, home) => run("stow", ["--no-folding", "-d", join(repo, "stow"), "-t", home, "-R", "home"]),
};

const miseEnv = (repo, home) => ({
  HOME: home,
  MISE_YES: "1",
  MISE_OFFLINE: "1",
  MISE_TRUSTED_CONFIG_PATHS: repo,
});

export const mise = {
  apply: (repo, home) => run(MISE, ["dotfiles", "apply", "-y"], { cwd: repo, env: miseEnv(repo, home) }),
  status: (repo, home) => run(MISE, ["dotfiles", "status"], { cwd: repo, env: miseEnv(repo, home) }),
};
