import { readdirSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigRepo, dotops, minimalConfig, sandbox } from "./helpers.js";

const withChecks = (checks: string) => {
  const files = minimalConfig();
  return { ...files, "dotops.yaml": `${files["dotops.yaml"]}agent:\n  healthChecks:\n${checks}` };
};

describe("health (health-check)", () => {
  it("reports a healthy machine, then each kind of trouble by name", async () => {
    const repo = await ConfigRepo.create(withChecks("    - { name: git works, run: [git, --version] }\n"));
    const { home } = sandbox();
    const run = (...args: string[]) => dotops(["--repo", repo.dir, ...args], { home });

    // Nothing applied: a warning (exit 6) that says what to do, not a failure.
    const empty = await run("health");
    expect(empty.exitCode).toBe(6);
    expect(empty.stdout).toMatch(/! state +not set up: nothing has been applied on this machine/);

    expect((await run("apply")).exitCode).toBe(0);
    const ok = await run("health-check");
    expect(ok.exitCode, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/✓ generation +1 \(applied\)/);
    expect(ok.stdout).toMatch(/✓ store +2 objects present/);
    expect(ok.stdout).toMatch(/✓ check: git works +exit 0/);
    expect(ok.stdout).toContain("Healthy.");

    unlinkSync(join(home, ".zshrc"));
    const store = join(home, ".local/state/dotops/store");
    unlinkSync(join(store, readdirSync(store)[0] as string));
    expect((await run("suspend")).exitCode).toBe(0);
    const bad = await run("--json", "health");
    expect(bad.exitCode).toBe(1);
    const items = Object.fromEntries(
      JSON.parse(bad.stdout).items.map((i: { name: string; ok: boolean; detail: string }) => [i.name, i]),
    );
    expect(items.drift).toMatchObject({ ok: false, detail: expect.stringContaining("~/.zshrc") });
    expect(items.store).toMatchObject({
      ok: false,
      status: "fail",
      detail: expect.stringMatching(/^1 missing \(e\.g\. [0-9a-f]{64}-.+\) of 2 objects$/),
      fix: "dotops apply restores them from the config",
    });
    expect(items.agent).toMatchObject({
      ok: false,
      status: "fail",
      detail: expect.stringMatching(/^suspended since/),
      fix: "dotops resume",
    });
  });

  it("runs the applied config's health checks and fails on one that fails", async () => {
    const repo = await ConfigRepo.create(
      withChecks("    - { name: has nvim config, run: [test, -e, .config/nvim/init.lua] }\n"),
    );
    const { home } = sandbox();
    // The first generation has nothing to roll back to: it stays, and apply fails loudly.
    const applied = await dotops(["--repo", repo.dir, "apply"], { home });
    expect(applied.exitCode).toBe(1);
    expect(applied.stdout).toMatch(
      /health check "has nvim config" failed \(exit 1\) and there is no earlier generation/,
    );
    const r = await dotops(["--repo", repo.dir, "health"], { home });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/✗ check: has nvim config +exit 1/);
  });

  it("expands a leading ~ in a check's words, as a shell would, and nothing else", async () => {
    const repo = await ConfigRepo.create(
      withChecks(
        "    - { name: zshrc is there, run: [test, -f, ~/.zshrc] }\n    - { name: literal tilde, run: [test, ~x, =, ~x] }\n",
      ),
    );
    const { home } = sandbox();
    const applied = await dotops(["--repo", repo.dir, "apply"], { home });
    expect(applied.exitCode, applied.stdout + applied.stderr).toBe(0);
    const r = await dotops(["--repo", repo.dir, "health"], { home });
    expect(r.stdout).toMatch(/✓ check: zshrc is there/);
    expect(r.stdout).toMatch(/✓ check: literal tilde/);
  });
});
