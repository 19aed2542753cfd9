import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { MARKER, mergeSections, parseSections, wrapSection } from "../action/src/comment.js";
import { runnerPlatform } from "../action/src/context.js";
import { createCore } from "../action/src/core.js";
import { ApiError, permissionHint } from "../action/src/github.js";
import { getInputs, InputError, parseList } from "../action/src/input.js";
import { run } from "../action/src/main.js";
import { truncateMarkdown } from "../action/src/report.js";
import type { Plan } from "../src/engine/plan.js";
import { FakeGitHub } from "./action-github-fake.js";
import { ConfigRepo, minimalConfig, sandbox, tempDir } from "./helpers.js";

// No resource kind plans a destructive step yet (brew/cask uninstalls will):
// when a test asks, the PR plan's deletions stand in for destructive steps.
const hooks = vi.hoisted(() => ({ destructive: false }));
vi.mock("../src/engine/apply.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/engine/apply.js")>();
  return {
    ...real,
    planBetween: async (...args: Parameters<typeof real.planBetween>): Promise<Plan> => {
      const plan = await real.planBetween(...args);
      if (!hooks.destructive) return plan;
      const changes = plan.changes.map((c) =>
        c.action === "delete" && c.kind !== "dir" ? { ...c, destructive: true } : c,
      );
      return {
        ...plan,
        changes,
        summary: { ...plan.summary, destructive: changes.filter((c) => c.destructive).length },
      };
    },
  };
});

const gh = new FakeGitHub();
beforeAll(async () => {
  await gh.start();
});
afterAll(() => gh.stop());
afterEach(() => {
  hooks.destructive = false;
  gh.forbid.clear();
  gh.answers.length = 0;
  process.exitCode = 0;
});

let nextPr = 1;

/** Makes a directory nothing can write into: read-only for a user, immutable (chattr +i) for root. */
function lockDir(dir: string): () => void {
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o555);
    return () => chmodSync(dir, 0o755);
  }
  execFileSync("chattr", ["+i", dir]);
  return () => execFileSync("chattr", ["-i", dir]);
}

/** Whether this machine can lock a directory (root without chattr or CAP_LINUX_IMMUTABLE cannot). */
const canLock = (() => {
  const dir = tempDir("dotops-lock-");
  try {
    const unlock = lockDir(dir);
    try {
      writeFileSync(join(dir, "probe"), "");
      return false;
    } catch {
      return true;
    } finally {
      unlock();
    }
  } catch {
    return false;
  }
})();

interface PrRun {
  repo: ConfigRepo;
  base: string | null;
  head: string;
  number?: number;
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  fork?: boolean;
  event?: "pull_request" | "pull_request_target" | "push";
  home?: string;
}

async function runAction(o: PrRun) {
  const dir = tempDir("dotops-action-");
  const eventPath = join(dir, "event.json");
  const number = o.number ?? 1;
  const payload =
    o.event === "push"
      ? { before: o.base ?? "0".repeat(40), after: o.head, ref: "refs/heads/main" }
      : {
          action: "synchronize",
          number,
          pull_request: {
            number,
            base: { sha: o.base ?? o.head, ref: "main", repo: { full_name: "alice/dotfiles" } },
            head: {
              sha: o.head,
              ref: "change",
              repo: { full_name: o.fork ? "mallory/dotfiles" : "alice/dotfiles", fork: Boolean(o.fork) },
            },
          },
          sender: { login: o.fork ? "mallory" : "alice" },
        };
  writeFileSync(eventPath, JSON.stringify(payload));
  const outputFile = join(dir, "output");
  const summaryFile = join(dir, "summary.md");
  writeFileSync(outputFile, "");
  writeFileSync(summaryFile, "");
  const home = o.home ?? sandbox().home;
  const inputs: Record<string, string> = {
    "config-path": o.repo.dir,
    mode: "plan",
    "github-token": gh.token,
    comment: "true",
    "fail-on": "error",
    hosts: "",
    ...o.inputs,
  };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    GITHUB_EVENT_NAME: o.event ?? "pull_request",
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: "alice/dotfiles",
    GITHUB_API_URL: gh.url,
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_RUN_ID: "4242",
    GITHUB_SHA: o.head,
    GITHUB_WORKSPACE: o.repo.dir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_OS: "Linux",
    RUNNER_TEMP: dir,
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    ...o.env,
  };
  const log: string[] = [];
  const callsBefore = gh.calls.length;
  const result = await run({ env, write: (t) => log.push(t) });
  const exitCode = process.exitCode ?? 0;
  process.exitCode = 0;
  return {
    result,
    exitCode,
    log: log.join(""),
    outputs: parseOutputs(readFileSync(outputFile, "utf8")),
    summary: readFileSync(summaryFile, "utf8"),
    calls: gh.calls.slice(callsBefore),
    home,
  };
}

/** GITHUB_OUTPUT's `name<<delimiter` heredocs. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = (lines[i] as string).match(/^([\w-]+)<<(ghadelimiter_[\w-]+)$/);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i] as string);
    out[m[1] as string] = value.join("\n");
  }
  return out;
}

function sticky(issue: number) {
  return gh.commentsOn(issue).filter((c) => c.body.includes(MARKER));
}

describe("action on a pull request", () => {
  it("creates one sticky comment, a status per host, outputs and the job summary", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const base = await repo.head();
    const head = await repo.commit({ "files/zshrc": "export EDITOR=vim\n", "files/gitconfig": "[user]\n" });
    const number = nextPr++;
    const r = await runAction({ repo, base, head, number });

    expect(r.exitCode, r.log).toBe(0);
    expect(r.result.failed).toBe(false);
    expect(gh.violations).toEqual([]);
    const comments = sticky(number);
    expect(comments).toHaveLength(1);
    const body = comments[0]?.body as string;
    expect(body.startsWith(MARKER)).toBe(true);
    expect(body).toMatch(
      /<details><summary>📝 <b>box<\/b> \(linux\): 0 to create, 1 to update, 0 to delete<\/summary>/,
    );
    expect(body).toContain("`~/.zshrc`");
    expect(body).toContain("+export EDITOR=vim");
    expect(body).toContain(`${base.slice(0, 7)} → ${head.slice(0, 7)}`);
    expect(body).toContain("Against this runner: Plan: 4 to create");
    expect(body.length).toBeLessThanOrEqual(65_536);

    expect(gh.statuses.filter((s) => s.sha === head)).toEqual([
      {
        sha: head,
        state: "success",
        context: "dotops/box",
        description: "0 to create, 1 to update, 0 to delete",
        target_url: "https://github.com/alice/dotfiles/actions/runs/4242",
      },
    ]);
    expect(r.outputs["has-changes"]).toBe("true");
    expect(r.outputs.destructive).toBe("false");
    const json = JSON.parse(readFileSync(r.outputs["plan-json"] as string, "utf8"));
    expect(json).toMatchObject({ base, head, mode: "plan", ok: true });
    expect(json.hosts[0].plan.summary).toEqual({ create: 0, update: 1, delete: 0, destructive: 0 });
    expect(json.hosts[0].plan.changes[0]).toMatchObject({ action: "update", kind: "link", id: "~/.zshrc" });
    expect(json.hosts[0].runner.kind).toBe("plan");
    expect(r.summary).toContain("## dotops plan");
    expect(r.summary).toContain("+export EDITOR=vim");
    // A plan looks at the runner but changes nothing there.
    expect(existsSync(join(r.home, ".zshrc"))).toBe(false);
    expect(existsSync(join(r.home, ".local/state/dotops"))).toBe(false);
    expect(r.log).toContain(`::add-mask::${gh.token}`);
  });

  it("never puts !secret values or files rendered with them into the comment, summary or plan JSON", async () => {
    const token = "npm_action_s3cr3t";
    const files = minimalConfig({
      "home/files.yaml": `${minimalConfig()["home/files.yaml"]}  - { target: ~/.npmrc, source: files/npmrc, mode: template }\n`,
      "files/npmrc": "//registry.example.com/:_authToken={{ vars.token }}\n",
    });
    files["dotops.yaml"] = `${files["dotops.yaml"]}vars:\n  token: !secret env:NPM_TOKEN\n`;
    const repo = await ConfigRepo.create(files);
    const base = await repo.head();
    const head = await repo.commit({
      "files/npmrc": "always-auth=true\n//registry.example.com/:_authToken={{ vars.token }}\n",
    });
    const number = nextPr++;
    // The runner has the secret in its environment: the action still resolves nothing.
    const r = await runAction({ repo, base, head, number, env: { NPM_TOKEN: token } });
    expect(r.exitCode, r.log).toBe(0);
    const body = sticky(number)[0]?.body as string;
    expect(body).toContain("`~/.npmrc`");
    expect(body).toContain("diff hidden: the file is rendered with !secret values");
    const planJson = readFileSync(r.outputs["plan-json"] as string, "utf8");
    for (const text of [body, r.summary, planJson, r.log]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain("always-auth");
    }
    // The runner's token is only ever handed to the runner's masking.
    for (const text of [body, r.summary, planJson, JSON.stringify(r.outputs)])
      expect(text).not.toContain(gh.token);
    expect(r.log.replaceAll(`::add-mask::${gh.token}`, "")).not.toContain(gh.token);
  });

  it("edits the same comment on a later push, past a page of other comments", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const base = await repo.head();
    const number = nextPr++;
    const head1 = await repo.commit({ "files/zshrc": "one\n" });
    for (let i = 0; i < 3; i++) gh.addComment(number, `looks good ${i}`);
    const first = await runAction({ repo, base, head: head1, number });
    expect(first.exitCode, first.log).toBe(0);
    // Enough review chatter that the sticky comment is on the second page.
    for (let i = 0; i < 110; i++) gh.addComment(number, `chatter ${i}`);
    const id = sticky(number)[0]?.id;

    const head2 = await repo.commit({ "files/app.conf": "color = false\n" });
    const second = await runAction({ repo, base, head: head2, number });
    expect(second.exitCode, second.log).toBe(0);
    expect(gh.violations).toEqual([]);
    const comments = sticky(number);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.id).toBe(id);
    expect(comments[0]?.body).toContain(head2.slice(0, 7));
    expect(comments[0]?.body).toContain("0 to create, 2 to update, 0 to delete");
    expect(second.calls.filter((c) => c.method === "POST" && c.path.endsWith("/comments"))).toEqual([]);
    expect(second.calls.filter((c) => c.method === "PATCH")).toHaveLength(1);
    expect(second.calls.some((c) => c.path.includes("page=2"))).toBe(true);
    expect(gh.commentsOn(number)).toHaveLength(3 + 110 + 1);

    // The same head again: nothing to edit.
    const third = await runAction({ repo, base, head: head2, number });
    expect(third.calls.filter((c) => c.method === "PATCH")).toEqual([]);
    expect(sticky(number)).toHaveLength(1);
  });

  it("fails on destructive steps with fail-on: destructive, and highlights them", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const base = await repo.head();
    const head = await repo.commit({
      "home/files.yaml": "files:\n  - { target: ~/.zshrc, source: files/zshrc }\n",
    });
    hooks.destructive = true;
    const number = nextPr++;
    const r = await runAction({ repo, base, head, number, inputs: { "fail-on": "destructive" } });

    expect(r.exitCode).toBe(1);
    expect(r.result.failed).toBe(true);
    expect(r.log).toMatch(/::error::dotops: box: 1 destructive step\(s\) \(fail-on: destructive\)/);
    expect(r.outputs.destructive).toBe("true");
    const body = sticky(number)[0]?.body as string;
    expect(body).toMatch(/<details open><summary>❌ <b>box<\/b>/);
    expect(body).toContain("⚠️ **destructive**");
    expect(gh.statuses.find((s) => s.sha === head)).toMatchObject({
      state: "failure",
      context: "dotops/box",
      description: expect.stringContaining("fail-on: destructive"),
    });

    // fail-on: error reports the same plan without failing.
    const again = await runAction({ repo, base, head, number });
    expect(again.exitCode, again.log).toBe(0);
    expect(sticky(number)).toHaveLength(1);
    expect(sticky(number)[0]?.body).toMatch(/⚠️ <b>box<\/b>.*1 destructive/);
  });

  it("fails with fail-on: changes when the plan changes anything", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const base = await repo.head();
    const head = await repo.commit({ "files/zshrc": "changed\n" });
    const r = await runAction({ repo, base, head, number: nextPr++, inputs: { "fail-on": "changes" } });
    expect(r.exitCode).toBe(1);
    expect(r.log).toContain("1 change(s) (fail-on: changes)");
    const unchanged = await runAction({
      repo,
      base: head,
      head,
      number: nextPr++,
      inputs: { "fail-on": "changes" },
    });
    expect(unchanged.exitCode, unchanged.log).toBe(0);
    expect(unchanged.outputs["has-changes"]).toBe("false");
  });

  it("shows an invalid head config with file:line in the comment and fails", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const base = await repo.head();
    const head = await repo.commit({
      "home/files.yaml":
        "files:\n  - { target: ~/.zshrc, source: files/zshrc }\n  - { target: ~/.x, source: files/zshrc, mode: sideways }\n",
    });
    const number = nextPr++;
    const r = await runAction({ repo, base, head, number });

    expect(r.exitCode).toBe(1);
    const body = sticky(number)[0]?.body as string;
    expect(body).toContain("<details open><summary>❌ <b>box</b> (linux): invalid config</summary>");
    expect(body).toMatch(
      /\*\*invalid config:\*\*\n\n```text\nhome\/files\.yaml:3:\d+: .*\(at files\[1\]\.mode\)\n```/,
    );
    expect(r.log).toMatch(/::error::dotops: box: invalid config: home\/files\.yaml:3:\d+/);
    // An annotation on the line of the PR's file.
    expect(r.log).toMatch(/::error file=home\/files\.yaml,line=3,col=\d+::box: Invalid option/);
    expect(gh.statuses.find((s) => s.sha === head)).toMatchObject({
      state: "failure",
      description: expect.stringMatching(/^invalid config: home\/files\.yaml:3:\d+/),
    });
    expect(JSON.parse(readFileSync(r.outputs["plan-json"] as string, "utf8")).ok).toBe(false);
  });

  it("shows a broken dotops.yaml (no host to name) and fails", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const base = await repo.head();
    const head = await repo.commit({ "dotops.yaml": "version: 1\nhosts:\n  box:\n    platform: beos\n" });
    const number = nextPr++;
    const r = await runAction({ repo, base, head, number });
    expect(r.exitCode).toBe(1);
    const body = sticky(number)[0]?.body as string;
    expect(body).toContain("<b>dotops.yaml</b>");
    expect(body).toMatch(/dotops\.yaml:4:\d+/);
    // The host is known from the base: its status says why.
    expect(gh.statuses.find((s) => s.sha === head)).toMatchObject({
      context: "dotops/box",
      state: "failure",
    });

    // Fixed on the next push: the config section goes, the host's comes back, same comment.
    const fixed = await repo.commit({ "dotops.yaml": minimalConfig()["dotops.yaml"] as string });
    const r2 = await runAction({ repo, base, head: fixed, number });
    expect(r2.exitCode, r2.log).toBe(0);
    expect(sticky(number)).toHaveLength(1);
    expect(sticky(number)[0]?.body).not.toContain("<b>dotops.yaml</b>");
    expect(sticky(number)[0]?.body).toContain("<b>box</b>");
  });

  it("reads the config from a folder of the repository (config-path)", async () => {
    const inFolder = (files: Record<string, string>) =>
      Object.fromEntries(Object.entries(files).map(([p, t]) => [`dotfiles/${p}`, t]));
    const repo = await ConfigRepo.create({ "README.md": "monorepo\n", ...inFolder(minimalConfig()) });
    const base = await repo.head();
    const head = await repo.commit(inFolder({ "home/files.yaml": "files:\n  - { target: 42 }\n" }));
    const number = nextPr++;
    const r = await runAction({ repo, base, head, number, inputs: { "config-path": "dotfiles" } });
    expect(r.exitCode).toBe(1);
    // Annotations name the file as it is in the repository.
    expect(r.log).toMatch(/::error file=dotfiles\/home\/files\.yaml,line=2,col=\d+::box: /);
    const fixed = await repo.commit(
      inFolder({ "home/files.yaml": minimalConfig()["home/files.yaml"] as string }),
    );
    const ok = await runAction({ repo, base, head: fixed, number, inputs: { "config-path": "dotfiles" } });
    expect(ok.exitCode, ok.log).toBe(0);
    expect(sticky(number)[0]?.body).toContain("✅ <b>box</b> (linux): no changes");

    const missing = await runAction({ repo, base, head: fixed, number, inputs: { "config-path": "nope" } });
    expect(missing.exitCode).toBe(1);
    expect(missing.log).toMatch(/::error::dotops: config-path .*\/nope does not exist/);
  });

  it("plans from nothing when the base has no dotops.yaml (first PR)", async () => {
    const repo = await ConfigRepo.create({ "README.md": "my dotfiles\n" });
    const base = await repo.head();
    const head = await repo.commit(minimalConfig());
    const number = nextPr++;
    const r = await runAction({ repo, base, head, number });

    expect(r.exitCode, r.log).toBe(0);
    const body = sticky(number)[0]?.body as string;
    expect(body).toContain(`commit ${base.slice(0, 12)} has no dotops.yaml: planned from nothing`);
    expect(body).toContain("4 to create, 0 to update, 0 to delete");
    const json = JSON.parse(readFileSync(r.outputs["plan-json"] as string, "utf8"));
    expect(json.hosts[0].plan.from).toBeNull();
  });

  it("rejects a hosts input naming an unknown host, listing the hosts, before any API call", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const head = await repo.head();
    const r = await runAction({ repo, base: head, head, number: nextPr++, inputs: { hosts: "box, laptop" } });
    expect(r.exitCode).toBe(1);
    expect(r.log).toContain('::error::dotops: input hosts names "laptop", not in dotops.yaml; hosts: box');
    expect(r.calls).toEqual([]);
  });

  it("names the pull-requests: write permission when comment creation is forbidden", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const base = await repo.head();
    const head = await repo.commit({ "files/zshrc": "x\n" });
    gh.forbid.add("comments:write");
    const number = nextPr++;
    const r = await runAction({ repo, base, head, number });

    expect(r.exitCode).toBe(1);
    expect(r.log).toMatch(
      /::error::dotops: could not create the pull request comment: 403 Resource not accessible by integration.*add `permissions: pull-requests: write` to the job/,
    );
    expect(sticky(number)).toEqual([]);
    expect(r.summary).toContain("<b>box</b>");
    expect(r.summary).toContain("pull-requests: write");
    // Statuses still go out.
    expect(gh.statuses.find((s) => s.sha === head)?.state).toBe("success");
  });

  it("on a fork PR with a read-only token reports in the job summary only, without failing", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const base = await repo.head();
    const head = await repo.commit({ "files/zshrc": "from a fork\n" });
    gh.forbid.add("comments:write");
    gh.forbid.add("statuses");
    const number = nextPr++;
    const r = await runAction({ repo, base, head, number, fork: true });

    expect(r.exitCode, r.log).toBe(0);
    expect(r.result.failed).toBe(false);
    expect(r.log).toContain("::notice::dotops: this pull request comes from a fork");
    expect(r.summary).toContain("+from a fork");
    expect(r.summary).toContain("the plan is in the job summary only");
    expect(sticky(number)).toEqual([]);
    expect(gh.statuses.find((s) => s.sha === head)).toBeUndefined();
  });

  it("under pull_request_target a fork's config is planned between commits only, never run on the runner", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const base = await repo.head();
    const head = await repo.commit({
      "home/files.yaml": `${minimalConfig()["home/files.yaml"]}  - { target: ~/.probe, text: '{{ "touch" | output: "/tmp/never" }}', mode: template }\n`,
    });
    const fork = { repo, base, head, fork: true, event: "pull_request_target" as const };
    const planned = await runAction({ ...fork, number: nextPr++ });
    expect(planned.exitCode, planned.log).toBe(0);
    expect(planned.log).toContain(
      "::warning::dotops: this pull_request_target run is for a fork's pull request",
    );
    expect(planned.result.reports[0]?.plan?.changes.map((c) => c.id)).toContain("~/.probe");
    expect(planned.result.reports[0]?.runner).toBeUndefined();

    const applied = await runAction({ ...fork, number: nextPr++, inputs: { mode: "ephemeral" } });
    expect(applied.exitCode).toBe(1);
    expect(applied.log).toContain("mode ephemeral would apply the fork's config on this runner");
    expect(existsSync(join(applied.home, ".zshrc"))).toBe(false);
  });

  it("names each host's wave when the config stages its rollout", async () => {
    const repo = await ConfigRepo.create(
      minimalConfig({
        "dotops.yaml": [
          "version: 1",
          "imports: [home/*.yaml]",
          "hosts:",
          "  box: { platform: linux }",
          "  canary: { platform: linux }",
          "rollout: { waves: [[canary], [box]], bake: 30m }",
          "agent: { github: { repo: alice/dotfiles } }",
          "",
        ].join("\n"),
      }),
    );
    const base = await repo.head();
    const head = await repo.commit({ "files/zshrc": "export EDITOR=vim\n" });
    const number = nextPr++;
    const r = await runAction({ repo, base, head, number });
    expect(r.exitCode, r.log).toBe(0);
    const body = sticky(number)[0]?.body as string;
    expect(body).toMatch(/<b>box<\/b> \(linux, wave 2 of 2\): 0 to create, 1 to update/);
    expect(body).toMatch(/<b>canary<\/b> \(linux, wave 1 of 2\)/);
  });

  it("shares one comment between runners: darwin hosts on macOS, linux hosts on Linux", async () => {
    const repo = await ConfigRepo.create(
      minimalConfig({
        "dotops.yaml":
          "version: 1\nimports: [home/*.yaml]\nhosts:\n  box:\n    platform: linux\n  mac:\n    platform: darwin\n",
      }),
    );
    const base = await repo.head();
    const head = await repo.commit({ "files/zshrc": "shared\n" });
    const number = nextPr++;
    const linux = await runAction({ repo, base, head, number });
    const mac = await runAction({ repo, base, head, number, env: { RUNNER_OS: "macOS" } });
    expect(linux.exitCode, linux.log).toBe(0);
    expect(mac.exitCode, mac.log).toBe(0);
    const body = sticky(number)[0]?.body as string;
    expect(sticky(number)).toHaveLength(1);
    expect(body.indexOf("<b>box</b> (linux)")).toBeGreaterThan(0);
    expect(body.indexOf("<b>mac</b> (darwin)")).toBeGreaterThan(body.indexOf("<b>box</b>"));
    expect(gh.statuses.filter((s) => s.sha === head).map((s) => s.context)).toEqual([
      "dotops/box",
      "dotops/mac",
    ]);

    // A host input naming a darwin host on Linux: planned between commits, not against the runner.
    const cross = await runAction({ repo, base, head, number: nextPr++, inputs: { hosts: "mac" } });
    expect(cross.exitCode, cross.log).toBe(0);
    expect(cross.summary).toContain(
      "_Not planned against a machine: the runner is linux, the host is darwin._",
    );

    // A duplicate left by two jobs that created the comment at the same time is folded away.
    const first = sticky(number)[0];
    gh.addComment(number, first?.body as string, "github-actions[bot]");
    expect(sticky(number)).toHaveLength(2);
    const again = await runAction({ repo, base, head, number, env: { RUNNER_OS: "macOS" } });
    expect(again.exitCode, again.log).toBe(0);
    expect(sticky(number).map((c) => c.id)).toEqual([first?.id]);
    expect(gh.violations).toEqual([]);
  });

  it("ends with one comment when both runners' jobs write at the same time", async () => {
    const repo = await ConfigRepo.create(
      minimalConfig({
        "dotops.yaml":
          "version: 1\nimports: [home/*.yaml]\nhosts:\n  box:\n    platform: linux\n  mac:\n    platform: darwin\n",
      }),
    );
    const base = await repo.head();
    const head = await repo.commit({ "files/zshrc": "raced\n" });
    const number = nextPr++;
    const [a, b] = await Promise.all([
      runAction({ repo, base, head, number }),
      runAction({ repo, base, head, number, env: { RUNNER_OS: "macOS" } }),
    ]);
    expect(a.result.failed, a.log).toBe(false);
    expect(b.result.failed, b.log).toBe(false);
    expect(gh.violations).toEqual([]);
    expect(sticky(number)).toHaveLength(1);
    expect(sticky(number)[0]?.body).toMatch(/<b>box<\/b>[\s\S]*<b>mac<\/b>/);
  });

  it("says so when no host matches the runner, and changes nothing on GitHub", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const head = await repo.head();
    const r = await runAction({ repo, base: head, head, number: nextPr++, env: { RUNNER_OS: "macOS" } });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.log).toContain(
      "::notice::dotops: no host in dotops.yaml has the runner's platform (darwin); hosts: box (linux)",
    );
    expect(r.calls).toEqual([]);
  });

  it("mode ephemeral applies on the runner into HOME and reports each resource", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const base = await repo.head();
    const head = await repo.commit({ "files/zshrc": "applied\n" });
    const number = nextPr++;
    const r = await runAction({ repo, base, head, number, inputs: { mode: "ephemeral" } });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.log).not.toContain("deprecated");
    expect(lstatSync(join(r.home, ".zshrc")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(r.home, ".zshrc"), "utf8")).toBe("applied\n");
    const json = JSON.parse(readFileSync(r.outputs["plan-json"] as string, "utf8"));
    expect(json).toMatchObject({ mode: "ephemeral", ok: true });
    expect(json.hosts[0].runner).toMatchObject({
      kind: "ephemeral",
      generation: 1,
      applies: 1,
      unchanged: 0,
    });
    expect(
      json.hosts[0].runner.resources.map((x: { id: string; status: string }) => `${x.id} ${x.status}`),
    ).toEqual([
      "~/.config applied",
      "~/.config/app applied",
      "~/.config/app/conf applied",
      "~/.zshrc applied",
    ]);
    const body = sticky(number)[0]?.body as string;
    expect(body).toContain(
      "<details><summary>Ephemeral apply on this runner (generation 1, 1 apply): 4 applied</summary>",
    );
    expect(body).toContain("| ✅ | `~/.zshrc` | link | applied |");
    expect(body).toContain("mode ephemeral on a linux runner");
    expect(r.summary).toContain("| ✅ | `~/.config/app/conf` | link | applied |");
  });

  it("mode apply is the deprecated name of ephemeral: it works, with a notice", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const base = await repo.head();
    const head = await repo.commit({ "files/zshrc": "old name\n" });
    const r = await runAction({ repo, base, head, number: nextPr++, inputs: { mode: "apply" } });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.log).toContain(
      "::notice::dotops: mode apply is deprecated and now called ephemeral; set `mode: ephemeral`",
    );
    expect(readFileSync(join(r.home, ".zshrc"), "utf8")).toBe("old name\n");
    const json = JSON.parse(readFileSync(r.outputs["plan-json"] as string, "utf8"));
    expect(json.mode).toBe("ephemeral");
    expect(json.hosts[0].runner.kind).toBe("ephemeral");
  });

  it.skipIf(!canLock)(
    "mode ephemeral reports a resource that fails on the runner with its reason, and proves the rest",
    async () => {
      const repo = await ConfigRepo.create(
        minimalConfig({
          "home/files.yaml": `${minimalConfig()["home/files.yaml"]}  - { target: ~/locked/conf, source: files/locked.conf }\n  - { target: ~/.zz-after, source: files/after }\n`,
          "files/locked.conf": "never written\n",
          "files/after": "after the failing one\n",
        }),
      );
      const head = await repo.head();
      const { home } = sandbox();
      // A directory the user has, that nothing may write into (read-only, or immutable for root).
      const locked = join(home, "locked");
      mkdirSync(locked);
      const unlock = lockDir(locked);
      try {
        const number = nextPr++;
        const r = await runAction({ repo, base: null, head, number, home, inputs: { mode: "ephemeral" } });
        expect(r.exitCode, r.log).toBe(1);
        const json = JSON.parse(readFileSync(r.outputs["plan-json"] as string, "utf8"));
        expect(json.ok).toBe(false);
        const runner = json.hosts[0].runner;
        expect(runner).toMatchObject({ kind: "ephemeral", applies: 2, generation: 2 });
        const byId = Object.fromEntries(
          runner.resources.map((x: { id: string; status: string; reason?: string }) => [x.id, x]),
        );
        expect(byId["~/locked/conf"]).toMatchObject({
          status: "failed",
          kind: "link",
          origin: { file: "home/files.yaml", line: 4 },
        });
        expect(byId["~/locked/conf"].reason).toMatch(/EPERM|EACCES/);
        expect(byId["~/locked/conf"].reason).toContain(join(home, "locked/conf"));
        // Before and after it in the first apply: undone with it, then proven by the second.
        expect(byId["~/.zshrc"]).toMatchObject({ status: "applied" });
        expect(byId["~/.zz-after"]).toMatchObject({ status: "applied" });
        expect(runner.resources[0].id).toBe("~/locked/conf");
        // The runner ends on the head without the failed resource.
        expect(readFileSync(join(home, ".zz-after"), "utf8")).toBe("after the failing one\n");
        expect(existsSync(join(locked, "conf"))).toBe(false);

        const body = sticky(number)[0]?.body as string;
        expect(body).toMatch(/❌ <b>box<\/b> \(linux\): on the runner: 5 applied, 1 failed, 1 unchanged/);
        expect(body).toMatch(
          /<details open><summary>Ephemeral apply on this runner \(generation 2, 2 applies\): 5 applied, 1 failed, 1 unchanged<\/summary>/,
        );
        expect(body).toMatch(/\| ❌ \| `~\/locked\/conf` \| link \| failed: \S*(EPERM|EACCES)/);
        expect(body).toContain("The failing resource was set aside and the rest applied again");
        expect(r.log).toMatch(
          /::error file=home\/files.yaml,line=4,col=\d+::box: ~\/locked\/conf failed on the runner: .*(EPERM|EACCES)/,
        );
        expect(gh.statuses.filter((s) => s.sha === head).at(-1)).toMatchObject({
          state: "failure",
          context: "dotops/box",
        });
      } finally {
        unlock();
      }
    },
  );

  it("mode ephemeral reports a resource the plan refuses (a file in the way whose backup exists) and applies the rest", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const head = await repo.head();
    const { home } = sandbox();
    writeFileSync(join(home, ".zshrc"), "the user's own\n");
    writeFileSync(join(home, ".zshrc.dotops-backup"), "an older backup\n");
    const number = nextPr++;
    const r = await runAction({ repo, base: null, head, number, home, inputs: { mode: "ephemeral" } });
    expect(r.exitCode, r.log).toBe(1);
    const runner = JSON.parse(readFileSync(r.outputs["plan-json"] as string, "utf8")).hosts[0].runner;
    expect(runner.resources[0]).toMatchObject({
      id: "~/.zshrc",
      status: "refused",
      reason: `~/.zshrc is in the way and its backup ${join(home, ".zshrc.dotops-backup")} already exists; move one of them away`,
    });
    expect(runner.resources.slice(1).every((x: { status: string }) => x.status === "applied")).toBe(true);
    expect(runner.applies).toBe(1);
    // Nothing of the user's was touched; the rest is in place.
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("the user's own\n");
    expect(readFileSync(join(home, ".config/app/conf"), "utf8")).toBe("color = true\n");
    const body = sticky(number)[0]?.body as string;
    expect(body).toContain("| 🚫 | `~/.zshrc` | link | refused: ~/.zshrc is in the way and its backup");
    expect(r.log).toContain("box: on the runner: 3 applied, 1 refused");
  });

  it("mode plan on a macOS runner plans a darwin host against the runner's machine", async () => {
    const repo = await ConfigRepo.create(
      minimalConfig({
        "dotops.yaml": "version: 1\nimports: [home/*.yaml]\nhosts:\n  mac:\n    platform: darwin\n",
      }),
    );
    const head = await repo.head();
    const { home } = sandbox();
    writeFileSync(join(home, ".zshrc"), "the runner's own\n");
    const r = await runAction({
      repo,
      base: null,
      head,
      number: nextPr++,
      home,
      env: { RUNNER_OS: "macOS" },
    });
    expect(r.exitCode, r.log).toBe(0);
    const host = JSON.parse(readFileSync(r.outputs["plan-json"] as string, "utf8")).hosts[0];
    expect(host).toMatchObject({ host: "mac", platform: "darwin" });
    expect(host.runner.kind).toBe("plan");
    // Observed: the runner's own ~/.zshrc is in the way (base → head knows nothing of it).
    const onRunner = host.runner.plan.changes.find((c: { id: string }) => c.id === "~/.zshrc");
    expect(onRunner.refusal).toContain("exists and is a file that dotops does not manage");
    expect(host.plan.changes).toEqual([]); // base = head: the PR changes nothing
    // Read only.
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("the runner's own\n");
    expect(existsSync(join(home, ".local/state/dotops"))).toBe(false);
  });

  it("keeps the comment under 65,536 characters, truncating diffs with a note", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const base = await repo.head();
    const big = Array.from({ length: 8000 }, (_, i) => `line ${i} ${"x".repeat(20)}`).join("\n");
    const head = await repo.commit({ "files/zshrc": `${big}\n`, "files/app.conf": "small change\n" });
    const number = nextPr++;
    const r = await runAction({ repo, base, head, number });
    expect(r.exitCode, r.log).toBe(0);
    expect(gh.violations).toEqual([]);
    const body = sticky(number)[0]?.body as string;
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toMatch(/_Diff of `~\/\.zshrc` omitted \(\d+ characters; comment size limit\)\._/);
    expect(body).toContain("+small change");
    // The job summary has room for it.
    expect(r.summary).toContain("+line 7999");
  });

  it("with comment: false only sets the statuses", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const base = await repo.head();
    const head = await repo.commit({ "files/zshrc": "quiet\n" });
    const r = await runAction({ repo, base, head, number: nextPr++, inputs: { comment: "false" } });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      `POST /repos/alice/dotfiles/statuses/${head}`,
    ]);
  });

  it("names a deleted resource's entry at the base commit, where it was, and the others' at the head", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const base = await repo.head();
    // ~/.zshrc's entry (line 2 at base) goes; line 2 of the head's file is now ~/.config/app/conf's.
    const head = await repo.commit({
      "home/files.yaml": "files:\n  - { target: ~/.config/app/conf, source: files/app.conf }\n",
      "files/app.conf": "color = false\n",
    });
    const number = nextPr++;
    const r = await runAction({ repo, base, head, number });
    expect(r.exitCode, r.log).toBe(0);
    const body = sticky(number)[0]?.body as string;
    const row = (id: string) => body.split("\n").find((l) => l.includes(`\`${id}\``)) ?? "";
    const blob = "https://github.com/alice/dotfiles/blob";
    expect(row("~/.zshrc")).toMatch(/^\| - delete \| link \|/);
    expect(row("~/.zshrc")).toContain(
      `[\`home/files.yaml:2:5\` in ${base.slice(0, 7)}](${blob}/${base}/home/files.yaml#L2)`,
    );
    expect(row("~/.config/app/conf")).toContain(
      `[\`home/files.yaml:2:5\`](${blob}/${head}/home/files.yaml#L2)`,
    );
    // plan.json keeps the plain origin.
    const json = JSON.parse(readFileSync(r.outputs["plan-json"] as string, "utf8"));
    expect(json.hosts[0].plan.changes.find((c: { id: string }) => c.id === "~/.zshrc").origin).toBe(
      "home/files.yaml:2:5",
    );
  });

  it("says what GitHub answered when a call fails: a status and its meaning, a rate limit, or no answer", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const base = await repo.head();
    const head = await repo.commit({ "files/zshrc": "answers\n" });
    gh.answers.push({
      match: /^GET .*\/comments$/,
      status: 406,
      body: { message: "Not Acceptable" },
      times: 1,
    });
    const notAcceptable = await runAction({ repo, base, head, number: nextPr++ });
    expect(notAcceptable.exitCode, notAcceptable.log).toBe(0);
    expect(notAcceptable.log).toContain(
      "::warning::dotops: could not list the pull request's comments: 406 Not Acceptable; GitHub answered HTTP 406 Not Acceptable; the plan is in the job summary",
    );

    // A 429, and a 403 that is a rate limit, not a missing permission: neither fails the step.
    const limited = { message: "API rate limit exceeded" };
    gh.answers.push({
      match: /^POST .*\/statuses\//,
      status: 429,
      body: limited,
      headers: { "retry-after": "0" },
      times: 4,
    });
    const tooMany = await runAction({ repo, base, head, number: nextPr++, inputs: { comment: "false" } });
    expect(tooMany.exitCode, tooMany.log).toBe(0);
    expect(tooMany.log).toContain(
      "429 API rate limit exceeded; GitHub's API rate limit is used up (HTTP 429 Too Many Requests); the plan is in the job summary",
    );
    gh.answers.push({
      match: /^POST .*\/statuses\//,
      status: 403,
      body: limited,
      headers: { "x-ratelimit-remaining": "0", "retry-after": "0" },
      times: 4,
    });
    const spent = await runAction({ repo, base, head, number: nextPr++, inputs: { comment: "false" } });
    expect(spent.exitCode, spent.log).toBe(0);
    expect(spent.log).toContain("GitHub's API rate limit is used up (HTTP 403 Forbidden)");
    expect(spent.log).not.toContain("lacks permission");
    for (const r of [notAcceptable, tooMany, spent]) expect(r.log).not.toContain("did not answer");

    expect(
      permissionHint(new ApiError("set a status", undefined, "timed out after 30s"), "statuses: write"),
    ).toBe("GitHub did not answer; the plan is in the job summary");
  });

  it("retries a 502 from the API", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const base = await repo.head();
    const head = await repo.commit({ "files/zshrc": "retry\n" });
    const number = nextPr++;
    gh.failNext = 1;
    const r = await runAction({ repo, base, head, number });
    expect(r.exitCode, r.log).toBe(0);
    expect(sticky(number)).toHaveLength(1);
  });
});

describe("action on a push", () => {
  it("sets statuses on the pushed commit and writes no comment", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const before = await repo.head();
    const after = await repo.commit({ "files/zshrc": "pushed\n" });
    const r = await runAction({ repo, base: before, head: after, event: "push", inputs: { mode: "check" } });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      `POST /repos/alice/dotfiles/statuses/${after}`,
    ]);
    expect(r.summary).toContain("0 to create, 1 to update, 0 to delete");
    expect(r.summary).not.toContain("Against this runner");
  });
});

describe("action inputs and helpers", () => {
  it("reads inputs once into a typed object and rejects bad values", () => {
    const env = {
      "INPUT_CONFIG-PATH": "dotfiles",
      INPUT_HOSTS: "a, b\nc  a",
      INPUT_MODE: "ephemeral",
      "INPUT_FAIL-ON": "changes",
      INPUT_COMMENT: "False",
      "INPUT_GITHUB-TOKEN": "t",
      GITHUB_WORKSPACE: "/w",
    };
    expect(
      getInputs(
        createCore(env, () => {}),
        env,
      ),
    ).toEqual({
      configPath: "/w/dotfiles",
      hosts: ["a", "b", "c"],
      mode: "ephemeral",
      githubToken: "t",
      comment: false,
      failOn: "changes",
      updateBranch: "dotops/update-inputs",
    });
    expect(
      getInputs(
        createCore({}, () => {}),
        { GITHUB_WORKSPACE: "/w" },
      ),
    ).toMatchObject({
      configPath: "/w",
      hosts: [],
      mode: "plan",
      comment: true,
      failOn: "error",
    });
    const bad = { INPUT_MODE: "destroy" };
    expect(() =>
      getInputs(
        createCore(bad, () => {}),
        bad,
      ),
    ).toThrow(new InputError('input mode must be one of check, plan, ephemeral, update, not "destroy"'));
    const badBool = { INPUT_COMMENT: "yes" };
    expect(() =>
      getInputs(
        createCore(badBool, () => {}),
        badBool,
      ),
    ).toThrow(/comment must be true or false/);
    expect(parseList("")).toEqual([]);
    expect(runnerPlatform({ RUNNER_OS: "macOS" })).toBe("darwin");
    expect(runnerPlatform({ RUNNER_OS: "Linux" })).toBe("linux");
  });

  it("merges comment sections: mine replace theirs, others kept while their host exists", () => {
    const existing = parseSections(
      `${MARKER}\n## dotops plan\n\n${wrapSection("mac", "old mac")}\n\n${wrapSection("box", "old box")}\n\n${wrapSection("gone", "x")}\n`,
    );
    expect([...existing.keys()]).toEqual(["mac", "box", "gone"]);
    const merged = mergeSections(
      existing,
      new Map([["box", wrapSection("box", "new box")]]),
      (k) => k !== "gone",
    );
    expect([...merged.keys()]).toEqual(["box", "mac"]);
    expect(merged.get("box")).toContain("new box");
    expect(merged.get("mac")).toContain("old mac");
  });

  it("truncates markdown at a line, closing fences and details", () => {
    const md = `<details><summary>x</summary>\n\n\`\`\`diff\n${"+line\n".repeat(1000)}\`\`\`\n</details>\n`;
    const t = truncateMarkdown(md, 1000);
    expect(t.length).toBeLessThanOrEqual(1000);
    expect(t).toMatch(/\+line\n```\n<\/details>\n\n_… truncated/);
  });
});
