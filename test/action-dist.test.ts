import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGitHub } from "./action-github-fake.js";
import { ConfigRepo, minimalConfig, ROOT, sandbox, tempDir } from "./helpers.js";

describe("action/dist", () => {
  it("matches a fresh esbuild build of action/src and src (npm run check-dist)", async () => {
    const r = await execa(process.execPath, [join(ROOT, "scripts/build-action.mjs"), "--check"], {
      reject: false,
      all: true,
    });
    // On failure: run `npm run build:action` and commit action/dist (any change under src/ needs it too).
    expect(r.exitCode, r.all).toBe(0);
  });

  describe("the committed bundle, run as the runner runs it (node action/dist/index.js)", () => {
    const gh = new FakeGitHub();
    beforeAll(async () => {
      await gh.start();
    });
    afterAll(() => gh.stop());

    it("plans a PR and writes the sticky comment, the status and the outputs", async () => {
      const repo = await ConfigRepo.create(minimalConfig());
      const base = await repo.head();
      const head = await repo.commit({ "files/zshrc": "bundled\n" });
      const dir = tempDir("dotops-dist-");
      const event = join(dir, "event.json");
      writeFileSync(
        event,
        JSON.stringify({
          number: 3,
          pull_request: {
            number: 3,
            base: { sha: base, repo: { full_name: "alice/dotfiles" } },
            head: { sha: head, repo: { full_name: "alice/dotfiles" } },
          },
        }),
      );
      const output = join(dir, "output");
      const summary = join(dir, "summary.md");
      writeFileSync(output, "");
      writeFileSync(summary, "");
      const r = await execa(process.execPath, [join(ROOT, "action/dist/index.js")], {
        reject: false,
        extendEnv: false,
        all: true,
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: sandbox().home,
          "INPUT_CONFIG-PATH": repo.dir,
          INPUT_MODE: "plan",
          "INPUT_GITHUB-TOKEN": gh.token,
          INPUT_COMMENT: "true",
          "INPUT_FAIL-ON": "error",
          INPUT_HOSTS: "",
          GITHUB_EVENT_NAME: "pull_request",
          GITHUB_EVENT_PATH: event,
          GITHUB_REPOSITORY: "alice/dotfiles",
          GITHUB_API_URL: gh.url,
          GITHUB_OUTPUT: output,
          GITHUB_STEP_SUMMARY: summary,
          RUNNER_OS: "Linux",
          RUNNER_TEMP: dir,
        },
      });
      expect(r.exitCode, r.all).toBe(0);
      expect(gh.violations).toEqual([]);
      expect(gh.commentsOn(3)).toHaveLength(1);
      expect(gh.commentsOn(3)[0]?.body).toContain("+bundled");
      expect(gh.statuses).toMatchObject([{ sha: head, context: "dotops/box", state: "success" }]);
      expect(readFileSync(output, "utf8")).toMatch(/^has-changes<<ghadelimiter_[\w-]+\ntrue\n/m);
      expect(readFileSync(summary, "utf8")).toContain("<b>box</b>");
    });

    it("fails the step (exit 1) with the error as a workflow command", async () => {
      const r = await execa(process.execPath, [join(ROOT, "action/dist/index.js")], {
        reject: false,
        extendEnv: false,
        all: true,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", INPUT_MODE: "destroy", GITHUB_REPOSITORY: "a/b" },
      });
      expect(r.exitCode).toBe(1);
      expect(r.all).toContain(
        '::error::dotops: input mode must be one of check, plan, ephemeral, update, not "destroy"',
      );
    });
  });
});
