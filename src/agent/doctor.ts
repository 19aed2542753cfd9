import type { ConfigSource } from "../config/source.js";
import type { Engine } from "../engine/engine.js";
import { currentGeneration, readMeta } from "../engine/generations.js";
import { ConfigError, DotopsError, formatProblem } from "../errors.js";
import { gitVersion, resolveCommit } from "../git/git.js";
import { commitSource } from "../git/source.js";
import type { Host } from "../host/host.js";
import { registerSecret } from "../report/redact.js";
import { currentUid } from "../resources/shared/tools.js";
import { readAgentState, suspension } from "./agent-state.js";
import { agentServiceStatus } from "./service.js";

/*
 * `dotops doctor` (chezmoi's doctor): what a bug report needs to know about
 * this machine, one line a check — versions, the paths dotops uses, the
 * config repo, the agent, GitHub reporting — each saying why when it is not
 * ok and the command that fixes it. It only reads: every command runs
 * through the host (or src/git for git), a missing tool is a line of the
 * report, and a check that fails to run is an `error` line, never the end
 * of the report.
 */

export type CheckStatus = "ok" | "info" | "warn" | "error";

export interface Check {
  name: string;
  status: CheckStatus;
  message: string;
  /** The command (or step) that fixes it. */
  fix?: string;
}

/** Where the config repo was found (the order of Cli.repoDir), or why there is none. */
export type RepoFound =
  | { dir: string; how: string }
  | { missing: string; fix: string }
  | { error: string; fix?: string };

/** What the command knows before any check: this process and the global flags. */
export interface DoctorFacts {
  dotops: { version: string; entry: string };
  node: { version: string; path: string; engines?: string };
  /** This machine's OS (process.platform): its service manager, and whether it has sw_vers. */
  platform: string;
  /** How the state dir was chosen: `--state`, `$XDG_STATE_HOME`, or the default. */
  stateFrom: string;
  repo: RepoFound;
  /** --host */
  host?: string;
}

/**
 * Git versions dotops needs for some of what it does. Reading a commit
 * (`ls-tree -z`, `cat-file --batch`) works with any git of the last decade.
 */
const GIT_NEEDS: { version: string; what: string }[] = [
  { version: "2.28", what: "`dotops init` runs `git init -b main`" },
  {
    version: "2.34",
    what: "SSH-signed commits (gpg.format=ssh, agent.requireSignedCommits with SSH signers) are verified by git 2.34 or newer",
  },
];

/** Below this much free space on the state dir an apply (store objects, the journal) may fail. */
const LOW_DISK_KB = 1024 * 1024;

/** The parts of the config the other checks need, as far as it could be read. */
interface ConfigFacts {
  hostName?: string;
  platform?: string;
  /** undefined: not known (no config, or its inputs were not read). */
  homebrew?: boolean;
  nix?: boolean;
  github?: {
    repo?: string;
    tokenFile?: string;
    app?: { appId: number | string; privateKeyFile?: string };
  };
  /** The config was read (even partly): "not configured" means what it says. */
  read: boolean;
}

export async function doctor(eng: Engine, facts: DoctorFacts): Promise<Check[]> {
  const host = eng.host;
  const token = host.env.DOTOPS_GITHUB_TOKEN;
  registerSecret(token); // never printed; redact() is the last line of defence

  const config = await configChecks(host, facts).catch((err: unknown) => ({
    checks: [
      { name: "config", status: "error", message: `could not be checked: ${problemOf(err)}` } as Check,
    ],
    facts: { read: false } as ConfigFacts,
  }));
  const [os, shell, git, brew, nix, direnv] = await Promise.all([
    guard("os", () => osCheck(host, facts.platform)),
    guard("shell", async () => shellCheck(host)),
    guard("git-command", gitCheck),
    guard("brew-command", () => brewCheck(host, facts.platform, config.facts)),
    guard("nix-command", () => nixCheck(host, config.facts)),
    guard("direnv-command", () => direnvCheck(host)),
  ]);
  const paths = await guard("state-dir", () => stateChecks(eng, facts));
  const agent = await guard("agent", () => agentChecks(eng, facts));
  const github = await guard("github", async () => githubCheck(host, config.facts));
  return [
    { name: "dotops", status: "ok", message: `${facts.dotops.version} (${facts.dotops.entry})` },
    nodeCheck(facts.node),
    ...os,
    ...shell,
    ...git,
    ...brew,
    ...nix,
    ...direnv,
    ...(await guard("home", () => homeCheck(host))),
    ...paths,
    ...config.checks,
    xdgCheck(host),
    ...agent,
    ...github,
  ];
}

/** Runs a check; one that throws is reported as an error line, so the rest of the report still comes. */
async function guard(name: string, fn: () => Promise<Check | Check[]>): Promise<Check[]> {
  try {
    const r = await fn();
    return Array.isArray(r) ? r : [r];
  } catch (err) {
    return [
      { name, status: "error", message: `could not be checked: ${(err as Error).message.split("\n")[0]}` },
    ];
  }
}

// ---------------------------------------------------------------- versions

function nodeCheck(node: DoctorFacts["node"]): Check {
  const at = `${node.version} (${node.path})`;
  if (!node.engines) return { name: "node", status: "ok", message: at };
  const fits = satisfies(node.version, node.engines);
  if (fits === null)
    return {
      name: "node",
      status: "info",
      message: `${at}; dotops' engines range "${node.engines}" is not one doctor reads`,
    };
  return fits
    ? { name: "node", status: "ok", message: `${at}, satisfies engines ${node.engines}` }
    : {
        name: "node",
        status: "warn",
        message: `${at} does not satisfy dotops' engines ${node.engines}: dotops is not built or tested for it`,
        fix: `install a Node that satisfies ${node.engines} (the current LTS does)`,
      };
}

type Version = [number, number, number];

function parseVersion(v: string): Version | null {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : null;
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * Does `version` satisfy an npm engines range? Only the forms package.json
 * uses are read: `||`, space-joined `>=`, `>`, `<=`, `<`, `=` and `^`; null
 * for anything else (said as such, rather than guessed).
 */
export function satisfies(version: string, range: string): boolean | null {
  const v = parseVersion(version);
  if (!v) return null;
  let any = false;
  for (const alt of range.split("||")) {
    let all = true;
    for (const c of alt.trim().split(/\s+/).filter(Boolean)) {
      const m = /^(>=|<=|>|<|=|\^)?v?(\d+(?:\.\d+){0,2})$/.exec(c);
      const bound = m ? parseVersion(m[2] as string) : null;
      if (!m || !bound) return null;
      const cmp = compare(v, bound);
      const ok =
        m[1] === ">="
          ? cmp >= 0
          : m[1] === ">"
            ? cmp > 0
            : m[1] === "<="
              ? cmp <= 0
              : m[1] === "<"
                ? cmp < 0
                : m[1] === "^"
                  ? cmp >= 0 && v[0] === bound[0]
                  : cmp === 0;
      all &&= ok;
    }
    any ||= all;
  }
  return any;
}

async function osCheck(host: Host, platform: string): Promise<Check> {
  const uname = await run(host, "uname", ["-srm"]);
  const kernel = uname.out ?? platform;
  if (platform === "darwin") {
    const [name, version] = await Promise.all([
      run(host, "sw_vers", ["-productName"]),
      run(host, "sw_vers", ["-productVersion"]),
    ]);
    if (version.out)
      return { name: "os", status: "info", message: `${name.out ?? "macOS"} ${version.out} (${kernel})` };
  }
  return { name: "os", status: "info", message: kernel };
}

function shellCheck(host: Host): Check {
  const shell = host.env.SHELL;
  return shell
    ? { name: "shell", status: "info", message: shell }
    : { name: "shell", status: "info", message: "$SHELL is not set" };
}

async function gitCheck(): Promise<Check> {
  const version = await gitVersion();
  if (!version)
    return {
      name: "git-command",
      status: "error",
      message: "git cannot be run (not on PATH): dotops reads every config from a Git commit",
      fix: `install git (${GIT_NEEDS.at(-1)?.version} or newer)`,
    };
  const v = parseVersion(version) as Version;
  const short = GIT_NEEDS.filter((n) => compare(v, parseVersion(n.version) as Version) < 0);
  if (!short.length) return { name: "git-command", status: "ok", message: version };
  return {
    name: "git-command",
    status: "warn",
    message: `${version} is older than ${short.map((n) => n.version).join(" / ")}: ${short.map((n) => n.what).join("; ")}`,
    fix: `upgrade git to ${short.at(-1)?.version} or newer`,
  };
}

/** A tool's path and first line of `--version`, or why not. */
async function tool(
  host: Host,
  cmd: string,
  pick: (out: string) => string,
): Promise<{ path: string | null; version?: string; problem?: string }> {
  const path = await host.which(cmd);
  if (!path) return { path };
  const r = await run(host, cmd, ["--version"]);
  return r.out ? { path, version: pick(r.out) } : { path, problem: r.problem };
}

/** The line of a tool that is on PATH: `<cmd>-command`, as chezmoi names its tool checks. */
function found(cmd: string, t: { path: string | null; version?: string; problem?: string }): Check {
  const name = `${cmd}-command`;
  return t.version
    ? { name, status: "ok", message: `${t.version} (${t.path})` }
    : { name, status: "warn", message: `${t.path} is there but \`${cmd} --version\` failed: ${t.problem}` };
}

async function brewCheck(host: Host, platform: string, config: ConfigFacts): Promise<Check> {
  const t = await tool(host, "brew", (out) => firstLine(out));
  if (t.path) return found("brew", t);
  if (config.homebrew)
    return {
      name: "brew-command",
      status: "warn",
      message: `not on PATH, and host ${config.hostName}'s config manages Homebrew packages: apply refuses them ("not observable here")`,
      fix: 'install Homebrew (https://brew.sh) and put it on PATH (`eval "$(/opt/homebrew/bin/brew shellenv)"`)',
    };
  const why =
    config.homebrew === false
      ? `host ${config.hostName}'s config manages no Homebrew packages`
      : platform === "darwin"
        ? "no config read to say whether Homebrew is needed"
        : "Homebrew is for macOS hosts";
  return { name: "brew-command", status: "info", message: `not on PATH (${why})` };
}

async function nixCheck(host: Host, config: ConfigFacts): Promise<Check> {
  const t = await tool(host, "nix", (out) => /(\d+\.\d+[\w.]*)/.exec(out)?.[1] ?? firstLine(out));
  if (t.path) return found("nix", t);
  if (config.nix)
    return {
      name: "nix-command",
      status: "warn",
      message: `not on PATH, and host ${config.hostName}'s config uses Nix (settings, packages or a flake): apply refuses them`,
      fix: "install Nix (https://nixos.org/download) and open a new shell",
    };
  return { name: "nix-command", status: "info", message: "not on PATH (needed only by a config with nix:)" };
}

async function direnvCheck(host: Host): Promise<Check> {
  const t = await tool(host, "direnv", (out) => firstLine(out));
  if (t.path) return found("direnv", t);
  return {
    name: "direnv-command",
    status: "info",
    message: "not on PATH: the .envrc files `dotops dev-env` writes are loaded by direnv",
    fix: "install direnv (https://direnv.net) if you use `dotops dev-env`",
  };
}

// ---------------------------------------------------------------- paths

async function homeCheck(host: Host): Promise<Check> {
  if (!(await host.lstat(host.home)))
    return {
      name: "home",
      status: "error",
      message: `HOME is ${host.home}, which does not exist: every target dotops manages is in HOME`,
    };
  return { name: "home", status: "ok", message: host.home };
}

async function stateChecks(eng: Engine, facts: DoctorFacts): Promise<Check[]> {
  const { host } = eng;
  const dir = eng.state.dir;
  const where = `${dir} (${facts.stateFrom})`;
  let st = await host.lstat(dir);
  if (st?.type === "symlink") st = await host.lstat(await host.realpath(dir));
  if (!st)
    return [
      {
        name: "state-dir",
        status: "info",
        message: `${where} does not exist yet: nothing applied on this machine`,
        fix: "dotops apply (creates it)",
      },
    ];
  if (st.type !== "dir")
    return [
      {
        name: "state-dir",
        status: "error",
        message: `${where} is a ${st.type}, not a directory`,
        fix: "move it aside, or pass --state DIR",
      },
    ];
  const checks: Check[] = [];
  const owner = await ownerOf(host, dir);
  if (owner && owner.uid !== owner.me)
    checks.push({
      name: "state-dir",
      status: "error",
      message: `${where} is owned by uid ${owner.uid}, not by you (uid ${owner.me}): dotops keeps its lock, journal and generations there`,
      fix: `sudo chown -R ${owner.me} ${dir}`,
    });
  else
    checks.push({
      name: "state-dir",
      status: "ok",
      message: `${where}${owner ? ", owned by you" : ", owner unknown (ls -nd failed)"}`,
    });
  const mode = `0${st.mode.toString(8).padStart(3, "0")}`;
  if ((st.mode & 0o700) !== 0o700)
    checks.push({
      name: "state-mode",
      status: "error",
      message: `${mode}: you cannot read, write or enter it (expected 0700)`,
      fix: `chmod 700 ${dir}`,
    });
  else if (st.mode & 0o077)
    checks.push({
      name: "state-mode",
      status: "warn",
      message: `${mode}: other users can read what dotops keeps there (generations, agent.json, the agent's clone); expected 0700`,
      fix: `chmod 700 ${dir}`,
    });
  else checks.push({ name: "state-mode", status: "ok", message: mode });
  checks.push(await diskCheck(host, dir));
  // A broken generation record is its own line: the lines above still stand.
  checks.push(...(await guard("generation", () => generationCheck(eng))));
  return checks;
}

/** The uid owning `path` (`ls -nd`, the same on macOS and Linux) and the user's own (`id -u`); null if either is unknown. */
async function ownerOf(host: Host, path: string): Promise<{ uid: number; me: number } | null> {
  const ls = await run(host, "ls", ["-nd", path]);
  const uid = Number(ls.out?.split(/\s+/)[2]);
  if (!Number.isInteger(uid)) return null;
  try {
    return { uid, me: await currentUid(host) };
  } catch {
    return null;
  }
}

async function diskCheck(host: Host, dir: string): Promise<Check> {
  const df = await run(host, "df", ["-Pk", dir]);
  // -P: one line per file system, `Filesystem 1024-blocks Used Available Capacity Mounted-on`.
  const m = /\s(\d+)\s+(\d+)\s+(\d+)\s+\d+%\s+(.+)$/.exec(df.out?.split("\n").at(-1) ?? "");
  if (!m)
    return {
      name: "state-disk",
      status: "info",
      message: `free space unknown (df -Pk: ${df.problem ?? "unreadable"})`,
    };
  const kb = Number(m[3]);
  const free = `${formatKb(kb)} free on ${m[4]}`;
  return kb < LOW_DISK_KB
    ? {
        name: "state-disk",
        status: "warn",
        message: `${free}: an apply writes store objects and a journal there and may fail`,
        fix: "dotops gc (deletes old generations and unreferenced store objects), or free space",
      }
    : { name: "state-disk", status: "ok", message: free };
}

function formatKb(kb: number): string {
  if (kb >= 1024 * 1024) return `${(kb / 1024 / 1024).toFixed(1)} GiB`;
  return `${(kb / 1024).toFixed(0)} MiB`;
}

async function generationCheck(eng: Engine): Promise<Check> {
  const n = await currentGeneration(eng.host, eng.state);
  if (n === null)
    return { name: "generation", status: "info", message: "none applied yet", fix: "dotops apply" };
  const g = await readMeta(eng.host, eng.state, n);
  const of = g.commit ? `commit ${g.commit.slice(0, 12)}` : "the work tree";
  const message = `${n} (${g.outcome}) of ${of} for host ${g.host}, ${g.createdAt}`;
  return g.outcome === "applied"
    ? { name: "generation", status: "ok", message }
    : { name: "generation", status: "warn", message, fix: "dotops status (then dotops apply)" };
}

function xdgCheck(host: Host): Check {
  const set = Object.keys(host.env)
    .filter((k) => k.startsWith("XDG_") && host.env[k])
    .sort()
    .map((k) => `${k}=${host.env[k]}`);
  return {
    name: "xdg",
    status: "info",
    message: set.length ? set.join(" ") : "no $XDG_* variables set (state in ~/.local/state/dotops)",
  };
}

// ---------------------------------------------------------------- the config repo

async function configChecks(
  host: Host,
  facts: DoctorFacts,
): Promise<{ checks: Check[]; facts: ConfigFacts }> {
  const hostname = host.hostname().split(".")[0] ?? "";
  const thisMachine: Check = {
    name: "host",
    status: "info",
    message: `this machine is ${hostname}${facts.host ? ` (--host ${facts.host})` : ""}; no config to match it against`,
  };
  const none: ConfigFacts = { read: false };
  const r = facts.repo;
  if ("missing" in r)
    return {
      checks: [{ name: "config-repo", status: "warn", message: r.missing, fix: r.fix }, thisMachine],
      facts: none,
    };
  if ("error" in r)
    return {
      checks: [{ name: "config-repo", status: "error", message: r.error, fix: r.fix }, thisMachine],
      facts: none,
    };
  const checks: Check[] = [{ name: "config-repo", status: "ok", message: `${r.dir} (${r.how})` }];

  let sha: string;
  try {
    sha = await resolveCommit(r.dir, "HEAD");
  } catch (err) {
    if (!(err instanceof DotopsError)) throw err;
    checks.push({ name: "config-commit", status: "error", message: err.message, fix: err.hint }, thisMachine);
    return { checks, facts: none };
  }
  checks.push({ name: "config-commit", status: "ok", message: `HEAD is ${sha}` });

  const check = "dotops check (every problem, with file:line:col)";
  const failed = (...lines: Check[]) => {
    checks.push(...lines);
    return { checks, facts: none };
  };
  let source: ConfigSource;
  try {
    source = await commitSource(r.dir, sha, { resolved: true });
  } catch (err) {
    return failed({ name: "config", status: "error", message: problemOf(err), fix: check }, thisMachine);
  }
  if (!source.files.has("dotops.yaml"))
    return failed(
      {
        name: "config",
        status: "error",
        message: `no dotops.yaml in ${source.label}`,
        fix: `commit it (git -C ${r.dir} add dotops.yaml && git -C ${r.dir} commit), or \`dotops init ${r.dir}\``,
      },
      thisMachine,
    );
  const { declaresInputs, listHosts, loadConfig, loadPolicy } = await import("../config/load.js");
  const { withContent } = await import("../config/source.js");
  let hosts: Record<string, { platform: string }>;
  let withInputs: boolean;
  try {
    hosts = listHosts(source);
    withInputs = declaresInputs(source);
  } catch (err) {
    return failed({ name: "config", status: "error", message: problemOf(err), fix: check }, thisMachine);
  }
  const names = Object.keys(hosts).sort();
  const loads = `dotops.yaml at ${sha.slice(0, 12)} loads: ${names.length} host${names.length === 1 ? "" : "s"} (${names.join(", ")})`;

  let policy: ReturnType<typeof loadPolicy>;
  try {
    policy = loadPolicy(source, { host: facts.host, hostname });
  } catch (err) {
    return failed(
      { name: "config", status: "ok", message: loads },
      {
        name: "host",
        status: "error",
        message: problemOf(err),
        fix: facts.host
          ? `pass --host one of: ${names.join(", ")}`
          : `pass --host NAME (one of: ${names.join(", ")}), or name a host ${hostname} in dotops.yaml`,
      },
    );
  }
  const name = policy.host.name;
  const platform = hosts[name]?.platform;
  const how = facts.host ? "--host" : name === hostname ? "named like this machine" : "the only host";
  const known: ConfigFacts = { read: true, hostName: name, platform, github: policy.agent.github };
  const hostCheck: Check = {
    name: "host",
    status: "ok",
    message: `${name} (${platform}): ${how}; this machine is ${hostname}`,
  };
  if (withInputs) {
    // Reading an input may fetch it: doctor stays offline and quick.
    checks.push(
      {
        name: "config",
        status: "ok",
        message: `${loads}; it has inputs, which doctor does not fetch (\`dotops check\` reads everything)`,
      },
      hostCheck,
    );
    return { checks, facts: known };
  }
  try {
    const config = await withContent(source, () => loadConfig(source, { host: name }));
    const hb = config.homebrew;
    // Homebrew is managed on darwin hosts only (modules/homebrew.ts).
    known.homebrew =
      platform === "darwin" &&
      Boolean(hb.taps?.length || hb.brews?.length || hb.casks?.length || Object.keys(hb.mas ?? {}).length);
    const nx = config.nix;
    known.nix = Boolean(
      Object.keys(nx.settings ?? {}).length || nx.packages?.length || nx.darwin || nx.homeManager,
    );
    checks.push({
      name: "config",
      status: "ok",
      message: `${loads}; host ${name}'s files merge and validate`,
    });
  } catch (err) {
    checks.push({ name: "config", status: "error", message: problemOf(err), fix: check });
  }
  checks.push(hostCheck);
  return { checks, facts: known };
}

/** The first problem of a config that does not load (and how many more), in dotops' words. */
function problemOf(err: unknown): string {
  if (err instanceof ConfigError && err.problems[0]) {
    const more = err.problems.length > 1 ? ` (and ${err.problems.length - 1} more)` : "";
    return `${formatProblem(err.problems[0])}${more}`;
  }
  if (err instanceof Error) return err.message.split("\n")[0] ?? "";
  return String(err);
}

// ---------------------------------------------------------------- the agent

async function agentChecks(eng: Engine, facts: DoctorFacts): Promise<Check[]> {
  const { host } = eng;
  const checks: Check[] = [];
  if (facts.platform !== "darwin" && facts.platform !== "linux")
    checks.push({
      name: "agent-service",
      status: "info",
      message: `no service manager dotops knows on ${facts.platform}`,
    });
  else {
    const s = await agentServiceStatus(host, facts.platform);
    const kind = facts.platform === "darwin" ? "a launchd agent" : "a systemd user unit";
    const running = s.state === "active" || s.state === "running";
    if (!s.installed && !running)
      checks.push({
        name: "agent-service",
        status: "info",
        message: `not installed (no ${s.file})`,
        fix: `dotops install-agent (runs the agent as ${kind})`,
      });
    else if (s.unknown)
      checks.push({
        name: "agent-service",
        status: "warn",
        message: `${s.file} is installed, but whether it runs is unknown: ${s.unknown}`,
        fix: /bus/i.test(s.unknown)
          ? "loginctl enable-linger $USER (a systemd user session without a login)"
          : undefined,
      });
    else if (running)
      checks.push({
        name: "agent-service",
        status: s.installed ? "ok" : "warn",
        message: `${s.state} (${s.asked?.join(" ")})${s.installed ? `, from ${s.file}` : `, but ${s.file} is gone`}`,
        fix: s.installed ? undefined : "dotops install-agent",
      });
    else
      checks.push({
        name: "agent-service",
        status: "warn",
        message: `${s.file} is installed but ${s.state} (${s.asked?.join(" ")}): no agent applies new commits`,
        fix: "dotops install-agent (writes and loads it again)",
      });
  }
  if (!(await host.lstat(eng.state.dir))) return checks;
  const last = (await readAgentState(host, eng.state)).lastAttempted;
  const log = `${eng.state.dir}/agent.log`;
  if (!last)
    checks.push({ name: "agent-last", status: "info", message: "no agent pass recorded (agent.json)" });
  else {
    const what = `${last.commit.slice(0, 12)} at ${last.at}`;
    const gen = last.generation ? ` (generation ${last.generation})` : "";
    if (last.outcome === "applied")
      checks.push({ name: "agent-last", status: "ok", message: `${what}: applied${gen}` });
    else if (last.outcome === "pending")
      checks.push(
        last.pid !== undefined && !host.processAlive(last.pid)
          ? {
              name: "agent-last",
              status: "warn",
              message: `${what}: the pass (pid ${last.pid}) died before it ended; the agent tries it again`,
              fix: `see ${log}`,
            }
          : {
              name: "agent-last",
              status: "info",
              message: `${what}: in progress${last.pid ? ` (pid ${last.pid})` : ""}`,
            },
      );
    else
      checks.push({
        name: "agent-last",
        status: "warn",
        message: `${what}: ${last.outcome}${gen}${last.error ? `: ${last.error.split("\n")[0]}` : ""}`,
        fix: `see ${log}; a new commit is tried again`,
      });
  }
  const paused = await suspension(host, eng.state);
  checks.push(
    paused
      ? {
          name: "agent-suspended",
          status: "warn",
          message: `suspended since ${paused.since} (${paused.reason}): the agent applies nothing`,
          fix: "dotops resume",
        }
      : { name: "agent-suspended", status: "ok", message: "not suspended" },
  );
  return checks;
}

// ---------------------------------------------------------------- GitHub

/** Whether the agent can report to GitHub, and with what; no token or key is ever read into the report. */
async function githubCheck(host: Host, config: ConfigFacts): Promise<Check> {
  const name = "github";
  const gh = config.github;
  const envToken = Boolean(host.env.DOTOPS_GITHUB_TOKEN);
  const repo = gh?.repo ? ` for ${gh.repo}` : "";
  if (!gh)
    return {
      name,
      status: "info",
      message: `${config.read ? "agent.github is not configured: the agent reports nothing to GitHub" : "agent.github unknown: no host's config was read"}${envToken ? "; DOTOPS_GITHUB_TOKEN is set (not shown)" : ""}`,
    };
  if (envToken)
    return { name, status: "ok", message: `token from DOTOPS_GITHUB_TOKEN (set, not shown)${repo}` };
  if (gh.app) {
    const app = `GitHub App ${gh.app.appId}${repo}`;
    if (host.env.DOTOPS_GITHUB_APP_PRIVATE_KEY)
      return {
        name,
        status: "ok",
        message: `${app}, private key from DOTOPS_GITHUB_APP_PRIVATE_KEY (not shown)`,
      };
    if (gh.app.privateKeyFile) return secretFile(host, `${app}, private key`, gh.app.privateKeyFile);
    return {
      name,
      status: "warn",
      message: `${app} has no private key: the agent applies without reporting`,
      fix: "set DOTOPS_GITHUB_APP_PRIVATE_KEY or agent.github.app.privateKeyFile",
    };
  }
  if (gh.tokenFile) return secretFile(host, `token${repo}`, gh.tokenFile);
  return {
    name,
    status: "warn",
    message: `agent.github is set${repo} but there is no token: the agent applies without reporting`,
    fix: "export DOTOPS_GITHUB_TOKEN, or set agent.github.tokenFile (a file of mode 0600)",
  };
}

/** A token or key file: there, not empty, readable by the user alone. Its content is never returned. */
async function secretFile(host: Host, what: string, file: string): Promise<Check> {
  const path = file.replace(/^~(?=\/|$)/, host.home);
  const st = await host.lstat(path);
  let size = 0;
  try {
    size = (await host.readFile(path)).toString("utf8").trim().length;
  } catch {
    return {
      name: "github",
      status: "warn",
      message: `${what} in ${path}, which ${st ? "cannot be read" : "does not exist"}: the agent applies without reporting`,
      fix: `write it to ${path} (chmod 600), or set DOTOPS_GITHUB_TOKEN`,
    };
  }
  if (!size)
    return {
      name: "github",
      status: "warn",
      message: `${what} in ${path}, which is empty`,
      fix: `write it to ${path}`,
    };
  if (st && st.type !== "symlink" && st.mode & 0o077)
    return {
      name: "github",
      status: "warn",
      message: `${what} in ${path} (not shown), whose mode 0${st.mode.toString(8)} lets other users read it`,
      fix: `chmod 600 ${path}`,
    };
  return { name: "github", status: "ok", message: `${what} in ${path} (not shown)` };
}

// ---------------------------------------------------------------- helpers

/** Runs a read-only command: its trimmed stdout when it exits 0, else why not. Never throws. */
async function run(host: Host, cmd: string, args: string[]): Promise<{ out?: string; problem?: string }> {
  try {
    const r = await host.exec(cmd, args, { readOnly: true, timeoutMs: 15_000 });
    if (r.exitCode === 0 && !r.timedOut && r.stdout.trim()) return { out: r.stdout.trim() };
    return {
      problem: r.timedOut ? "timed out" : firstLine(r.stderr || r.stdout) || `exit ${r.exitCode}`,
    };
  } catch (err) {
    return { problem: (err as Error).message.split("\n")[0] };
  }
}

function firstLine(s: string): string {
  return s.trim().split("\n")[0]?.trim() ?? "";
}
