import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensureCommit } from "../action/src/repo.js";
import { githubToken } from "../src/cli/agent-pass.js";
import { Cli } from "../src/cli/context.js";
import { apply } from "../src/engine/apply.js";
import { git } from "../src/git/git.js";
import { ensureClone, fetchBranch } from "../src/git/remote.js";
import { SandboxHost } from "../src/host/sandbox-host.js";
import { FakeGitHub } from "./github-fake.js";
import { ConfigRepo, dotops, git as gitCli, minimalConfig, ROOT, sandbox, tempDir } from "./helpers.js";

/*
 * STYLE 11: Git runs behind one funnel, src/git/, in one environment: the
 * user's own, never prompting. Read from the source (nothing else may start
 * git or load simple-git) and proven on both of the funnel's runners (its own
 * spawn, simple-git).
 */

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mts|js|mjs)$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .sort();
}

/** Why `text` runs Git itself, or null: simple-git loaded, or a process started as `git`. */
function runsGit(text: string): string | null {
  const code = text.replace(/^\s*\/\*[\s\S]*?\*\//gm, "").replace(/^\s*\/\/.*$/gm, "");
  if (/from\s*["']simple-git["']|(?:import|require)\(\s*["']simple-git["']\s*\)/.test(code))
    return "imports simple-git";
  // spawn("git", …), execa("git", …), host.exec("git", …), execSync("git status")
  if (/\b(?:spawn|spawnSync|fork|exec|execSync|execFile|execFileSync|execa\w*)\s*\(\s*["'`]git\b/.test(code))
    return 'starts a process "git"';
  if (/\$(?:\([^)]*\))?\s*`git\b/.test(code)) return "runs git through execa's $";
  // The program's name on its own, as a constant handed to any of the above.
  if (/(["'`])git\1/.test(code)) return 'names the program "git"';
  return null;
}

/** Sets process.env for one test (the funnel reads it on every call); afterEach puts it back. */
const savedEnv = new Map<string, string | undefined>();
function setEnv(vars: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(vars)) {
    if (!savedEnv.has(k)) savedEnv.set(k, process.env[k]);
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}
afterEach(() => {
  for (const [k, v] of savedEnv) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  savedEnv.clear();
});

describe("one Git funnel", () => {
  it("the scan sees each way of starting git", () => {
    for (const bad of [
      'import { simpleGit } from "simple-git";',
      'const { simpleGit } = await import("simple-git");',
      'spawn("git", ["status"]);',
      'await execa("git", ["fetch"]);',
      "await execa('git', ['fetch']);",
      'await host.exec("git", ["rev-parse", "HEAD"]);',
      "execSync(`git rev-parse HEAD`);",
      "await $`git status`;",
      'const GIT = "git";',
    ])
      expect(runsGit(bad), bad).not.toBeNull();
    for (const fine of [
      'import { git, gitText } from "../git/git.js";',
      'await gitText(repo, ["rev-parse", "--absolute-git-dir"]);',
      'hint: "commit it (git add dotops.yaml && git commit)"',
      '// spawn("git") in a comment',
      'spawn(process.execPath, [MAIN, "agent"]);',
    ])
      expect(runsGit(fine), fine).toBeNull();
    // The funnel's own runners are seen: the scan is not blind.
    expect(runsGit(readFileSync(join(ROOT, "src/git/git.ts"), "utf8"))).not.toBeNull();
    expect(runsGit(readFileSync(join(ROOT, "src/git/remote.ts"), "utf8"))).not.toBeNull();
  });

  it("nothing outside src/git starts git or imports simple-git (src/ and action/src)", () => {
    const files = [...sourceFiles("src"), ...sourceFiles("action/src")].filter(
      (f) => !f.startsWith("src/git/"),
    );
    expect(files.length).toBeGreaterThan(50);
    const offenders = files.flatMap((f) => {
      const why = runsGit(readFileSync(join(ROOT, f), "utf8"));
      return why ? [`${f}: ${why}`] : [];
    });
    expect(offenders).toEqual([]);
  });

  it("both runners, spawned git and simple-git, get one environment: ssh in BatchMode, no prompt, C locale, no optional locks", async () => {
    // A fake ssh first on PATH records how git called it, then fails like an unreachable host.
    const bin = tempDir("dotops-fake-ssh-");
    const seen = join(bin, "seen");
    writeFileSync(
      join(bin, "ssh"),
      `#!/bin/sh\n{ echo "args: $*"; env | grep -E '^(GIT_TERMINAL_PROMPT|LC_ALL|GIT_OPTIONAL_LOCKS)='; } >> "${seen}"\nexit 255\n`,
    );
    chmodSync(join(bin, "ssh"), 0o755);
    setEnv({ PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`, GIT_SSH_COMMAND: undefined });

    const repo = await ConfigRepo.create(minimalConfig());
    // The spawn runner, given a network command on purpose to reach ssh.
    await git(repo.dir, ["ls-remote", "ssh://git@example.invalid/spawned.git"], { allowFail: true });
    const spawned = readFileSync(seen, "utf8");
    writeFileSync(seen, "");
    await expect(
      ensureClone(join(tempDir(), "clone"), "ssh://git@example.invalid/simple.git", 20_000),
    ).rejects.toThrow(/cannot clone/);
    const simple = readFileSync(seen, "utf8");

    for (const [runner, text] of [
      ["spawn", spawned],
      ["simple-git", simple],
    ]) {
      expect(text, runner).toMatch(/^args: .*-o BatchMode=yes/m);
      expect(text, runner).toContain("GIT_TERMINAL_PROMPT=0");
      expect(text, runner).toContain("LC_ALL=C");
      expect(text, runner).toContain("GIT_OPTIONAL_LOCKS=0");
    }
  });

  it("clones and fetches in a user's everyday environment (EDITOR, PAGER, askpass helpers set)", async () => {
    // simple-git refuses to run git when these name a program, unless told the environment is trusted.
    setEnv({
      EDITOR: "vim",
      GIT_EDITOR: "vim",
      PAGER: "less",
      GIT_PAGER: "less",
      GIT_ASKPASS: "/usr/share/code/askpass.sh",
      SSH_ASKPASS: "/usr/lib/ssh/ssh-askpass",
      GIT_SSH_COMMAND: "ssh -o BatchMode=yes",
    });
    const origin = await ConfigRepo.create(minimalConfig());
    const clone = `${tempDir()}/repo`;
    await ensureClone(clone, `file://${origin.dir}`, 20_000);
    const tip = await origin.commit({ "files/zshrc": "export EDITOR=vim\n" });
    await fetchBranch(clone, "main", true, 20_000);
    expect((await git(clone, ["rev-parse", "refs/heads/main"])).stdout.toString().trim()).toBe(tip);
  });

  it("the Action fetches a commit its shallow checkout lacks, through the funnel", async () => {
    const origin = await ConfigRepo.create(minimalConfig());
    const base = await origin.head();
    await origin.commit({ "files/zshrc": "export EDITOR=vim\n" });
    const checkout = join(tempDir(), "checkout");
    await gitCli(ROOT, "clone", "-q", "--depth=1", `file://${origin.dir}`, checkout);
    expect(await gitCli(checkout, "rev-list", "--count", "HEAD")).toBe("1");

    await ensureCommit(checkout, base);
    expect(await gitCli(checkout, "cat-file", "-t", base)).toBe("commit");
    await expect(ensureCommit(checkout, "0".repeat(40))).rejects.toThrow(
      /not in the checkout .* could not be fetched from origin/,
    );
  });
});

describe("secrets and token files read through the Host", () => {
  const TOKEN = "npm_s4ndb0x_T0KEN";
  const config = (vars: string) => ({
    "dotops.yaml": `version: 1\nimports: [home/*.yaml]\nhosts:\n  box: { platform: linux }\nvars:\n${vars}`,
    "home/files.yaml": "files:\n  - { target: ~/.npmrc, source: files/npmrc.tmpl, mode: template }\n",
    "files/npmrc.tmpl": "//{{ vars.registry }}/:_authToken={{ vars.npmToken }}\nemail={{ vars.email }}\n",
  });

  it("!secret file: and env: come from the engine's host: a SandboxHost's files (~ its home, / its root) and environment", async () => {
    const root = tempDir("dotops-sandbox-");
    const host = new SandboxHost(root, { env: { SANDBOX_EMAIL: "me@example.com" } });
    // /etc/dotops is outside HOME: secret files there need this machine's leave (a DOTOPS_ variable,
    // which a SandboxHost does not take from its caller, so it is given to the host itself).
    Object.assign(host.env, { DOTOPS_SECRET_DIRS: "/etc/dotops" });
    // Only inside the sandbox: the real machine has neither file, nor the variable.
    mkdirSync(join(host.home, ".config/dotops"), { recursive: true });
    writeFileSync(join(host.home, ".config/dotops/npm-token"), `${TOKEN}\n`);
    mkdirSync(join(root, "etc/dotops"), { recursive: true });
    writeFileSync(join(root, "etc/dotops/registry"), "registry.example.com\n");
    expect(process.env.SANDBOX_EMAIL).toBeUndefined();
    const repo = await ConfigRepo.create(
      config(
        "  npmToken: !secret file:~/.config/dotops/npm-token\n  registry: !secret file:/etc/dotops/registry\n  email: !secret env:SANDBOX_EMAIL\n",
      ),
    );

    const cli = new Cli({ repo: repo.dir, state: join(host.home, ".local/state/dotops"), quiet: true });
    const eng = cli.engine(host);
    const loadOptions = cli.loadOptions();
    // Load options go into the agent's policy memo key: a store of secrets adds nothing to it.
    expect(JSON.stringify(loadOptions)).toBe(JSON.stringify({ hostname: loadOptions.hostname }));
    const result = await apply(eng, { load: cli.sourceLoader({}), repoDir: repo.dir, loadOptions });
    expect(result.created).toBe(true);
    expect(readFileSync(join(host.home, ".npmrc"), "utf8")).toBe(
      `//registry.example.com/:_authToken=${TOKEN}\nemail=me@example.com\n`,
    );
    expect(JSON.stringify(result.plan)).not.toContain(TOKEN);
  });

  it("a secret file missing on the host is the same error as before, naming the placeholder", async () => {
    const host = new SandboxHost(tempDir("dotops-sandbox-"));
    const repo = await ConfigRepo.create(
      config("  npmToken: !secret file:~/.config/dotops/npm-token\n  registry: r.example.com\n  email: e\n"),
    );
    const cli = new Cli({ repo: repo.dir, state: join(host.home, ".local/state/dotops"), quiet: true });
    const eng = cli.engine(host);
    await expect(
      apply(eng, { load: cli.sourceLoader({}), repoDir: repo.dir, loadOptions: cli.loadOptions() }),
    ).rejects.toThrow(
      "files/npmrc.tmpl:1:35: secret file:~/.config/dotops/npm-token (for {{ vars.npmToken }}) is not available on this machine: create the file",
    );
  });

  it("agent.github.tokenFile is read through the host: ~ is its home, / its root; DOTOPS_GITHUB_TOKEN first", async () => {
    const root = tempDir("dotops-sandbox-");
    const host = new SandboxHost(root);
    mkdirSync(join(host.home, ".config/dotops"), { recursive: true });
    writeFileSync(join(host.home, ".config/dotops/gh-token"), "ghp_from_home\n");
    mkdirSync(join(root, "run/secrets"), { recursive: true });
    writeFileSync(join(root, "run/secrets/gh"), "ghp_from_root\n");
    const warnings: string[] = [];
    const log = { warn: (m: string) => warnings.push(m) };

    expect(await githubToken(host, undefined, { tokenFile: "~/.config/dotops/gh-token" }, log)).toBe(
      "ghp_from_home",
    );
    expect(await githubToken(host, undefined, { tokenFile: "/run/secrets/gh" }, log)).toBe("ghp_from_root");
    expect(await githubToken(host, "ghp_env", { tokenFile: "/run/secrets/gh" }, log)).toBe("ghp_env");
    expect(warnings).toEqual([]);
    expect(await githubToken(host, undefined, { tokenFile: "~/missing" }, log)).toBeNull();
    expect(warnings).toEqual([
      `agent.github: cannot read the token file ${host.home}/missing; not reporting to GitHub`,
    ]);
  });

  it("the agent reports with the token from agent.github.tokenFile", async () => {
    const gh = await new FakeGitHub().start();
    try {
      const files = minimalConfig();
      const work = await ConfigRepo.create({
        ...files,
        "dotops.yaml": `${files["dotops.yaml"]}agent:\n  github: { repo: alice/dotfiles, apiUrl: "${gh.url}", tokenFile: ~/.config/dotops/gh-token }\n`,
      });
      const { home } = sandbox();
      mkdirSync(join(home, ".config/dotops"), { recursive: true });
      writeFileSync(join(home, ".config/dotops/gh-token"), "ghp_t0ken_file\n");
      const r = await dotops(["--repo", work.dir, "agent", "--once"], { home });
      expect(r.exitCode, r.stderr).toBe(0);
      const sha = await work.head();
      const statuses = gh.calls.filter((c) => c.path === `/repos/alice/dotfiles/statuses/${sha}`);
      expect(statuses.map((c) => [c.body.state, c.auth])).toEqual([["success", "token ghp_t0ken_file"]]);
    } finally {
      await gh.stop();
    }
  });
});
