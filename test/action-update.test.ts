import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MARKER } from "../action/src/comment.js";
import { run } from "../action/src/main.js";
import { FakeGitHub } from "./action-github-fake.js";
import { ConfigRepo, dotops, git, sandbox, tempDir } from "./helpers.js";

/*
 * The scheduled update job (action mode update): real Git repos for the input,
 * the config and its origin, the loopback GitHub fake for the pull request,
 * its comment and the statuses.
 */

const gh = new FakeGitHub();
beforeAll(async () => {
  await gh.start();
});
afterAll(() => gh.stop());

const BRANCH = "dotops/update-inputs";

async function setup() {
  const base = await ConfigRepo.create(
    {
      "dotops.yaml": "version: 1\nhosts: {}\n",
      "home/vim.yaml": "files:\n  - { target: ~/.vimrc, source: files/vimrc }\n",
      "files/vimrc": "set number\n",
    },
    "base 1",
  );
  const origin = join(tempDir("dotops-origin-"), "dotfiles.git");
  await git(base.dir, "init", "-q", "--bare", "-b", "main", origin);
  const me = await ConfigRepo.create({
    "dotops.yaml": `version: 1\ninputs:\n  base: { git: ${base.dir}, ref: main }\nimports: [inputs.base/home/*.yaml]\nhosts:\n  box: { platform: linux }\n`,
  });
  await git(me.dir, "remote", "add", "origin", origin);
  return { base, me, origin };
}

async function runUpdate(me: ConfigRepo) {
  const dir = tempDir("dotops-action-");
  const event = join(dir, "event.json");
  writeFileSync(event, JSON.stringify({ schedule: "0 6 * * 1" }));
  for (const f of ["output", "summary.md"]) writeFileSync(join(dir, f), "");
  const inputs: Record<string, string> = {
    "config-path": me.dir,
    mode: "update",
    "github-token": gh.token,
    comment: "true",
    "fail-on": "error",
    hosts: "",
  };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: sandbox().home,
    GITHUB_EVENT_NAME: "schedule",
    GITHUB_EVENT_PATH: event,
    GITHUB_REPOSITORY: "alice/dotfiles",
    GITHUB_API_URL: gh.url,
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_REF_NAME: "main",
    GITHUB_SHA: await me.head(),
    GITHUB_WORKSPACE: me.dir,
    GITHUB_OUTPUT: join(dir, "output"),
    GITHUB_STEP_SUMMARY: join(dir, "summary.md"),
    RUNNER_OS: "Linux",
    RUNNER_TEMP: dir,
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
  };
  const log: string[] = [];
  const result = await run({ env, write: (t) => log.push(t) });
  const exitCode = process.exitCode ?? 0;
  process.exitCode = 0;
  return { result, exitCode, log: log.join("") };
}

describe("action mode update", () => {
  it("moves the inputs, force-pushes one branch, opens one pull request and posts its plan; the next update reuses both", async () => {
    const { base, me, origin } = await setup();
    const lockRun = await dotops(["--repo", me.dir, "lock"], { home: sandbox().home });
    expect(lockRun.exitCode, lockRun.stderr).toBe(0);
    const main = await me.commit({}, "lock");
    await git(me.dir, "push", "-q", "origin", "HEAD:refs/heads/main");

    const idle = await runUpdate(me);
    expect(idle.exitCode, idle.log).toBe(0);
    expect(idle.log).toMatch(/nothing to update/);
    expect(gh.pulls).toHaveLength(0);

    const old = (await base.head()).slice(0, 12);
    await base.commit({ "files/vimrc": "set number\nset list\n" }, "base 2");
    const r = await runUpdate(me);
    expect(r.exitCode, r.log).toBe(0);
    expect(gh.violations).toEqual([]);
    // One commit on top of main, on the update branch.
    const pushed = await git(origin, "rev-parse", `refs/heads/${BRANCH}`);
    expect(await git(origin, "rev-parse", `${pushed}^`)).toBe(main);
    const lock = JSON.parse(await git(origin, "show", `${pushed}:dotops.lock`));
    expect(lock.inputs.base.rev).toBe(await base.head());
    expect(await git(origin, "log", "-1", "--format=%an%n%s", pushed)).toBe(
      "github-actions[bot]\ndotops: update inputs",
    );
    // One pull request from it, saying what moved.
    expect(gh.pulls).toEqual([
      expect.objectContaining({ head: BRANCH, base: "main", state: "open", title: "dotops: update inputs" }),
    ]);
    const pr = gh.pulls[0]?.number as number;
    expect(gh.pulls[0]?.body).toMatch(
      new RegExp(`input \\*\\*base\\*\\*: \`${old}\` → \`${(await base.head()).slice(0, 12)}\` \\(1 commit`),
    );
    // Its plan, as the PR's sticky comment, and a status per host on the pushed commit.
    const comment = gh.commentsOn(pr).filter((c) => c.body.includes(MARKER));
    expect(comment).toHaveLength(1);
    expect(comment[0]?.body).toMatch(
      /input base: [0-9a-f]{7} → [0-9a-f]{7} \(1 commit\), 1 change from it: ~\/\.vimrc/,
    );
    expect(comment[0]?.body).toContain("+set list");
    expect(gh.statuses.filter((s) => s.sha === pushed).map((s) => s.context)).toEqual(["dotops/box"]);

    // A week later, on a fresh checkout of main: the same branch rewritten from main, the same pull request updated.
    await git(me.dir, "reset", "-q", "--hard", main);
    await base.commit({ "files/vimrc": "set number\nset list\nset ruler\n" }, "base 3");
    const again = await runUpdate(me);
    expect(again.exitCode, again.log).toBe(0);
    const repushed = await git(origin, "rev-parse", `refs/heads/${BRANCH}`);
    expect(repushed).not.toBe(pushed);
    expect(await git(origin, "rev-parse", `${repushed}^`)).toBe(main);
    expect(gh.pulls).toHaveLength(1);
    expect(gh.pulls[0]?.body).toMatch(/\(2 commits/);
    expect(gh.commentsOn(pr).filter((c) => c.body.includes(MARKER))).toHaveLength(1);
    expect(gh.commentsOn(pr)[0]?.body).toContain("+set ruler");
    expect(readFileSync(join(me.dir, "dotops.lock"), "utf8")).toContain(await base.head());
  });
});
