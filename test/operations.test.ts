import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigRepo, dotops, minimalConfig, ROOT, sandbox, tempDir } from "./helpers.js";

/*
 * health, maintain and gc --dry-run (the reference system's health-check,
 * health-maintain and cleanup) on real state: several generations applied by
 * the built CLI into a sandbox HOME, then broken on purpose.
 */

interface Item {
  name: string;
  status: "ok" | "warn" | "fail";
  detail: string;
  fix?: string;
}

/** A repo with `n` generations applied (each commit changes .zshrc and adds a file). */
async function applied(n: number, extra: Record<string, string> = {}) {
  const repo = await ConfigRepo.create(minimalConfig(extra));
  const { home, state } = sandbox();
  const run = (args: string[], env?: Record<string, string>) =>
    dotops(["--repo", repo.dir, ...args], { home, env });
  expect((await run(["apply"])).exitCode).toBe(0);
  for (let i = 2; i <= n; i++) {
    await repo.commit({
      "files/zshrc": `export V=${i}\n`,
      "home/files.yaml": `${minimalConfig()["home/files.yaml"]}  - { target: ~/.note${i}, text: "note ${i}\\n" }\n`,
    });
    expect((await run(["apply"])).exitCode).toBe(0);
  }
  const health = async (...args: string[]) => {
    const r = await run(["--json", "health", ...args]);
    return {
      exitCode: r.exitCode,
      items: (JSON.parse(r.stdout) as { items: Item[] }).items,
      stderr: r.stderr,
    };
  };
  return { repo, home, state, run, health };
}

const byName = (items: Item[], name: string) => items.find((i) => i.name === name) as Item;

describe("health", () => {
  it("on a machine where nothing was applied: not set up, and the next step (exit 6)", async () => {
    const { home } = sandbox();
    const r = await dotops(["health"], { home });
    expect(r.exitCode).toBe(6);
    expect(r.stdout).toMatch(/! state\s+not set up: nothing has been applied on this machine/);
    expect(r.stdout).toMatch(/→ dotops apply, in your config repo \(to start one: dotops init ~\/dotfiles\)/);
    const json = JSON.parse((await dotops(["--json", "health"], { home })).stdout);
    expect(json).toMatchObject({ ok: true, status: "warn", items: [{ name: "state", status: "warn" }] });
  });

  it("reports each line ok on a sound machine, then behind, disk, and a store object corrupted under its recorded size and time, caught by --full", async () => {
    const { repo, state, run, health } = await applied(3);
    const ok = await health();
    expect(ok.exitCode, JSON.stringify(ok.items)).toBe(0);
    expect(ok.items.map((i) => [i.name, i.status])).toEqual([
      ["state", "ok"],
      ["generation", "ok"],
      ["behind", "ok"],
      ["store", "ok"],
      ["disk", "ok"],
      ["drift", "ok"],
      ["agent", "ok"],
    ]);
    expect(byName(ok.items, "disk").detail).toMatch(
      /^store \d+(\.\d)? (B|KiB) in \d+ objects; 3 generations \d/,
    );

    await repo.commit({ "files/zshrc": "export V=next\n" });
    const behind = await health();
    expect(behind.exitCode).toBe(6);
    expect(byName(behind.items, "behind")).toMatchObject({
      status: "warn",
      detail: expect.stringMatching(/^1 commit\(s\) behind HEAD/),
      fix: "dotops apply (or let the agent)",
    });

    // Corrupt the object behind ~/.zshrc, keeping its size and time: only reading it tells.
    const store = join(state, "store");
    const object = readdirSync(store).find(
      (o) => o.endsWith("-zshrc") && readFileSync(join(store, o), "utf8") === "export V=3\n",
    ) as string;
    const path = join(store, object);
    const { mtime, atime, mode } = statSync(path);
    chmodSync(path, 0o644);
    writeFileSync(path, "export V=X\n");
    chmodSync(path, mode);
    utimesSync(path, atime, mtime);
    const full = await health("--full");
    expect(full.exitCode).toBe(1);
    expect(byName(full.items, "store")).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(
        new RegExp(`^1 changed since applied \\(e\\.g\\. ${object}\\) of \\d+ objects$`),
      ),
      fix: "dotops apply restores them from the config",
    });
    const text = await run(["health", "--full"]);
    expect(text.stdout).toMatch(/✗ store\s+1 changed since applied/);
    expect(text.stdout).toMatch(/Not healthy: see the ✗ lines\./);

    // An object that cannot be read (EACCES from the file system): a failure that names it, not a crash.
    const denied = await run(["--json", "health", "--full"], { DOTOPS_FAULT: `readFile:${object}:EACCES` });
    expect(denied.exitCode, denied.stderr).toBe(1);
    expect(byName(JSON.parse(denied.stdout).items, "store")).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(new RegExp(`^1 unreadable \\(e\\.g\\. ${object}\\) of \\d+ objects$`)),
      fix: `check the permissions of ${store}, then dotops apply`,
    });
  });

  it("says when it recovered an apply that was killed; warns of an unreadable generation, which gc keeps", async () => {
    const { repo, state, run, health } = await applied(2);
    await repo.commit({ "files/zshrc": "export V=killed\n" });
    expect((await run(["apply"], { DOTOPS_FAILPOINT: "commit=kill" })).exitCode).not.toBe(0);
    expect(existsSync(join(state, "journal"))).toBe(true);
    // Reading the state recovers the apply, as every command does; health says it did.
    const interrupted = await health();
    expect(interrupted.exitCode).toBe(6);
    expect(byName(interrupted.items, "journal")).toMatchObject({
      status: "warn",
      detail: "an apply was interrupted; recovered just now (its steps rolled back or forward)",
    });
    expect(existsSync(join(state, "journal"))).toBe(false);
    expect(byName((await health()).items, "journal")).toBeUndefined();
    // The interrupted generation is a failed one, not an unreadable one.
    expect((await health()).items.filter((i) => i.name.startsWith("generation "))).toEqual([]);

    writeFileSync(join(state, "generations/1/meta.json"), "{ not json");
    const corrupt = await health();
    expect(byName(corrupt.items, "generation 1")).toMatchObject({
      status: "warn",
      detail: expect.stringMatching(/cannot be read \(kept by gc until repaired\): generation 1 is corrupt/),
    });
    const objects = readdirSync(join(state, "store")).length;
    const gc = await run(["gc", "--keep", "1"]);
    expect(gc.exitCode, gc.stderr).toBe(0);
    expect(gc.stdout).toMatch(
      /Kept generation 1, which cannot be read, and every store object until it is repaired/,
    );
    expect(existsSync(join(state, "generations/1"))).toBe(true);
    expect(readdirSync(join(state, "store"))).toHaveLength(objects);
  });

  it.skipIf(process.getuid?.() !== 0)(
    "fails when the state dir belongs to another user, with the chown that fixes it",
    async () => {
      const { state, health } = await applied(1);
      chownSync(state, 65534, 65534);
      const r = await health();
      expect(r.exitCode).toBe(1);
      expect(byName(r.items, "state")).toMatchObject({
        status: "fail",
        detail: `${state} is owned by uid 65534, not by you (uid 0): dotops cannot write its records there`,
        fix: `sudo chown -R $(id -un) ${state}`,
      });
    },
  );
});

describe("gc --dry-run", () => {
  it("lists the generations and objects it would delete and the bytes freed, and deletes nothing", async () => {
    const { state, run } = await applied(4);
    const before = readdirSync(join(state, "store")).sort();
    const r = await run(["gc", "--keep", "2", "--dry-run"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}generation 1\n {2}generation 2\n/);
    expect(r.stdout).toMatch(/ {2}store\/[0-9a-f]{64}-zshrc\n/);
    expect(r.stdout).toMatch(
      /Would delete 2 generation\(s\) \(1, 2\) and \d+ store object\(s\): \d+(\.\d)? KiB would be freed; 2 generation\(s\) kept\./,
    );
    const json = JSON.parse((await run(["--json", "gc", "--keep", "2", "--dry-run"])).stdout);
    expect(json).toMatchObject({
      dryRun: true,
      deletedGenerations: [1, 2],
      keptGenerations: [3, 4],
      corrupt: [],
    });
    expect(json.freedBytes).toBeGreaterThan(0);
    expect(readdirSync(join(state, "store")).sort()).toEqual(before);
    expect(readdirSync(join(state, "generations")).sort()).toEqual(["1", "2", "3", "4"]);
  });
});

describe("maintain (health-maintain)", () => {
  it("gc by the config's maintain: policy, drift restored only with --heal, --dry-run changes nothing", async () => {
    const { home, state, run } = await applied(4, {
      "dotops.yaml": `${minimalConfig()["dotops.yaml"]}maintain:\n  keep: 2\n`,
    });
    writeFileSync(join(home, "extra"), "");
    const zshrc = join(home, ".zshrc");
    const { rmSync } = await import("node:fs");
    rmSync(zshrc);

    const dry = await run(["maintain", "--dry-run", "--heal"]);
    expect(dry.stdout).toMatch(
      /would: restore what drifted to generation 4: 1 resource\(s\) differ: ~\/\.zshrc/,
    );
    expect(dry.stdout).toMatch(/would: gc \(keep 2\): 2 generation\(s\) \(1, 2\), \d+ store object\(s\)/);
    expect(existsSync(zshrc)).toBe(false);
    expect(readdirSync(join(state, "generations"))).toHaveLength(4);

    const noHeal = await run(["maintain"]);
    expect(noHeal.stdout).toMatch(/\(drift is left as it is: --heal restores it\)/);
    expect(noHeal.stdout).toMatch(/done: gc \(keep 2\)/);
    expect(readdirSync(join(state, "generations")).sort()).toEqual(["3", "4"]);
    expect(existsSync(zshrc)).toBe(false);
    expect(noHeal.exitCode).toBe(1); // the drift is still there

    const heal = await run(["--json", "maintain", "--heal"]);
    expect(heal.exitCode, heal.stderr).toBe(0);
    const out = JSON.parse(heal.stdout);
    expect(out.actions).toEqual([
      { what: expect.stringMatching(/^restore what drifted/), result: "1 change(s)" },
    ]);
    expect(out.after.find((i: Item) => i.name === "drift").status).toBe("ok");
    expect(readFileSync(zshrc, "utf8")).toBe("export V=4\n");
  });

  it("runs brew cleanup when Homebrew is managed, and health reports brew doctor's warnings", async () => {
    const sim = tempDir("dotops-sim-");
    const env = { PATH: `${join(ROOT, "test/simulators/bin")}:${process.env.PATH}`, SIM_STATE: sim };
    const repo = await ConfigRepo.create({
      "dotops.yaml": "version: 1\nhosts:\n  mac: { platform: darwin }\nhomebrew:\n  brews: [jq]\n",
    });
    const { home } = sandbox();
    const run = (...args: string[]) => dotops(["--repo", repo.dir, ...args], { home, env });
    expect((await run("apply")).exitCode).toBe(0);
    const healthy = JSON.parse((await run("--json", "health")).stdout).items as Item[];
    expect(byName(healthy, "homebrew")).toMatchObject({ status: "ok", detail: "brew doctor: ready to brew" });

    writeFileSync(
      join(sim, "brew-doctor"),
      "Some installed formulae are deprecated or disabled.\nYou have unlinked kegs in your Cellar.\n",
    );
    const warned = await run("--json", "health");
    expect(warned.exitCode).toBe(6);
    expect(byName(JSON.parse(warned.stdout).items, "homebrew")).toMatchObject({
      status: "warn",
      detail:
        "brew doctor: 2 warning(s): Some installed formulae are deprecated or disabled. … (run `brew doctor` to read them)",
    });

    mkdirSync(join(sim, "brew-cache"));
    writeFileSync(join(sim, "brew-cache", "jq--1.6.bottle.tar.gz"), "x".repeat(100));
    const m = await run("maintain");
    expect(m.stdout).toMatch(
      /done: brew cleanup \(old downloads and versions Homebrew keeps\) \(This operation has freed approximately 100B of disk space\.\)/,
    );
    expect(readdirSync(join(sim, "brew-cache"))).toEqual([]);
  });
});
