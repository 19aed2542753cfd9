import { join } from "node:path";
import { parseDuration } from "../config/duration.js";
import type { AgentConfig } from "../config/schema.js";
import type { Log } from "../engine/engine.js";
import type { Host } from "../host/host.js";
import { GitHubReporter } from "../report/github.js";
import {
  AppInstallationAuth,
  GitHubAuthError,
  type InstallationToken,
  readPrivateKey,
} from "../report/github-auth.js";
import type { ReportOutbox } from "../report/github-outbox.js";
import { registerSecret } from "../report/redact.js";

/*
 * How dotops authenticates to GitHub, the agent and `dotops fleet` alike:
 * $DOTOPS_GITHUB_TOKEN (a per-process choice wins over the config), else
 * agent.github.app (a GitHub App installation), else agent.github.tokenFile.
 */

export type GitHubConfig = NonNullable<AgentConfig["github"]>;
/** A token, or what gives one on demand (an App's installation token, renewed before it expires). */
export type Credentials = string | (() => Promise<string>);

/**
 * The credentials for `gh`, or null, with a warning saying why, when there
 * are none or they cannot work (the agent then applies, unreported). `strict`
 * (dotops fleet, which can do nothing without them) throws instead.
 */
export async function githubCredentials(
  machine: Host,
  env: NodeJS.ProcessEnv,
  gh: GitHubConfig,
  stateDir: string,
  log: { warn(msg: string): void },
  o: { strict?: boolean; timeoutMs?: number; baseDelayMs?: number } = {},
): Promise<Credentials | null> {
  const fail = (message: string, hint?: string) => {
    if (o.strict) throw new GitHubAuthError(message, hint);
    log.warn(`${message}; not reporting to GitHub`);
    return null;
  };
  if (!env.DOTOPS_GITHUB_TOKEN && gh.app) {
    const app = gh.app;
    let pem = env.DOTOPS_GITHUB_APP_PRIVATE_KEY;
    let where = "in DOTOPS_GITHUB_APP_PRIVATE_KEY";
    if (!pem && app.privateKeyFile) {
      const path = home(machine, app.privateKeyFile);
      where = `in ${path}`;
      try {
        pem = (await machine.readFile(path)).toString("utf8");
      } catch {
        return fail(`agent.github.app: cannot read the private key file ${path}`);
      }
    }
    if (!pem)
      return fail(
        "agent.github.app is set but there is no private key (DOTOPS_GITHUB_APP_PRIVATE_KEY or agent.github.app.privateKeyFile)",
      );
    let key: ReturnType<typeof readPrivateKey>;
    try {
      key = readPrivateKey(pem, where);
    } catch (err) {
      if (!(err instanceof GitHubAuthError)) throw err;
      return fail(err.message, err.hint);
    }
    const auth = new AppInstallationAuth({
      appId: app.appId,
      key,
      installationId: app.installationId,
      repo: gh.repo,
      apiUrl: gh.apiUrl,
      timeoutMs: o.timeoutMs,
      baseDelayMs: o.baseDelayMs,
      cache: tokenCache(machine, join(stateDir, "github-app-token.json")),
      onToken: registerSecret,
    });
    return () => auth.token();
  }
  const said: string[] = [];
  const token = await githubToken(
    machine,
    env.DOTOPS_GITHUB_TOKEN,
    gh,
    o.strict ? { warn: (m) => said.push(m) } : log,
  );
  if (!token && o.strict)
    throw new GitHubAuthError(
      (said[0] ?? "no GitHub token").replace(/; not reporting.*$/, ""),
      "set DOTOPS_GITHUB_TOKEN (a token that can read the repo's commit statuses), agent.github.tokenFile or agent.github.app",
    );
  return token;
}

/**
 * A reporter for `gh` as host `host` (the agent's, and `dotops apply`'s to
 * read a staged rollout's statuses), or null when there is no agent.github or
 * no credentials (warned).
 */
export async function githubReporter(
  c: { env: NodeJS.ProcessEnv; stateDir: string },
  machine: Host,
  gh: GitHubConfig | undefined,
  host: string,
  log: Log,
  outbox?: ReportOutbox,
): Promise<GitHubReporter | null> {
  if (!gh) return null;
  const timeoutMs = gh.timeout ? parseDuration(gh.timeout) : undefined;
  const baseDelayMs = c.env.DOTOPS_GITHUB_RETRY_MS ? Number(c.env.DOTOPS_GITHUB_RETRY_MS) : undefined;
  const token = await githubCredentials(machine, c.env, gh, c.stateDir, log, { timeoutMs, baseDelayMs });
  if (!token) return null;
  return new GitHubReporter({ ...gh, token, host, log, timeoutMs, baseDelayMs, outbox });
}

/**
 * The token the agent reports with: $DOTOPS_GITHUB_TOKEN, else
 * agent.github.tokenFile read through the host (`~` is its home). Null, with
 * a warning saying why, when there is none: the pass applies, unreported.
 */
export async function githubToken(
  machine: Host,
  fromEnv: string | undefined,
  gh: { tokenFile?: string },
  log: { warn(msg: string): void },
): Promise<string | null> {
  let token = fromEnv;
  if (!token && gh.tokenFile) {
    const path = home(machine, gh.tokenFile);
    try {
      token = (await machine.readFile(path)).toString("utf8").trim();
    } catch {
      log.warn(`agent.github: cannot read the token file ${path}; not reporting to GitHub`);
      return null;
    }
  }
  if (!token) {
    log.warn(
      "agent.github is set but there is no token (DOTOPS_GITHUB_TOKEN or agent.github.tokenFile); not reporting",
    );
    return null;
  }
  registerSecret(token);
  return token;
}

function home(machine: Host, path: string): string {
  return path.replace(/^~(?=\/)/, machine.home);
}

/**
 * The installation token between processes (each agent pass is one): a file
 * in the state dir (0700), readable by the user alone, expiring within the
 * hour, beside the App's key that can make a new one at any time.
 */
function tokenCache(machine: Host, path: string) {
  return {
    async load(): Promise<InstallationToken | null> {
      try {
        const t = JSON.parse((await machine.readFile(path)).toString("utf8")) as InstallationToken;
        if (typeof t.token !== "string" || typeof t.expiresAt !== "string") return null;
        registerSecret(t.token);
        return t;
      } catch {
        return null;
      }
    },
    async save(t: InstallationToken): Promise<void> {
      await machine.writeFile(path, `${JSON.stringify(t)}\n`, 0o600);
    },
  };
}
