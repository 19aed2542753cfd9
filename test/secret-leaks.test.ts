import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGitHub } from "./github-fake.js";
import { type CliResult, ConfigRepo, dotops, git, sandbox, tempDir } from "./helpers.js";

/**
 * Planted values that must never leave the files they are rendered into: a
 * `!secret env:` value, the bytes of an SSH private key read by `!secret
 * file:`, the agent's GitHub token, and a token inside a remote URL. Every
 * command a user or the agent runs is run, then all of its output, its logs
 * and every text file of the state dir are searched for each of them.
 */
const PLANTED = {
  env: "npm_PLANTED_env_4f1c9a",
  sshKey: "PLANTEDsshKEYb3BlbnNzaC1rZXktdjEAAAAABG5vbmU",
  githubToken: "ghp_PLANTED_agent_token_77d2",
  urlToken: "ghp_PLANTED_url_token_3e8b",
};

const KEY_FILE = `-----BEGIN OPENSSH PRIVATE KEY-----\n${PLANTED.sshKey}\n-----END OPENSSH PRIVATE KEY-----\n`;

function config(apiUrl: string, extra = "") {
  return {
    "dotops.yaml": [
      "version: 1",
      "hosts:",
      "  box: { platform: linux }",
      "vars:",
      "  npmToken: !secret env:NPM_TOKEN",
      "  deployKey: !secret file:~/.ssh/id_planted",
      "agent:",
      `  github: { repo: alice/dotfiles, apiUrl: "${apiUrl}" }`,
      "files:",
      "  - { target: ~/.npmrc, source: files/npmrc, mode: template }",
      "  - { target: ~/.config/deploy/key, source: files/key, mode: template }",
      "  - { target: ~/.zshrc, source: files/zshrc }",
      "",
    ].join("\n"),
    "files/npmrc": `//registry.example.com/:_authToken={{ vars.npmToken }}\n${extra}`,
    "files/key": "{{ vars.deployKey }}\n",
    "files/zshrc": "export EDITOR=nvim\n",
  };
}

/** Every regular file under `dir` (binary ones too: a value must not hide in them either). */
function everyFile(dir: string): Array<{ path: string; text: string }> {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => ({
      path: join(e.parentPath, e.name),
      text: readFileSync(join(e.parentPath, e.name), "latin1"),
    }));
}

describe("planted secrets", () => {
  const gh = new FakeGitHub();
  beforeAll(async () => {
    await gh.start();
  });
  afterAll(() => gh.stop());

  it("appear in no output, log, plan, record, journal or GitHub call; files holding them are the owner's alone", async () => {
    const repo = await ConfigRepo.create(config(gh.url));
    const { home } = sandbox();
    mkdirSync(join(home, ".ssh"), { recursive: true, mode: 0o700 });
    writeFileSync(join(home, ".ssh/id_planted"), KEY_FILE, { mode: 0o600 });
    const env = { NPM_TOKEN: PLANTED.env, DOTOPS_GITHUB_TOKEN: PLANTED.githubToken };
    const outputs: Array<{ what: string; r: CliResult }> = [];
    const run = async (args: string[], o: { repo?: boolean; expect?: number } = {}) => {
      const r = await dotops([...(o.repo === false ? [] : ["--repo", repo.dir]), ...args], { home, env });
      outputs.push({ what: args.join(" "), r });
      expect(r.exitCode, `${args.join(" ")}\n${r.stderr}`).toBe(o.expect ?? 0);
      return r;
    };

    await run(["check"]);
    await run(["plan", "--diff"]);
    await run(["--json", "plan"]);
    await run(["plan", "--markdown"]);
    await run(["-vv", "--log-format", "json", "apply"]);
    expect(readFileSync(join(home, ".npmrc"), "utf8")).toContain(PLANTED.env);
    expect(readFileSync(join(home, ".config/deploy/key"), "utf8")).toContain(PLANTED.sshKey);

    // A second commit changes a secret file: an update's plan, diff and records.
    const first = await repo.head();
    await repo.commit(config(gh.url, "always-auth=true\n"));
    await run(["plan", "--diff"]);
    await run(["-vv", "apply", "--diff"]);
    await run(["--json", "diff", "1", "2"]);
    await run(["diff", "1", "2"]);
    await run(["--json", "plan", "--from", first, "--to", "HEAD"]);
    for (const cmd of [
      ["status"],
      ["--json", "status"],
      ["generations"],
      ["--json", "generations"],
      ["health"],
    ])
      await run(cmd);
    await run(["rollback"]);
    await run(["gc", "--keep", "1"]);

    // A template error next to a secret names the place, not the value.
    const second = await repo.head();
    await repo.commit({ "files/npmrc": "_authToken={{ vars.npmToken | nosuchfilter }}\n" });
    await run(["apply"], { expect: 2 });

    // The agent: reports to GitHub with its token, and fails to fetch a remote whose URL holds one.
    const remote = join(tempDir("dotops-remote-"), "r.git");
    await git(repo.dir, "clone", "-q", "--bare", repo.dir, remote);
    await git(remote, "update-ref", "refs/heads/main", second);
    await run(["resume"], { repo: false }); // a rollback by hand suspends the agent
    await run(["agent", "--once", "--remote", remote], { repo: false });
    const withCredentials = `http://x-access-token:${PLANTED.urlToken}@127.0.0.1:9/alice/dotfiles.git`;
    const unreachable = await dotops(["agent", "--once", "--remote", withCredentials], {
      home: sandbox().home,
      env,
    });
    outputs.push({ what: "agent with a credential URL", r: unreachable });
    expect(unreachable.exitCode, unreachable.stderr).toBe(1);
    expect(unreachable.stderr).toContain("cannot clone http://***@127.0.0.1:9/alice/dotfiles.git");

    expect(gh.calls.length, outputs.at(-2)?.r.stderr).toBeGreaterThan(0);
    expect(gh.calls.every((c) => c.auth === `token ${PLANTED.githubToken}`)).toBe(true);
    const state = join(home, ".local/state/dotops");
    const searched = [
      ...outputs.map(({ what, r }) => ({ path: `output of ${what}`, text: r.stdout + r.stderr })),
      ...everyFile(state).filter((f) => !f.path.includes("/store/") && !f.path.includes("/repo/")),
      { path: "GitHub calls", text: JSON.stringify(gh.calls.map(({ auth: _, ...c }) => c)) },
    ];
    const leaks = searched.flatMap(({ path, text }) =>
      Object.entries(PLANTED)
        .filter(([, value]) => text.includes(value))
        .map(([name]) => `${name} in ${path}`),
    );
    expect(leaks).toEqual([]);
    // The sentinel works: the value is where it belongs.
    expect(everyFile(join(state, "store")).some((f) => f.text.includes(PLANTED.env))).toBe(true);

    // Who can read what: the state dir is the owner's, a rendered secret too (read through its link).
    expect(statSync(state).mode & 0o777).toBe(0o700);
    for (const target of [".npmrc", ".config/deploy/key"])
      expect(statSync(join(home, target)).mode & 0o077, target).toBe(0);
  }, 180_000);

  it("a state dir left readable by others is closed on the next apply", async () => {
    const repo = await ConfigRepo.create(config(gh.url));
    const { home } = sandbox();
    mkdirSync(join(home, ".ssh"));
    writeFileSync(join(home, ".ssh/id_planted"), KEY_FILE);
    const state = join(home, ".local/state/dotops");
    mkdirSync(state, { recursive: true });
    chmodSync(state, 0o755);
    const r = await dotops(["--repo", repo.dir, "apply"], { home, env: { NPM_TOKEN: PLANTED.env } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(statSync(state).mode & 0o777).toBe(0o700);
    expect(r.stderr).toContain(`${state} was readable by others (mode 755): set to 700`);
  });

  it("a config repo every user can write to is applied with a warning naming it", async () => {
    const repo = await ConfigRepo.create(config(gh.url));
    const { home } = sandbox();
    chmodSync(join(repo.dir, "dotops.yaml"), 0o666);
    chmodSync(join(repo.dir, ".git/objects"), 0o777);
    const r = await dotops(["--repo", repo.dir, "check"], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `${repo.dir}/.git/objects, ${repo.dir}/dotops.yaml are writable by every user of this machine`,
    );
    chmodSync(join(repo.dir, "dotops.yaml"), 0o644);
    chmodSync(join(repo.dir, ".git/objects"), 0o755);
    const quiet = await dotops(["--repo", repo.dir, "check"], { home });
    expect(quiet.stderr).not.toContain("writable by every user");
  });
});
