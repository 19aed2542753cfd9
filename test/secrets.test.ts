import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load.js";
import { sourceFromRecord } from "../src/config/source.js";
import { ConfigError } from "../src/errors.js";
import { buildManifest } from "../src/modules/manifest.js";
import { ConfigRepo, dotops, sandbox } from "./helpers.js";

const TOKEN = "npm_s3cr3t_T0KEN_value";

const config = (vars = "npmToken: !secret env:NPM_TOKEN") => ({
  "dotops.yaml": `version: 1\nimports: [home/*.yaml]\nhosts:\n  box: { platform: linux }\nvars:\n  ${vars}\n  registry: registry.example.com\n`,
  "home/files.yaml":
    "files:\n  - { target: ~/.npmrc, source: files/npmrc.tmpl, mode: template }\n  - { target: ~/.zshrc, source: files/zshrc }\n",
  "files/npmrc.tmpl": "//{{ vars.registry }}/:_authToken={{ vars.npmToken }}\n",
  "files/zshrc": "export EDITOR=nvim\n",
});

/** Every file under `dir`, as one string, to prove a value appears nowhere in it. */
function allText(dir: string): string {
  let out = "";
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out += readFileSync(join(e.parentPath, e.name), "utf8");
  }
  return out;
}

describe("!secret values", () => {
  it("render as a placeholder where the machine is not involved, and mark the file secret", () => {
    const cfg = loadConfig(sourceFromRecord(config()));
    expect(cfg.vars.npmToken).toEqual({ $secret: "env:NPM_TOKEN" });
    const { manifest, blobs } = buildManifest(cfg);
    const npmrc = manifest.resources.find((r) => r.id === "~/.npmrc");
    expect(npmrc).toMatchObject({ kind: "link", secret: true });
    const zshrc = manifest.resources.find((r) => r.id === "~/.zshrc");
    expect(zshrc && "secret" in zshrc).toBe(false);
    const text = blobs.get((npmrc as { object: string }).object)?.data.toString();
    expect(text).toBe("//registry.example.com/:_authToken=«secret env:NPM_TOKEN»\n");
  });

  it("are resolved by the caller's resolver, and a missing one names the placeholder's file:line:col", () => {
    const cfg = loadConfig(sourceFromRecord(config()), {
      resolveSecret: (ref) => (ref === "env:NPM_TOKEN" ? TOKEN : undefined),
    });
    const { manifest, blobs } = buildManifest(cfg);
    const npmrc = manifest.resources.find((r) => r.id === "~/.npmrc") as { object: string };
    expect(blobs.get(npmrc.object)?.data.toString()).toContain(`_authToken=${TOKEN}`);

    const missing = loadConfig(sourceFromRecord(config()), { resolveSecret: () => undefined });
    expect(() => buildManifest(missing)).toThrow(ConfigError);
    try {
      buildManifest(missing);
    } catch (err) {
      expect((err as ConfigError).message).toBe(
        "files/npmrc.tmpl:1:35: secret env:NPM_TOKEN (for {{ vars.npmToken }}) is not available on this machine: set the environment variable",
      );
    }
  });

  it("reject a malformed reference with the file and line", () => {
    expect(() => loadConfig(sourceFromRecord(config("npmToken: !secret NPM_TOKEN")))).toThrow(
      /dotops.yaml:6:\d+: .*!secret env:NAME/,
    );
  });

  it("never appear in plans, logs or generation records; the file on the machine has the value", async () => {
    const repo = await ConfigRepo.create(config());
    const { home } = sandbox();
    const env = { NPM_TOKEN: TOKEN };
    const run = (...args: string[]) => dotops(["--repo", repo.dir, ...args], { home, env });

    const plan = await run("plan", "--diff");
    const planJson = await run("--json", "plan");
    const markdown = await run("plan", "--markdown");
    const applied = await run("-v", "apply");
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(readFileSync(join(home, ".npmrc"), "utf8")).toBe(`//registry.example.com/:_authToken=${TOKEN}\n`);
    for (const out of [plan, planJson, markdown, applied])
      expect(out.stdout + out.stderr).not.toContain(TOKEN);
    expect(plan.stdout).toContain("diff hidden: the file is rendered with !secret values");
    expect(plan.stdout).toContain("+export EDITOR=nvim"); // other files still show their diff
    const generation = join(home, ".local/state/dotops/generations/1");
    expect(allText(generation)).not.toContain(TOKEN);

    // A new token value is a new generation; its plan still shows nothing.
    const rotated = await dotops(["--repo", repo.dir, "apply"], {
      home,
      env: { NPM_TOKEN: "npm_rotated_value" },
    });
    expect(rotated.exitCode).toBe(0);
    expect(rotated.stdout).toContain("~ link ~/.npmrc");
    expect(rotated.stdout).not.toMatch(/npm_rotated_value|npm_s3cr3t/);
    expect(readFileSync(join(home, ".npmrc"), "utf8")).toContain("npm_rotated_value");

    // Between two commits (what a PR plan is) nothing is resolved at all.
    const base = await repo.head();
    await repo.commit({
      "files/npmrc.tmpl":
        "//{{ vars.registry }}/:always-auth=true\n//{{ vars.registry }}/:_authToken={{ vars.npmToken }}\n",
    });
    const between = await run("--json", "plan", "--from", base, "--to", "HEAD");
    expect(between.exitCode, between.stderr).toBe(0);
    expect(JSON.parse(between.stdout).changes).toEqual([
      expect.objectContaining({
        action: "update",
        id: "~/.npmrc",
        diff: "(diff hidden: the file is rendered with !secret values)\n",
      }),
    ]);
    expect(between.stdout).not.toContain(TOKEN);
  });

  it("fails the apply (exit 2, nothing changed) when the secret is not on this machine; file: secrets read a file", async () => {
    const repo = await ConfigRepo.create(config("npmToken: !secret file:~/.config/dotops/npm-token"));
    const { home } = sandbox();
    const missing = await dotops(["--repo", repo.dir, "apply"], { home });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain(
      "secret file:~/.config/dotops/npm-token (for {{ vars.npmToken }}) is not available on this machine: create the file",
    );
    expect(readdirSync(home)).toEqual([]);

    mkdirSync(join(home, ".config/dotops"), { recursive: true });
    writeFileSync(join(home, ".config/dotops/npm-token"), `${TOKEN}\n`);
    const ok = await dotops(["--repo", repo.dir, "apply"], { home });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(readFileSync(join(home, ".npmrc"), "utf8")).toBe(`//registry.example.com/:_authToken=${TOKEN}\n`);
    expect(ok.stdout).not.toContain(TOKEN);
  });
});
