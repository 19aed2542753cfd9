import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { gens, logMessages, startAgent, waitFor } from "./agent-helpers.js";
import { FakeGitHub } from "./github-fake.js";
import { ConfigRepo, dotops, git, minimalConfig, sandbox, tempDir } from "./helpers.js";

const TOKEN = "ghp_secretsecretsecret";

async function setup(github: string) {
  const files = minimalConfig();
  const work = await ConfigRepo.create({
    ...files,
    "dotops.yaml": `${files["dotops.yaml"]}agent:\n  github: { ${github} }\n`,
  });
  const remote = join(tempDir("dotops-remote-"), "r.git");
  await git(work.dir, "clone", "-q", "--bare", work.dir, remote);
  return { work, remote, home: sandbox().home };
}

describe("agent reports to GitHub", () => {
  let gh: FakeGitHub;
  afterEach(async () => gh?.stop());

  it("with pending: true, sets a pending then success commit status and a deployment per host, never logging the token", async () => {
    gh = await new FakeGitHub().start();
    const { work, remote, home } = await setup(
      `repo: alice/dotfiles, apiUrl: "http://placeholder", deployments: true, pending: true`,
    );
    // apiUrl must point at the fake: rewrite the committed config with the real port.
    await work.commit(
      { "dotops.yaml": work.read("dotops.yaml").replace("http://placeholder", gh.url) },
      "point at fake",
    );
    await git(work.dir, "push", "-q", remote, "main");
    const sha = await work.head();
    const r = await dotops(["agent", "--once", "--remote", remote], {
      home,
      env: { DOTOPS_GITHUB_TOKEN: TOKEN },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(gh.problems).toEqual([]);
    const statuses = gh.calls.filter((c) => c.path === `/repos/alice/dotfiles/statuses/${sha}`);
    expect(statuses.map((c) => c.body.state)).toEqual(["pending", "success"]);
    expect(statuses[1]?.body).toMatchObject({
      context: "dotops/box",
      description: expect.stringMatching(/^generation 1: \+/),
    });
    expect(statuses.every((c) => c.auth === `token ${TOKEN}`)).toBe(true);
    const deployment = gh.calls.find((c) => c.path === "/repos/alice/dotfiles/deployments");
    expect(deployment?.body).toMatchObject({
      ref: sha,
      environment: "box",
      auto_merge: false,
      required_contexts: [],
    });
    const depStatuses = gh.calls
      .filter((c) => /\/deployments\/\d+\/statuses$/.test(c.path))
      .map((c) => c.body.state);
    expect(depStatuses).toEqual(["in_progress", "success"]);
    const log = readFileSync(join(home, ".local/state/dotops/agent.log"), "utf8");
    expect(log + r.stderr + r.stdout).not.toContain(TOKEN);
  });

  it("by default makes one call per applied commit: its final status, with the generation; deployments add two", async () => {
    gh = await new FakeGitHub().start();
    const { work, remote, home } = await setup(`repo: alice/dotfiles, apiUrl: "${gh.url}"`);
    const env = { DOTOPS_GITHUB_TOKEN: TOKEN };
    const r = await dotops(["agent", "--once", "--remote", remote], { home, env });
    expect(r.exitCode, r.stderr).toBe(0);
    const sha = await work.head();
    expect(gh.calls.map((c) => [c.method, c.path])).toEqual([
      ["POST", `/repos/alice/dotfiles/statuses/${sha}`],
    ]);
    expect(gh.calls[0]?.body).toMatchObject({
      state: "success",
      description: expect.stringMatching(/^generation 1: \+/),
    });

    // Deployments: the first report of a commit creates its deployment, with the generation in the payload.
    await work.commit(
      {
        "dotops.yaml": work
          .read("dotops.yaml")
          .replace("repo: alice/dotfiles", "repo: alice/dotfiles, deployments: true"),
        "files/app.conf": "color = false\n",
      },
      "deployments",
    );
    await git(work.dir, "push", "-q", remote, "main");
    expect((await dotops(["agent", "--once"], { home, env })).exitCode).toBe(0);
    // The agent's policy is the applied config's: the next commit is the first with deployments.
    await work.commit({ "files/zshrc": "export D=1\n" }, "with deployments");
    await git(work.dir, "push", "-q", remote, "main");
    const before = gh.calls.length;
    const r2 = await dotops(["agent", "--once"], { home, env });
    expect(r2.exitCode, r2.stderr).toBe(0);
    const second = gh.calls.slice(before);
    expect(second.map((c) => c.path.replace(/[0-9a-f]{40}|\d+/g, "N"))).toEqual([
      "/repos/alice/dotfiles/statuses/N",
      "/repos/alice/dotfiles/deployments",
      "/repos/alice/dotfiles/deployments/N/statuses",
    ]);
    expect(second[0]?.body.description).toMatch(/^generation 3: \+0 ~1 -0$/);
    expect(second[1]?.body).toMatchObject({ environment: "box", payload: { generation: 3 } });
    expect(second[2]?.body).toMatchObject({ state: "success" });
    expect(gh.problems).toEqual([]);
  });

  it("retries 5xx and rate limits with backoff, logs 401 and still applies", async () => {
    gh = await new FakeGitHub().start();
    const { work, remote, home } = await setup(`repo: alice/dotfiles, apiUrl: "http://placeholder"`);
    await work.commit(
      { "dotops.yaml": work.read("dotops.yaml").replace("http://placeholder", gh.url) },
      "point at fake",
    );
    await git(work.dir, "push", "-q", remote, "main");
    gh.failNext(
      { status: 502, body: { message: "Bad Gateway" } },
      {
        status: 403,
        body: { message: "API rate limit exceeded" },
        headers: { "x-ratelimit-remaining": "0", "retry-after": "0" },
      },
    );
    const env = { DOTOPS_GITHUB_TOKEN: TOKEN, DOTOPS_GITHUB_RETRY_MS: "10" };
    const r = await dotops(["agent", "--once", "--remote", remote], { home, env });
    expect(r.exitCode, r.stderr).toBe(0);
    const sha = await work.head();
    const states = gh.calls.filter((c) => c.path.endsWith(sha)).map((c) => c.body.state);
    expect(states).toEqual(["success", "success", "success"]); // two failures retried

    await work.commit({ "files/zshrc": "export X=1\n" }, "next");
    await git(work.dir, "push", "-q", remote, "main");
    gh.failNext(
      { status: 401, body: { message: "Bad credentials" } },
      { status: 401, body: { message: "Bad credentials" } },
    );
    const r2 = await dotops(["agent", "--once"], { home, env });
    expect(r2.exitCode).toBe(0);
    expect(r2.stderr).toMatch(/token is invalid or expired/);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export X=1\n");
  });

  it("logs each GitHub request at trace level with -vv, and not with -v", async () => {
    gh = await new FakeGitHub().start();
    const { remote, home } = await setup(`repo: alice/dotfiles, apiUrl: "${gh.url}"`);
    const env = { DOTOPS_GITHUB_TOKEN: TOKEN };
    const traced = await dotops(["-vv", "--log-format", "json", "agent", "--once", "--remote", remote], {
      home,
      env,
    });
    expect(traced.exitCode, traced.stderr).toBe(0);
    const levels = (stderr: string) =>
      stderr.split("\n").flatMap((l) => {
        try {
          const j = JSON.parse(l);
          return [{ level: j.level as number, msg: String(j.msg) }];
        } catch {
          return [];
        }
      });
    const trace = levels(traced.stderr).filter((l) => l.level === 10);
    expect(trace.map((l) => l.msg)).toContainEqual(
      expect.stringMatching(/^GitHub: POST \/repos\/alice\/dotfiles\/statuses\/[0-9a-f]{40} - 201 /),
    );
    expect(traced.stderr).not.toContain(TOKEN);

    const debug = await dotops(["-v", "--log-format", "json", "agent", "--once"], { home, env });
    expect(debug.exitCode, debug.stderr).toBe(0);
    expect(levels(debug.stderr).some((l) => l.level === 20)).toBe(true);
    expect(levels(debug.stderr).some((l) => l.level === 10)).toBe(false);
  });
});

describe("rate limits", () => {
  let gh: FakeGitHub;
  afterEach(async () => gh?.stop());
  const outbox = (home: string) => join(home, ".local/state/dotops/github-outbox.json");

  it("a limit that resets later is not retried before then: reports are held, applying goes on, GitHub is not asked", async () => {
    gh = await new FakeGitHub().start();
    const { work, remote, home } = await setup(`repo: alice/dotfiles, apiUrl: "${gh.url}"`);
    const reset = Math.floor(Date.now() / 1000) + 3600;
    gh.failNext({
      status: 403,
      body: { message: "API rate limit exceeded" },
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) },
    });
    const env = { DOTOPS_GITHUB_TOKEN: TOKEN, DOTOPS_GITHUB_RETRY_MS: "10" };
    const r = await dotops(["agent", "--once", "--remote", remote], { home, env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
    expect(gh.calls).toHaveLength(1); // no retry before the reset
    expect(r.stderr).toMatch(/rate limited until \S+; 1 report\(s\) of dotops\/box held until then/);
    const held = JSON.parse(readFileSync(outbox(home), "utf8"));
    expect(held.until).toBe(new Date(reset * 1000).toISOString());
    expect(held.reports).toEqual([
      expect.objectContaining({ sha: await work.head(), state: "success", generation: 1 }),
    ]);

    // A new commit before the reset applies; its report joins the held one, and GitHub hears nothing.
    await work.commit({ "files/zshrc": "export X=1\n" }, "next");
    await git(work.dir, "push", "-q", remote, "main");
    const r2 = await dotops(["agent", "--once"], { home, env });
    expect(r2.exitCode, r2.stderr).toBe(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export X=1\n");
    expect(gh.calls).toHaveLength(1);
    expect(JSON.parse(readFileSync(outbox(home), "utf8")).reports).toHaveLength(2);
  });

  it("held reports go out with the first pass after the reset, an idle one too (429, retry-after)", async () => {
    gh = await new FakeGitHub().start();
    // timeout 1s: a wait of more than 1 s is held for a later pass rather than slept through.
    const { work, remote, home } = await setup(`repo: alice/dotfiles, apiUrl: "${gh.url}", timeout: 1s`);
    gh.failNext({ status: 429, body: { message: "secondary rate limit" }, headers: { "retry-after": "3" } });
    const env = { DOTOPS_GITHUB_TOKEN: TOKEN, DOTOPS_GITHUB_RETRY_MS: "10" };
    const r = await dotops(["agent", "--once", "--remote", remote], { home, env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(gh.calls).toHaveLength(1);
    const until = Date.parse(JSON.parse(readFileSync(outbox(home), "utf8")).until);
    await waitFor("the reset", async () => (Date.now() > until ? true : undefined));

    const idle = await dotops(["agent", "--once"], { home, env });
    expect(idle.exitCode, idle.stderr).toBe(0);
    const sha = await work.head();
    expect(gh.calls.map((c) => [c.path, c.body.state])).toEqual([
      [`/repos/alice/dotfiles/statuses/${sha}`, "success"],
      [`/repos/alice/dotfiles/statuses/${sha}`, "success"],
    ]);
    expect(existsSync(outbox(home))).toBe(false);
  });
});

describe("a GitHub API that accepts connections and never answers", () => {
  let gh: FakeGitHub;
  afterEach(async () => gh?.stop());

  it("does not delay the apply, and the pass ends within its bounded flush", async () => {
    gh = await new FakeGitHub(true).start();
    const { remote, home } = await setup(
      `repo: alice/dotfiles, apiUrl: "${gh.url}", timeout: 1s, deployments: true`,
    );
    const t0 = Date.now();
    const r = await dotops(["agent", "--once", "--remote", remote], {
      home,
      env: { DOTOPS_GITHUB_TOKEN: TOKEN, DOTOPS_GITHUB_RETRY_MS: "10" },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(30_000); // not the ~300 s per attempt of an unbounded request
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
    expect((await gens(home)).map((g: { outcome: string }) => g.outcome)).toEqual(["applied"]);
    expect(gh.calls.length).toBeGreaterThan(0); // it did try
    expect(r.stderr).toMatch(/GitHub: still not done after 2s; gave up on \d+ report\(s\) of dotops\/box/);
  });

  it("SIGTERM stops the agent, and `agent --once`, within seconds", async () => {
    gh = await new FakeGitHub(true).start();
    // The default request time limit (10s, twice that to flush) is beyond the test's: only the stop ends the wait.
    const { work, remote, home } = await setup(`repo: alice/dotfiles, apiUrl: "${gh.url}"`);
    const env = { DOTOPS_GITHUB_TOKEN: TOKEN };
    const agent = startAgent(home, ["--remote", remote, "--interval", "1h"], { env });
    let stoppedIn = Number.POSITIVE_INFINITY;
    try {
      await waitFor("generation 1", async () => ((await gens(home)).length === 1 ? true : undefined));
      await waitFor("a status request in flight", async () => (gh.calls.length ? true : undefined));
    } finally {
      const t0 = Date.now();
      agent.kill("SIGTERM");
      await agent;
      stoppedIn = Date.now() - t0;
    }
    const done = await agent;
    expect(done.exitCode, done.stderr).toBe(0);
    expect(stoppedIn).toBeLessThan(10_000); // well before the 20 s the flush would take
    expect(logMessages(done.stderr).at(-1)).toBe("agent stopped");

    await work.commit({ "files/zshrc": "export V=2\n" }, "B");
    await git(work.dir, "push", "-q", remote, "main");
    const once = startAgent(home, ["--once"], { env });
    let onceStoppedIn = Number.POSITIVE_INFINITY;
    try {
      await waitFor("generation 2", async () => ((await gens(home)).length === 2 ? true : undefined));
    } finally {
      const t0 = Date.now();
      once.kill("SIGTERM");
      await once;
      onceStoppedIn = Date.now() - t0;
    }
    expect((await once).exitCode, (await once).stderr).toBe(0);
    expect(onceStoppedIn).toBeLessThan(10_000);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export V=2\n");
  });
});
