import { createPrivateKey, type KeyObject, sign } from "node:crypto";
import { DotopsError } from "../errors.js";
import { callWithRetry, fetchWithTimeout, GitHubCallError } from "./github-retry.js";

/** Authentication itself failed (a bad key, a rejected JWT, no installation): reporting waits for a fix. */
export class GitHubAuthError extends DotopsError {
  constructor(message: string, hint?: string) {
    super(message, 1, hint);
    this.name = "GitHubAuthError";
  }
}

/**
 * The App's private key, as GitHub hands it out (a PEM file). Checked when
 * read, so that a truncated or wrong file is named as such rather than
 * surfacing as GitHub's 401.
 */
export function readPrivateKey(pem: string, where: string): KeyObject {
  const fix = "download a new private key (.pem) from the GitHub App's settings";
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem))
    throw new GitHubAuthError(
      `the GitHub App private key ${where} is not a PEM private key: it has no "-----BEGIN … PRIVATE KEY-----" line`,
      fix,
    );
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch (err) {
    const why = (err as { code?: string }).code ?? (err as Error).message;
    throw new GitHubAuthError(
      `the GitHub App private key ${where} is malformed: its PEM block does not decode to a key (${why})`,
      fix,
    );
  }
  if (key.asymmetricKeyType !== "rsa")
    throw new GitHubAuthError(
      `the GitHub App private key ${where} is an ${key.asymmetricKeyType} key; GitHub Apps sign with RSA (RS256)`,
      fix,
    );
  return key;
}

/**
 * The JWT a GitHub App authenticates as itself with: RS256, issued a minute
 * in the past (GitHub's advice against clock drift), valid for 9 minutes
 * (GitHub allows at most 10).
 */
export function appJwt(appId: number | string, key: KeyObject, now = Date.now()): string {
  const part = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const iat = Math.floor(now / 1000) - 60;
  const signed = `${part({ alg: "RS256", typ: "JWT" })}.${part({ iat, exp: iat + 600, iss: appId })}`;
  return `${signed}.${sign("sha256", Buffer.from(signed), key).toString("base64url")}`;
}

/** An installation access token, as cached between the agent's passes. */
export interface InstallationToken {
  token: string;
  expiresAt: string;
  appId: string;
  installationId: number;
}

export interface AppAuthOptions {
  appId: number | string;
  key: KeyObject;
  /** Else asked of GitHub: GET /repos/{owner}/{repo}/installation. */
  installationId?: number;
  /** owner/name */
  repo: string;
  apiUrl?: string;
  timeoutMs?: number;
  /** Where the token lives between processes (each agent pass is one), so that a pass does not make a new one. */
  cache?: { load(): Promise<InstallationToken | null>; save(t: InstallationToken): Promise<void> };
  /** Told each new token (to redact it from logs). */
  onToken?: (token: string) => void;
  baseDelayMs?: number;
}

/** A token is renewed this long before it expires, so that no request goes out with one about to lapse. */
export const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * Authenticates as a GitHub App installation: a JWT signed with the App's
 * key buys an installation token (valid an hour), which is cached and
 * renewed 5 minutes before it expires. The calls made with the JWT count
 * against the App's own rate limit, not the installation's.
 */
export class AppInstallationAuth {
  private current: InstallationToken | null | undefined;
  private renewing: Promise<string> | undefined;

  constructor(private readonly o: AppAuthOptions) {}

  /** A token valid for at least 5 more minutes. */
  async token(): Promise<string> {
    if (this.current === undefined) this.current = this.usable(await this.o.cache?.load().catch(() => null));
    if (this.current && fresh(this.current)) return this.current.token;
    this.renewing ??= this.renew().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  private usable(t: InstallationToken | null | undefined): InstallationToken | null {
    if (!t || t.appId !== String(this.o.appId) || !fresh(t)) return null;
    if (this.o.installationId !== undefined && t.installationId !== this.o.installationId) return null;
    return t;
  }

  private async renew(): Promise<string> {
    const jwt = appJwt(this.o.appId, this.o.key);
    const id = this.o.installationId ?? (await this.installation(jwt));
    const r = await this.request<{ token?: string; expires_at?: string }>(
      "POST",
      `/app/installations/${id}/access_tokens`,
      jwt,
      `get an installation token (installation ${id})`,
    );
    if (typeof r.token !== "string" || typeof r.expires_at !== "string")
      throw new GitHubAuthError(
        `GitHub answered the installation token request of App ${this.o.appId} without a token`,
      );
    this.o.onToken?.(r.token);
    this.current = {
      token: r.token,
      expiresAt: r.expires_at,
      appId: String(this.o.appId),
      installationId: id,
    };
    await this.o.cache?.save(this.current).catch(() => {}); // a cache that cannot be written costs a call per pass
    return r.token;
  }

  private async installation(jwt: string): Promise<number> {
    const r = await this.request<{ id?: number }>(
      "GET",
      `/repos/${this.o.repo}/installation`,
      jwt,
      `find its installation on ${this.o.repo}`,
    );
    if (typeof r.id !== "number")
      throw new GitHubAuthError(`GitHub answered without an installation id for ${this.o.repo}`);
    return r.id;
  }

  private async request<T>(method: string, path: string, jwt: string, what: string): Promise<T> {
    const url = `${(this.o.apiUrl ?? "https://api.github.com").replace(/\/$/, "")}${path}`;
    const fetch = fetchWithTimeout(this.o.timeoutMs ?? 10_000);
    try {
      return await callWithRetry(
        async () => {
          const res = await fetch(url, {
            method,
            headers: {
              accept: "application/vnd.github+json",
              authorization: `Bearer ${jwt}`,
              "user-agent": "dotops-agent",
              "x-github-api-version": "2022-11-28",
            },
          });
          const body = (await res.json().catch(() => ({}))) as T & { message?: string };
          if (!res.ok)
            throw Object.assign(new Error(body.message ?? res.statusText), {
              status: res.status,
              response: { headers: Object.fromEntries(res.headers) },
            });
          return body;
        },
        { attempts: 3, baseDelayMs: this.o.baseDelayMs, maxDelayMs: 10_000 },
      );
    } catch (err) {
      if (!(err instanceof GitHubCallError)) throw err;
      throw this.explain(err, what);
    }
  }

  private explain(err: GitHubCallError, what: string): GitHubAuthError {
    const app = `GitHub App ${this.o.appId}`;
    const said = `${err.answer}: ${err.detail}`;
    if (err.status === 401)
      return new GitHubAuthError(
        `GitHub rejected the JWT of ${app} (${said}) when trying to ${what}`,
        "check agent.github.app.appId, that the private key is the App's current one (not revoked or deleted), and that this machine's clock is right",
      );
    if (err.status === 404 && what.startsWith("find"))
      return new GitHubAuthError(
        `${app} is not installed on ${this.o.repo} (${said})`,
        "install the App on the repository, or set agent.github.app.installationId",
      );
    return new GitHubAuthError(`${app} could not ${what} (${said})`);
  }
}

function fresh(t: InstallationToken): boolean {
  return Date.parse(t.expiresAt) - RENEW_BEFORE_MS > Date.now();
}
