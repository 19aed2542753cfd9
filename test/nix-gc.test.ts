/**
 * The rest of the Nix layer through the real CLI and real Nix (offline, stand-in
 * flakes, see nix-world.ts): gc of dotops' profile generations, the plan naming
 * the flake inputs whose lock changed, and `health` with and without Nix.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa, execaSync } from "execa";
import { describe, expect, it } from "vitest";
import { ConfigRepo, dotops, git, sandbox, tempDir } from "./helpers.js";
import { flake, NIX, NIX_CONFIG, world } from "./nix-world.js";

if (!NIX)
  console.log("test/nix-gc.test.ts: skipped, `nix` is not on PATH (.ci/run installs Debian's nix-bin)");

/** The profile's generation numbers, from its `profile-<N>-link`s beside it. */
const profileGenerations = (profile: string) =>
  readdirSync(join(profile, ".."))
    .map((n) => /^profile-(\d+)-link$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);

/** What `nix-env --list-generations` says the profile has (Nix's own view, not the links). */
async function listedGenerations(profile: string): Promise<number[]> {
  const r = await execa("nix-env", ["-p", profile, "--list-generations"], { env: { NIX_CONFIG } });
  return r.stdout
    .split("\n")
    .map((l) => Number(l.trim().split(/\s+/)[0]))
    .filter((n) => n > 0);
}

/** A PATH with git, id and sh but no nix. */
function pathWithoutNix(): string {
  const bin = tempDir("dotops-nonix-");
  for (const tool of ["git", "id", "sh"])
    symlinkSync(execaSync("sh", ["-c", `command -v ${tool}`]).stdout, join(bin, tool));
  return bin;
}

/** A flake to be an input of the config repo's flake (git+file:), with commits to bump it. */
async function inputRepo() {
  const dir = tempDir("dotops-input-");
  await git(dir, "init", "-q", "-b", "main");
  let n = 0;
  const bump = async () => {
    n += 1;
    writeFileSync(join(dir, "flake.nix"), `{ outputs = { self }: { v = "${n}"; }; }\n`);
    await git(dir, "add", "-A");
    await git(dir, "commit", "-q", "-m", `v${n}`);
    return git(dir, "rev-parse", "HEAD");
  };
  return { dir, url: `git+file://${dir}`, bump };
}

/** Runs `nix flake lock` (args: --update-input …) in the config repo and commits flake.lock. */
async function lock(repo: ConfigRepo, args: string[] = [], message = "lock") {
  await execa(NIX as string, ["flake", "lock", ...args], { cwd: repo.dir, env: { NIX_CONFIG } });
  return repo.commit({ "flake.lock": readFileSync(join(repo.dir, "flake.lock"), "utf8") }, message);
}

const short = (rev: string) => rev.slice(0, 7);

describe.skipIf(!NIX)("nix profile generations in gc", () => {
  it("gc deletes the profile generations no remaining dotops generation uses (dry-run lists them), never the current one, and leaves Home Manager's profile alone", async () => {
    const yaml = (pkgs: string) =>
      `nix:\n  packagesFrom: "."\n  packages: [${pkgs}]\n  homeManager: { flake: ".", user: me }\n`;
    const t = await world(yaml("git"));
    const hmProfile = join(tempDir("dotops-hmprof-"), "home-manager");
    const env = { DOTOPS_NIX_HOME_MANAGER_PROFILE: hmProfile };
    expect((await t.run(["apply"], env)).exitCode).toBe(0);
    await t.repo.commit({
      "system/nix.yaml": yaml("git, curl"),
      "flake.nix": flake({ salt: t.salt, darwin: "2" }),
    });
    expect((await t.run(["apply"], env)).exitCode).toBe(0);
    await t.repo.commit({
      "system/nix.yaml": yaml("git, curl, wget"),
      "flake.nix": flake({ salt: t.salt, darwin: "3" }),
    });
    const third = await t.run(["apply"], env);
    expect(third.exitCode, third.stderr).toBe(0);
    expect(profileGenerations(t.profile)).toEqual([1, 2, 3]);
    const hmBefore = readdirSync(join(hmProfile, "..")).sort();
    expect(hmBefore.filter((n) => n.endsWith("-link"))).toHaveLength(3);

    // Dry run: listed, nothing deleted.
    const dry = await t.run(["gc", "--keep", "1", "--dry-run", "--json"], env);
    expect(dry.exitCode, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan.deletedGenerations).toEqual([1, 2]);
    expect(plan.collected).toEqual([
      expect.objectContaining({ kind: "nix-profile", path: t.profile, deleted: [1, 2] }),
    ]);
    expect(profileGenerations(t.profile)).toEqual([1, 2, 3]);
    expect(await listedGenerations(t.profile)).toEqual([1, 2, 3]);

    // Keep two dotops generations: profile generation 1 goes, 2 (dotops generation 2's) stays.
    const gc = await t.run(["gc", "--keep", "2"], env);
    expect(gc.exitCode, gc.stderr).toBe(0);
    expect(gc.stdout).toMatch(/Deleted 1 Nix profile generation\(s\) of .*nix\/profile \(1\)/);
    expect(gc.stdout).toMatch(/nix-store --gc.*nix store gc/);
    expect(t.nixCalls().join("\n")).not.toMatch(/store gc|--gc/);
    expect(profileGenerations(t.profile)).toEqual([2, 3]);
    expect(await listedGenerations(t.profile)).toEqual([2, 3]);
    expect(t.current().generation).toBe(3);
    expect(readdirSync(join(hmProfile, "..")).sort()).toEqual(hmBefore);

    // Rolling back to dotops generation 2 still finds its profile generation: no build.
    const builds = t.builds().length;
    const rb = await t.run(["rollback"], env);
    expect(rb.exitCode, rb.stderr).toBe(0);
    expect(t.current().generation).toBe(2);
    expect(t.builds().length).toBe(builds);
  });

  it("a profile generation made by hand is current: gc keeps it; once apply has switched back, gc deletes it", async () => {
    const t = await world('nix:\n  packagesFrom: "."\n  packages: [git]\n');
    expect((await t.run(["apply"])).exitCode).toBe(0);
    const jq = await execa(NIX as string, ["build", "--no-link", "--json", `path:${t.repo.dir}#jq`], {
      env: { NIX_CONFIG },
    });
    await execa("nix-env", ["-p", t.profile, "--set", JSON.parse(jq.stdout)[0].outputs.out]);
    expect(t.current().generation).toBe(2);

    const kept = await t.run(["gc", "--json"]);
    expect(kept.exitCode, kept.stderr).toBe(0);
    expect(JSON.parse(kept.stdout).collected[0].deleted).toEqual([]);
    expect(profileGenerations(t.profile)).toEqual([1, 2]);

    expect((await t.run(["apply"])).exitCode).toBe(0);
    expect(t.current().generation).toBe(1);
    const gone = await t.run(["gc", "--json"]);
    expect(JSON.parse(gone.stdout).collected[0].deleted).toEqual([2]);
    expect(profileGenerations(t.profile)).toEqual([1]);
    expect(realpathSync(join(t.profile, "bin/git"))).toMatch(/-git-2\.40\/bin\/git$/);
  });
});

describe.skipIf(!NIX)("the plan names the flake inputs whose lock changed", () => {
  it("a bumped git+file input: old → new rev on the nix-profile and Home Manager changes, on the machine and in plan --from --to", async () => {
    const sub = await inputRepo();
    const rev1 = await sub.bump();
    const yaml = 'nix:\n  packagesFrom: "."\n  packages: [git]\n  homeManager: { flake: ".", user: me }\n';
    const t = await world(yaml);
    const env = { DOTOPS_NIX_HOME_MANAGER_PROFILE: join(tempDir("dotops-hmprof-"), "home-manager") };
    await t.repo.commit({ "flake.nix": flake({ salt: t.salt, inputs: { sub: sub.url } }) }, "use sub");
    await lock(t.repo);
    const first = await t.run(["apply"], env);
    expect(first.exitCode, first.stderr).toBe(0);

    const rev2 = await sub.bump();
    await lock(t.repo, ["--update-input", "sub"], "bump sub");
    const line = `sub: ${sub.url}?rev=${short(rev1)} → ${short(rev2)}`;
    const plan = await t.run(["plan", "--json"], env);
    expect(plan.exitCode, plan.stderr).toBe(0);
    const changes = JSON.parse(plan.stdout).changes as { kind: string; note?: string }[];
    expect(changes.map((c) => c.kind).sort()).toEqual(["nix-home-manager", "nix-profile"]);
    for (const c of changes) expect(c.note).toContain(`flake.lock: ${line}`);
    const text = await t.run(["plan"], env);
    expect(text.stdout).toContain(line);

    const between = await t.run(["plan", "--from", "HEAD~1", "--to", "HEAD", "--json"], env);
    expect(between.exitCode, between.stderr).toBe(0);
    const notes = (JSON.parse(between.stdout).changes as { kind: string; note?: string }[]).map(
      (c) => `${c.kind}: ${c.note}`,
    );
    expect(notes).toEqual([
      expect.stringMatching(new RegExp(`^nix-home-manager: .*flake\\.lock: ${reEscape(line)}$`)),
      expect.stringMatching(new RegExp(`^nix-profile: .*flake\\.lock: ${reEscape(line)}$`)),
    ]);
  });

  it("an input replaced by another: one added, one removed", async () => {
    const [a, b] = [await inputRepo(), await inputRepo()];
    const [revA, revB] = [await a.bump(), await b.bump()];
    const t = await world('nix:\n  packagesFrom: "."\n  packages: [git]\n');
    await t.repo.commit({ "flake.nix": flake({ salt: t.salt, inputs: { alpha: a.url } }) });
    await lock(t.repo);
    expect((await t.run(["apply"])).exitCode).toBe(0);
    await t.repo.commit({ "flake.nix": flake({ salt: t.salt, inputs: { beta: b.url } }) });
    await lock(t.repo);
    const plan = await t.run(["plan"]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(
      `flake.lock: alpha: removed (was ${a.url}?rev=${short(revA)}), beta: added ${b.url}?rev=${short(revB)}`,
    );
  });
});

describe("the plan names changed flake inputs without a machine", () => {
  it("plan --from --to names a nixpkgs bump as github:NixOS/nixpkgs/old → new (no nix needed: nothing is built)", async () => {
    const lockOf = (rev: string, hmRev: string) =>
      JSON.stringify({
        nodes: {
          root: { inputs: { nixpkgs: "nixpkgs", "home-manager": "home-manager" } },
          nixpkgs: { locked: { type: "github", owner: "NixOS", repo: "nixpkgs", rev, narHash: "sha256-x" } },
          "home-manager": {
            inputs: { nixpkgs: ["nixpkgs"] },
            locked: { type: "github", owner: "nix-community", repo: "home-manager", rev: hmRev },
          },
        },
        root: "root",
        version: 7,
      });
    const { home } = sandbox();
    const repo = await ConfigRepo.create({
      "dotops.yaml": "version: 1\nimports: [system/*.yaml]\nhosts:\n  box: { platform: darwin }\n",
      "system/nix.yaml": 'nix:\n  darwin: { flake: ".", host: mac }\n',
      "flake.nix": "{ outputs = { self, nixpkgs, home-manager }: { }; }\n",
      "flake.lock": lockOf("abc1234ffff0000", "1111111aaaa"),
    });
    await repo.commit({ "flake.lock": lockOf("def5678eeee1111", "1111111aaaa") }, "bump nixpkgs");
    const r = await dotops(["--repo", repo.dir, "plan", "--from", "HEAD~1", "--to", "HEAD"], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /~ nix-darwin nix\/darwin .*flake\.lock: nixpkgs: github:NixOS\/nixpkgs\/abc1234 → def5678\)/,
    );
    // home-manager's nixpkgs follows the root's: an alias, not an input of its own.
    expect(r.stdout).not.toMatch(/home-manager/);
  });
});

describe.skipIf(!NIX)("health and Nix", () => {
  it("without nix on PATH: a warning saying how many packages are not managed and how to install Nix, not a failure", async () => {
    const t = await world('nix:\n  packagesFrom: "."\n  packages: [git, curl]\n');
    expect((await t.run(["apply"])).exitCode).toBe(0);
    const r = await t.run(["health"], { PATH: pathWithoutNix() });
    expect(r.stdout).toMatch(
      /^! nix +not installed \(2 packages not managed\); install Nix: .*Determinate Systems/m,
    );
    expect(r.stdout).toMatch(/nixos\.org/);
    expect(r.stdout).toMatch(/^✓ drift .*except what is not observable here: nix\/packages/m);
    expect(r.stdout).toMatch(/^Healthy, with warnings/m);
    expect(r.exitCode, r.stdout).toBe(6);
    const json = JSON.parse((await t.run(["health", "--json"], { PATH: pathWithoutNix() })).stdout);
    expect(json.ok).toBe(true);
    expect(json.items).toContainEqual(expect.objectContaining({ name: "nix", ok: true, warn: true }));
  });

  it("with nix: the profile's current generation, and whether it is the one the current dotops generation set", async () => {
    const t = await world('nix:\n  packagesFrom: "."\n  packages: [git]\n');
    expect((await t.run(["apply"])).exitCode).toBe(0);
    const ok = await t.run(["health"]);
    expect(ok.exitCode, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(
      /^✓ nix +profile generation 1 \(\/nix\/store\/.*\), the one the current dotops generation set$/m,
    );

    const jq = await execa(NIX as string, ["build", "--no-link", "--json", `path:${t.repo.dir}#jq`], {
      env: { NIX_CONFIG },
    });
    await execa("nix-env", ["-p", t.profile, "--set", JSON.parse(jq.stdout)[0].outputs.out]);
    const bad = await t.run(["health"]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toMatch(
      /^✗ nix +profile generation 2 .* is not the one the current dotops generation set/m,
    );
    expect(existsSync(t.profile)).toBe(true);
  });
});

const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
