/**
 * The Nix layer through the real CLI and real Nix (Debian's nix-bin, offline:
 * local flakes whose derivations are built by /bin/sh, no nixpkgs). A stand-in
 * flake committed in the config repo exposes packages.<system>.{git,curl,wget,jq}
 * and a fake nix-darwin system whose activate writes a marker file.
 */
import { existsSync, readFileSync, readlinkSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa, execaSync } from "execa";
import { describe, expect, it } from "vitest";
import { tempDir } from "./helpers.js";
import { flake, NIX, NIX_CONFIG, SIM_BIN, world } from "./nix-world.js";

if (!NIX) console.log("test/nix.test.ts: skipped, `nix` is not on PATH (.ci/run installs Debian's nix-bin)");

describe.skipIf(!NIX)("nix (real Nix, local flakes)", () => {
  it("renders nix.settings as ~/.config/nix/nix.conf, linked, and nix reads it", async () => {
    const t = await world(
      "nix:\n  settings:\n    experimental-features: [nix-command, flakes]\n    max-jobs: 7\n    keep-outputs: true\n    trusted-users: [root, '@admin']\n",
    );
    const r = await t.run(["apply"]);
    expect(r.exitCode, r.stderr).toBe(0);
    const conf = join(t.home, ".config/nix/nix.conf");
    expect(readFileSync(conf, "utf8")).toContain(
      "experimental-features = nix-command flakes\nmax-jobs = 7\nkeep-outputs = true\ntrusted-users = root @admin\n",
    );
    expect(readlinkSync(conf)).toContain(".local/state/dotops/current/");
    const shown = await execa(NIX as string, ["show-config"], {
      env: { HOME: t.home, PATH: process.env.PATH, NIX_CONFIG: "" },
      extendEnv: false,
    });
    expect(shown.stdout).toMatch(/^max-jobs = 7$/m);
    expect(shown.stdout).toMatch(/^keep-outputs = true$/m);
  });

  it("bad settings are refused with the option path and file:line", async () => {
    const t = await world("nix:\n  settings:\n    max-jobs: { a: 1 }\n  scope: everywhere\n");
    const r = await t.run(["plan"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /system\/nix\.yaml:3:\d+.*nix\.settings\.max-jobs|nix\.settings\.max-jobs[\s\S]*system\/nix\.yaml:3/,
    );
    expect(r.stderr).toMatch(/scope/);
  });

  it("scope: system writes /etc/nix/nix.conf as root through the privilege door, and rollback puts the installer's file back", async () => {
    const t = await world("nix:\n  scope: system\n  settings: { max-jobs: 4 }\n");
    const etc = join(tempDir("dotops-etc-"), "nix.conf");
    writeFileSync(etc, "build-users-group = nixbld\n");
    const sim = tempDir("dotops-sim-");
    writeFileSync(join(t.bin, "id"), "#!/bin/sh\necho 501\n", { mode: 0o755 });
    const env = {
      DOTOPS_NIX_SYSTEM_CONF: etc,
      PATH: `${t.bin}:${SIM_BIN}:${process.env.PATH}`,
      SIM_STATE: sim,
    };
    const plan = await t.run(["plan", "--json"], env);
    expect(plan.exitCode, plan.stderr).toBeLessThan(4);
    const change = (
      JSON.parse(plan.stdout).changes as { id: string; needsRoot: boolean; kind: string }[]
    ).find((c) => c.kind === "nix-conf-system");
    expect(change?.needsRoot).toBe(true);
    const r = await t.run(["apply"], env);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(etc, "utf8")).toMatch(/^max-jobs = 4$/m);
    expect(readFileSync(join(sim, "sudo.log"), "utf8")).toMatch(/privileged run$/m);
    expect(existsSync(join(t.home, ".config/nix/nix.conf"))).toBe(false);

    await t.repo.commit({ "system/nix.yaml": "nix: {}\n" }, "unmanage nix.conf");
    const off = await t.run(["apply"], env);
    expect(off.exitCode, off.stderr).toBe(0);
    expect(readFileSync(etc, "utf8")).toBe("build-users-group = nixbld\n");
    const back = await t.run(["rollback"], env);
    expect(back.exitCode, back.stderr).toBe(0);
    expect(readFileSync(etc, "utf8")).toMatch(/^max-jobs = 4$/m);

    // sudo refusing: the write fails, nothing else is left half done.
    await t.repo.commit({ "system/nix.yaml": "nix:\n  scope: system\n  settings: { max-jobs: 9 }\n" });
    const denied = await t.run(["apply"], { ...env, SIM_SUDO: "deny" });
    expect(denied.exitCode).not.toBe(0);
    expect(denied.stderr).toMatch(/sudo/);
    expect(readFileSync(etc, "utf8")).toMatch(/^max-jobs = 4$/m);
  });

  it("packages: one profile generation per dotops generation; a third package shows in the closure diff; git revert reuses the earlier generation without a build", async () => {
    const t = await world('nix:\n  packagesFrom: "."\n  packages: [git, curl]\n');
    const first = await t.run(["apply"]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(t.current().generation).toBe(1);
    expect(await t.tool("git")).toBe("git 2.40");
    expect(await t.tool("curl")).toBe("curl 8.0");
    expect(existsSync(join(t.profile, "bin/wget"))).toBe(false);
    const gen1 = t.current().out;

    await t.repo.commit(
      { "system/nix.yaml": 'nix:\n  packagesFrom: "."\n  packages: [git, curl, wget]\n' },
      "add wget",
    );
    const plan = await t.run(["plan", "--diff", "--detailed-exitcode"]);
    expect(plan.exitCode, plan.stderr).toBe(3);
    expect(plan.stdout).toMatch(/~ nix-profile nix\/packages \(.*adds wget.*\)/);
    expect(plan.stdout).toMatch(/^\s+\+ wget 1\.21$/m);
    const second = await t.run(["apply"]);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(t.current().generation).toBe(2);
    expect(await t.tool("wget")).toBe("wget 1.21");
    const installed = JSON.parse(
      readFileSync(join(t.home, ".local/state/dotops/current/installed.json"), "utf8"),
    );
    expect(installed["nix/packages"]).toBe(t.current().out);

    // An upgrade shows as a version change.
    await t.repo.commit({ "flake.nix": flake({ salt: t.salt, versions: { curl: "8.1" } }) }, "bump curl");
    const bump = await t.run(["plan", "--diff", "--detailed-exitcode"]);
    expect(bump.stdout).toMatch(/^\s+~ curl 8\.0 → 8\.1/m);
    await t.repo.revert();

    await t.repo.revert("HEAD~2");
    const before = t.builds().length;
    const reverted = await t.run(["apply"]);
    expect(reverted.exitCode, reverted.stderr).toBe(0);
    expect(t.builds().length).toBe(before);
    expect(t.current()).toEqual({ generation: 1, out: gen1 });
    expect(existsSync(join(t.profile, "bin/wget"))).toBe(false);

    // Rollback switches the profile back the same way: no build.
    const rb = await t.run(["rollback"]);
    expect(rb.exitCode, rb.stderr).toBe(0);
    expect(t.builds().length).toBe(before);
    expect(t.current().generation).toBe(2);
    expect(await t.tool("wget")).toBe("wget 1.21");
  });

  it("a package that does not exist is refused by name; nothing is switched", async () => {
    const t = await world('nix:\n  packagesFrom: "."\n  packages: [git, wgett]\n');
    const r = await t.run(["apply"]);
    expect(r.exitCode).toBe(4);
    expect(r.stderr + r.stdout).toMatch(/no package wgett/);
    expect(existsSync(t.profile)).toBe(false);
    expect(existsSync(join(t.home, ".zshrc"))).toBe(false);
  });

  it("a flake that fails to evaluate shows nix's error with the flake's file:line; the profile stays as it was", async () => {
    const t = await world('nix:\n  packagesFrom: "."\n  packages: [git]\n');
    expect((await t.run(["apply"])).exitCode).toBe(0);
    const gen = t.current();
    await t.repo.commit({
      "flake.nix": flake({ salt: t.salt, extra: "\n    broken = undefinedThing;" }).replace(
        "packages.",
        "packages = undefinedThing; x.",
      ),
      "system/nix.yaml": 'nix:\n  packagesFrom: "."\n  packages: [git, jq]\n',
    });
    const r = await t.run(["apply"]);
    expect(r.exitCode).toBe(4);
    expect(r.stderr + r.stdout).toMatch(/undefined variable 'undefinedThing'/);
    const refusal = r.stderr.slice(r.stderr.indexOf("refusing to apply"));
    expect(refusal).toMatch(/at flake\.nix:\d+:\d+/);
    expect(refusal).not.toMatch(/-source\/flake\.nix/);
    expect(t.current()).toEqual(gen);
  });

  it("a build killed mid-way leaves the profile unchanged", async () => {
    const t = await world('nix:\n  packagesFrom: "."\n  packages: [git]\n');
    expect((await t.run(["apply"])).exitCode).toBe(0);
    const gen = t.current();
    await t.repo.commit({ "system/nix.yaml": 'nix:\n  packagesFrom: "."\n  packages: [git, killed]\n' });
    const r = await t.run(["apply"]);
    expect(r.exitCode).toBe(4);
    expect(r.stderr + r.stdout).toMatch(/killed-1\.0.*failed|signal/);
    expect(t.current()).toEqual(gen);
  });

  it("a hand-edited profile is drift: status reports it and apply puts dotops' generation back", async () => {
    const t = await world('nix:\n  packagesFrom: "."\n  packages: [git, curl]\n');
    expect((await t.run(["apply"])).exitCode).toBe(0);
    const gen = t.current();
    const jq = await execa(NIX as string, ["build", "--no-link", "--json", `path:${t.repo.dir}#jq`], {
      env: { NIX_CONFIG },
    });
    const out = JSON.parse(jq.stdout)[0].outputs.out as string;
    await execa("nix-env", ["-p", t.profile, "--set", out]);
    const status = await t.run(["status"]);
    expect(status.stdout + status.stderr).toMatch(/nix\/packages.*changed outside dotops/);
    const fix = await t.run(["apply"]);
    expect(fix.exitCode, fix.stderr).toBe(0);
    expect(t.current().out).toBe(gen.out);
  });

  it("without nix on PATH: the plan says nix is not installed and how many packages are not managed; apply refuses, nothing else fails", async () => {
    const t = await world('nix:\n  packagesFrom: "."\n  packages: [git, curl]\n');
    const bin = tempDir("dotops-nonix-");
    for (const tool of ["git", "id", "sh"])
      symlinkSync(execaSync("sh", ["-c", `command -v ${tool}`]).stdout, join(bin, tool));
    const env = { PATH: bin };
    const plan = await t.run(["plan"], env);
    expect(plan.stdout).toMatch(/nix: not installed \(2 packages not managed\)/);
    expect(plan.stdout).toMatch(/\+ link ~\/\.zshrc/);
    const health = await t.run(["health"], env);
    expect(health.stdout + health.stderr).not.toMatch(/TypeError|at .*\.js:\d+/);
    const r = await t.run(["apply"], env);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/install Nix/);
  });

  it("nix-darwin delegation on a fake system: plan, switch through the door, marker written, diff-closures, rollback switches the system profile back", async () => {
    const t = await world('nix:\n  darwin: { flake: ".", host: mac }\n', { platform: "darwin" });
    const sysProfile = join(tempDir("dotops-sysprof-"), "system");
    const sim = tempDir("dotops-sim-");
    writeFileSync(join(t.bin, "id"), "#!/bin/sh\necho 501\n", { mode: 0o755 });
    const env = {
      DOTOPS_NIX_DARWIN_PROFILE: sysProfile,
      PATH: `${t.bin}:${SIM_BIN}:${process.env.PATH}`,
      SIM_STATE: sim,
    };
    const plan = await t.run(["plan"], env);
    expect(plan.stdout).toMatch(/\+ nix-darwin nix\/darwin .*\[needs root\]/);
    const r = await t.run(["apply"], env);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(t.home, "activated"), "utf8").trim()).toBe("1");
    expect(realpathSync(sysProfile)).toMatch(/-darwin-system-1$/);
    expect(readFileSync(join(sim, "sudo.log"), "utf8")).toMatch(/privileged run$/m);

    await t.repo.commit({ "flake.nix": flake({ salt: t.salt, darwin: "2" }) }, "system 2");
    const plan2 = await t.run(["plan", "--diff", "--detailed-exitcode"], env);
    expect(plan2.stdout).toMatch(/~ nix-darwin nix\/darwin/);
    expect(plan2.stdout).toMatch(/~ darwin-system 1 → 2/);
    expect((await t.run(["apply"], env)).exitCode).toBe(0);
    expect(readFileSync(join(t.home, "activated"), "utf8").trim()).toBe("2");
    expect(realpathSync(sysProfile)).toMatch(/-darwin-system-2$/);

    const before = t.builds().length;
    const rb = await t.run(["rollback"], env);
    expect(rb.exitCode, rb.stderr).toBe(0);
    expect(realpathSync(sysProfile)).toMatch(/-darwin-system-1$/);
    expect(readFileSync(join(t.home, "activated"), "utf8").trim()).toBe("1");
    expect(t.builds().length).toBe(before);
  });

  it("a failed activation leaves the previous system current and the generation failed", async () => {
    const t = await world('nix:\n  darwin: { flake: ".", host: mac }\n', { platform: "darwin" });
    const sysProfile = join(tempDir("dotops-sysprof-"), "system");
    const env = { DOTOPS_NIX_DARWIN_PROFILE: sysProfile };
    expect((await t.run(["apply"], env)).exitCode).toBe(0);
    const good = realpathSync(sysProfile);
    const failing = flake({ salt: t.salt, darwin: "3" }).replace(
      "sys = v: sh",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Nix string, interpolated by Nix
      'sys = v: sh "darwin-system-${v}" "mkdir -p $out; printf \'#!/bin/sh\\\\necho broken >&2; exit 3\\\\n\' > $out/activate; chmod +x $out/activate"; unused = v: sh',
    );
    await t.repo.commit({ "flake.nix": failing });
    const r = await t.run(["apply"], env);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/activate failed \(exit 3\)/);
    expect(realpathSync(sysProfile)).toBe(good);
    const gens = await t.run(["generations", "--json"], env);
    expect(gens.stdout).toMatch(/"failed"/);
  });

  it("Home Manager delegation: activationPackage built, profile set, activate run with --driver-version 1 (no root)", async () => {
    const t = await world('nix:\n  homeManager: { flake: ".", user: me }\n');
    const hmProfile = join(tempDir("dotops-hmprof-"), "home-manager");
    const env = { DOTOPS_NIX_HOME_MANAGER_PROFILE: hmProfile };
    const r = await t.run(["apply"], env);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(t.home, "hm-activated"), "utf8").trim()).toBe("1 --driver-version 1");
    expect(realpathSync(hmProfile)).toMatch(/-home-manager-generation-1$/);
  });
});
