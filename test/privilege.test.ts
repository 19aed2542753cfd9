import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { ConfigRepo, dotops, ROOT, sandbox, tempDir } from "./helpers.js";

/*
 * Root only through one door: a system-wide defaults domain is written by
 * one `sudo -n <node> <dotops> --state <dir> privileged run` call with the steps on stdin;
 * when sudo refuses, the apply fails with the sudoers line to add and the
 * rest of it is undone. The `sudo` simulator runs the command as the same user
 * (no test has root) or refuses as sudo -n does (SIM_SUDO=deny).
 */

const SIM_BIN = join(ROOT, "test/simulators/bin");
const SYSTEM = "/Library/Preferences/com.apple.loginwindow";

async function setup(extra: Record<string, string> = {}) {
  const { home } = sandbox();
  const state = tempDir("dotops-sim-");
  // The user is not root (tests may run as root: `id -u` answers for the user they stand for).
  const bin = tempDir("dotops-bin-");
  writeFileSync(join(bin, "id"), "#!/bin/sh\necho 501\n", { mode: 0o755 });
  const env = { PATH: `${bin}:${SIM_BIN}:${process.env.PATH}`, SIM_STATE: state, ...extra };
  const repo = await ConfigRepo.create({
    "dotops.yaml": "version: 1\nimports: [system/*.yaml, home/*.yaml]\nhosts:\n  mac: { platform: darwin }\n",
    "home/files.yaml": "files:\n  - { target: ~/.zshrc, text: 'export EDITOR=nvim' }\n",
    "system/macos-defaults.yaml": `defaults:\n  com.apple.dock: { autohide: true }\n  ${SYSTEM}: { GuestEnabled: false }\n`,
  });
  const read = (domain: string, key: string) =>
    execa("defaults", ["read", domain, key], { env: { ...process.env, ...env, HOME: home }, reject: false });
  const sudoCalls = () =>
    existsSync(join(state, "sudo.log"))
      ? readFileSync(join(state, "sudo.log"), "utf8").trim().split("\n")
      : [];
  return { home, env, repo, read, sudoCalls };
}

describe.skipIf(process.env.DOTOPS_REAL_MACOS_TOOLS === "1")("the privilege door", () => {
  it("plans a system-wide key as needing root and writes it through one sudo -n call to dotops privileged", async () => {
    const t = await setup();
    const plan = await dotops(["--repo", t.repo.dir, "plan", "--json"], { home: t.home, env: t.env });
    expect(plan.exitCode, plan.stderr).toBe(0);
    const changes = JSON.parse(plan.stdout).changes as { id: string; needsRoot: boolean }[];
    expect(changes.find((c) => c.id === `defaults/${SYSTEM}/GuestEnabled`)?.needsRoot).toBe(true);
    expect(changes.find((c) => c.id === "defaults/com.apple.dock/autohide")?.needsRoot).toBe(false);
    expect(plan.stdout).not.toBe("");

    const r = await dotops(["--repo", t.repo.dir, "apply"], { home: t.home, env: t.env });
    expect(r.exitCode, r.stderr).toBe(0);
    const calls = t.sudoCalls();
    expect(calls).toHaveLength(1);
    // No shell string: node, the CLI and its arguments, each its own argv entry.
    expect(calls[0]).toMatch(
      new RegExp(
        `^-n ${process.execPath} \\S+/dist/cli/main\\.js --state ${t.home}/\\.local/state/dotops privileged run$`,
      ),
    );
    expect((await t.read(SYSTEM, "GuestEnabled")).stdout.trim()).toBe("0");
    expect((await t.read("com.apple.dock", "autohide")).stdout.trim()).toBe("1");
  });

  it("fails with the sudoers line to add when sudo -n refuses, and undoes the rest of the apply", async () => {
    const t = await setup({ SIM_SUDO: "deny" });
    const r = await dotops(["--repo", t.repo.dir, "apply"], { home: t.home, env: t.env });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("sudo: a password is required");
    expect(r.stderr).toMatch(/sudo visudo -f \/etc\/sudoers\.d\/dotops/);
    expect(r.stderr).toMatch(
      new RegExp(
        `ALL=\\(root\\) NOPASSWD: ${process.execPath} \\S+/dist/cli/main\\.js --state ${t.home}/\\.local/state/dotops privileged \\*`,
      ),
    );
    // The dock key written before the root step was put back, the dotfile never switched in.
    expect((await t.read("com.apple.dock", "autohide")).exitCode).toBe(1);
    expect((await t.read(SYSTEM, "GuestEnabled")).exitCode).toBe(1);
    expect(existsSync(join(t.home, ".zshrc"))).toBe(false);
  });

  it("dotops privileged refuses a step whose op does not run as root", async () => {
    const { home } = sandbox();
    const r = await dotops(["--state", join(home, "state"), "privileged", "run"], {
      home,
      input: JSON.stringify({ steps: [{ op: "write", path: "/etc/passwd", object: "x", mode: 420 }] }),
    });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("refusing to run step write as root");
    const outside = await dotops(["--state", join(home, "state"), "privileged", "run"], {
      home,
      input: JSON.stringify({
        steps: [{ op: "defaults-write", domain: "com.apple.dock", key: "autohide", value: null, prev: null }],
      }),
    });
    expect(outside.exitCode).toBe(1);
    expect(outside.stderr).toContain("refusing to run step defaults-write as root");
  });
});
