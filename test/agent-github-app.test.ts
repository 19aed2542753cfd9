import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AppInstallationAuth, type InstallationToken, readPrivateKey } from "../src/report/github-auth.js";
import { FakeGitHub } from "./github-fake.js";
import { ConfigRepo, dotops, git, minimalConfig, sandbox, tempDir } from "./helpers.js";

const pair = () =>
  generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });

/** A config repo reporting as GitHub App 42 to the fake, its key in HOME; the agent clones it from `remote`. */
async function setup(gh: FakeGitHub, privateKey: string, extra = "") {
  const files = minimalConfig();
  const work = await ConfigRepo.create({
    ...files,
    "dotops.yaml": `${files["dotops.yaml"]}agent:\n  github:\n    repo: alice/dotfiles\n    apiUrl: "${gh.url}"\n    app: { appId: 42, privateKeyFile: ~/.config/dotops/app.pem${extra} }\n`,
  });
  const remote = join(tempDir("dotops-remote-"), "r.git");
  await git(work.dir, "clone", "-q", "--bare", work.dir, remote);
  const { home } = sandbox();
  mkdirSync(join(home, ".config/dotops"), { recursive: true });
  writeFileSync(join(home, ".config/dotops/app.pem"), privateKey, { mode: 0o600 });
  return { work, remote, home };
}

describe("agent reports as a GitHub App installation", () => {
  let gh: FakeGitHub;
  afterEach(async () => gh?.stop());
  const app = pair();

  it("signs a JWT, finds the installation, reports with the installation token and reuses it while it is fresh", async () => {
    gh = await new FakeGitHub().start();
    gh.app = { appId: 42, publicKey: app.publicKey, installationId: 99 };
    const { work, remote, home } = await setup(gh, app.privateKey);
    const r = await dotops(["agent", "--once", "--remote", remote], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(gh.problems).toEqual([]);
    const sha = await work.head();
    expect(gh.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "GET /repos/alice/dotfiles/installation",
      "POST /app/installations/99/access_tokens",
      `POST /repos/alice/dotfiles/statuses/${sha}`,
    ]);
    expect(gh.calls[2]?.auth).toBe(`token ${gh.issued[0]}`);
    const cache = join(home, ".local/state/dotops/github-app-token.json");
    expect(statSync(cache).mode & 0o777).toBe(0o600);

    // The next pass (a process of its own) takes the cached token: no new one, no JWT.
    await work.commit({ "files/zshrc": "export X=1\n" }, "next");
    await git(work.dir, "push", "-q", remote, "main");
    const r2 = await dotops(["agent", "--once"], { home });
    expect(r2.exitCode, r2.stderr).toBe(0);
    expect(gh.calls.slice(3).map((c) => [c.path, c.auth])).toEqual([
      [`/repos/alice/dotfiles/statuses/${await work.head()}`, `token ${gh.issued[0]}`],
    ]);
    const log = readFileSync(join(home, ".local/state/dotops/agent.log"), "utf8");
    expect(log + r.stderr + r2.stderr).not.toContain(gh.issued[0]);
  });

  it("a malformed private key is named as such; the agent applies, unreported, and asks GitHub nothing", async () => {
    gh = await new FakeGitHub().start();
    gh.app = { appId: 42, publicKey: app.publicKey, installationId: 99 };
    const lines = app.privateKey.trim().split("\n");
    const truncated = [...lines.slice(0, 4), lines.at(-1)].join("\n"); // a copy-paste that lost most of the key
    const { remote, home } = await setup(gh, truncated);
    const r = await dotops(["agent", "--once", "--remote", remote], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
    expect(r.stderr).toMatch(
      /the GitHub App private key in \S+app\.pem is malformed: its PEM block does not decode to a key .*not reporting to GitHub/,
    );
    expect(gh.calls).toEqual([]);
    expect(() => readPrivateKey("ghp_not_a_key", "in X")).toThrow(/in X is not a PEM private key/);
  });

  it("a key GitHub rejects (401) is said clearly, once; the agent applies all the same", async () => {
    gh = await new FakeGitHub().start();
    gh.app = { appId: 42, publicKey: app.publicKey, installationId: 99 };
    const { remote, home } = await setup(gh, pair().privateKey, ", installationId: 99"); // not the App's key
    const r = await dotops(["agent", "--once", "--remote", remote], {
      home,
      env: { DOTOPS_GITHUB_RETRY_MS: "10" },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
    expect(gh.problems).toEqual(["JWT refused: bad signature"]);
    expect(gh.calls.map((c) => c.path)).toEqual(["/app/installations/99/access_tokens"]);
    expect(r.stderr).toMatch(
      /GitHub: not reporting: GitHub rejected the JWT of GitHub App 42 \(HTTP 401 Unauthorized: A JSON web token could not be decoded \(bad signature\)\)/,
    );
  });

  it("renews the installation token 5 minutes before it expires", async () => {
    gh = await new FakeGitHub().start();
    gh.app = { appId: 42, publicKey: app.publicKey, installationId: 99 };
    const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
    let cached: InstallationToken = {
      token: "ghs_cached",
      expiresAt: inMinutes(6),
      appId: "42",
      installationId: 99,
    };
    const auth = () =>
      new AppInstallationAuth({
        appId: 42,
        key: readPrivateKey(app.privateKey, "in test"),
        installationId: 99,
        repo: "alice/dotfiles",
        apiUrl: gh.url,
        cache: {
          load: async () => cached,
          save: async (t) => {
            cached = t;
          },
        },
      });
    expect(await auth().token()).toBe("ghs_cached"); // 6 minutes left: still good
    expect(gh.calls).toEqual([]);
    cached = { ...cached, expiresAt: inMinutes(4) };
    const renewed = await auth().token();
    expect(renewed).toBe(gh.issued[0]);
    expect(cached.token).toBe(renewed);
    expect(gh.calls.map((c) => c.path)).toEqual(["/app/installations/99/access_tokens"]);
  });
});
