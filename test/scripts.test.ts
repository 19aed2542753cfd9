/** The `script` kind through the real CLI: run scripts after the files, recorded, undone on failure and rollback. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigRepo, dotops, sandbox } from "./helpers.js";

const ENTRY = "version: 1\nimports: [home/*.yaml]\nhosts:\n  box: { platform: linux }\n";

/** A shell one-liner as argv (the kind itself runs no shell). */
const sh = (line: string) => JSON.stringify(["sh", "-c", line]);

async function setup(scripts: string, extra: Record<string, string> = {}) {
  const repo = await ConfigRepo.create({ "dotops.yaml": ENTRY, "home/scripts.yaml": scripts, ...extra });
  const { home, state } = sandbox();
  const run = (...args: string[]) => dotops(["--repo", repo.dir, ...args], { home });
  const ok = async (...args: string[]) => {
    const r = await run(...args);
    expect(r.exitCode, `dotops ${args.join(" ")}\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r;
  };
  const lines = (file: string) =>
    existsSync(join(home, file)) ? readFileSync(join(home, file), "utf8").trim().split("\n") : [];
  const gens = async () => JSON.parse((await ok("--json", "generations")).stdout) as { outcome: string }[];
  return { repo, home, state, run, ok, lines, gens };
}

describe("scripts", () => {
  it("once runs on the first apply only, in HOME, without a shell, after the files are in place", async () => {
    const t = await setup(
      `scripts:\n  - { name: setup, run: once, command: ${sh('cat "$HOME/.tool.conf" >> ran.log; pwd >> ran.log')} }\n  - { name: literal, run: once, command: [printf, "%s|", "$HOME *"] }\n`,
      {
        "home/files.yaml": "files:\n  - { target: ~/.tool.conf, source: files/tool.conf }\n",
        "files/tool.conf": "configured\n",
      },
    );
    const first = await t.ok("apply");
    expect(first.stdout).toContain("+ script script:setup (has not run on this machine)");
    // The linked file was there when it ran, the working dir is HOME.
    expect(t.lines("ran.log")).toEqual(["configured", t.home]);
    // Output goes to the log; no shell expanded the argument.
    expect(first.stderr).toContain("script literal: $HOME *|");
    expect(JSON.parse(readFileSync(join(t.state, "scripts/setup.json"), "utf8")).hash).toMatch(
      /^[0-9a-f]{64}$/,
    );

    const again = await t.ok("apply");
    expect(again.stdout).toContain("No changes");
    // Editing a once script's command records a new generation but does not run it again.
    await t.repo.commit({
      "home/scripts.yaml": `scripts:\n  - { name: setup, run: once, command: ${sh("echo edited >> ran.log")} }\n`,
    });
    await t.ok("apply");
    expect(t.lines("ran.log")).toEqual(["configured", t.home]);
  });

  it("onchange runs again exactly when a watched file or its command changes", async () => {
    const t = await setup(
      `scripts:\n  - { name: sync, run: onchange, watch: [files/plugins], command: ${sh("cat $HOME/.plugins/list >> sync.log")} }\n`,
      {
        "home/files.yaml": "files:\n  - { target: ~/.plugins, source: files/plugins }\n",
        "files/plugins/list": "a\n",
      },
    );
    await t.ok("apply");
    await t.repo.commit({ "files/unrelated": "x\n" });
    expect((await t.ok("apply")).stdout).not.toContain("script:sync");
    expect(t.lines("sync.log")).toEqual(["a"]);
    await t.repo.commit({ "files/plugins/list": "b\n" });
    const r = await t.ok("apply");
    expect(r.stdout).toContain("~ script script:sync (its command or watched content changed)");
    expect(t.lines("sync.log")).toEqual(["a", "b"]);
    // The record follows the machine: a rollback to the old content runs it with that content.
    await t.ok("rollback");
    expect(t.lines("sync.log")).toEqual(["a", "b", "a"]);
  });

  it("always runs on every apply, is never drift, and records no generation when nothing else changed", async () => {
    const t = await setup(
      `scripts:\n  - { name: tick, run: always, command: ${sh("echo tick >> tick.log")} }\n`,
    );
    await t.ok("apply");
    const second = await t.ok("apply");
    expect(second.stdout).toContain("~ script script:tick (runs on every apply)");
    expect(second.stdout).not.toContain("No changes");
    expect(t.lines("tick.log")).toEqual(["tick", "tick"]);
    expect(await t.gens()).toHaveLength(1);
    const status = await t.ok("status");
    expect(status.stdout).toContain("No drift");
    // plan shows it: an apply is never a no-op with an always script.
    const plan = await t.run("plan", "--detailed-exitcode");
    expect(plan.exitCode).toBe(3);
  });

  it("a script given as a repo file runs from the store, by its #! line or with sh", async () => {
    const t = await setup(
      "scripts:\n  - { name: bang, run: once, script: scripts/bang }\n  - { name: plain, run: once, script: scripts/plain.sh }\n",
      {
        "scripts/bang": "#!/bin/sh\necho bang >> $HOME/file.log\n",
        "scripts/plain.sh": "echo plain >> $HOME/file.log\n",
      },
    );
    await t.ok("apply");
    expect(t.lines("file.log").sort()).toEqual(["bang", "plain"]);
  });

  it("a failing script fails the apply, which is undone: the files and the scripts that ran before it", async () => {
    const t = await setup(
      `scripts:\n  - { name: a-first, run: once, command: ${sh("touch made-by-a")}, undo: ${sh("rm made-by-a; echo undone >> undo.log")} }\n  - { name: b-fails, run: once, command: ${sh("echo boom >&2; exit 3")} }\n`,
      {
        "home/files.yaml": "files:\n  - { target: ~/.rc, source: files/rc }\n",
        "files/rc": "rc\n",
      },
    );
    const r = await t.run("apply");
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("script b-fails failed (exit 3): boom");
    expect(existsSync(join(t.home, ".rc"))).toBe(false);
    expect(existsSync(join(t.home, "made-by-a"))).toBe(false);
    expect(t.lines("undo.log")).toEqual(["undone"]);
    expect(existsSync(join(t.state, "scripts/a-first.json"))).toBe(false);
    expect(existsSync(join(t.state, "scripts/b-fails.json"))).toBe(false);
    expect((await t.gens()).map((g) => g.outcome)).toEqual(["failed"]);
    // Fixed, the next apply runs both.
    await t.repo.commit({
      "home/scripts.yaml": `scripts:\n  - { name: b-fails, run: once, command: ${sh("true")} }\n  - { name: a-first, run: once, command: ${sh("touch made-by-a")} }\n`,
    });
    await t.ok("apply");
    expect(existsSync(join(t.home, "made-by-a"))).toBe(true);
  });

  it("its undo runs on rollback to a generation without it; without an undo it is left as it ran", async () => {
    const t = await setup("scripts: []\n");
    await t.ok("apply");
    await t.repo.commit({
      "home/scripts.yaml": `scripts:\n  - { name: svc, run: once, command: ${sh("touch enabled")}, undo: ${sh("rm enabled")} }\n  - { name: keep, run: once, command: ${sh("touch kept")} }\n`,
    });
    await t.ok("apply");
    expect(existsSync(join(t.home, "enabled"))).toBe(true);
    const back = await t.ok("rollback");
    expect(back.stderr).not.toContain("failed");
    expect(existsSync(join(t.home, "enabled"))).toBe(false);
    expect(existsSync(join(t.home, "kept"))).toBe(true);
    // Forward again: the undone script runs again, the kept one (once per machine) does not.
    writeFileSync(join(t.home, "kept"), "untouched");
    await t.ok("resume");
    await t.ok("apply");
    expect(existsSync(join(t.home, "enabled"))).toBe(true);
    expect(readFileSync(join(t.home, "kept"), "utf8")).toBe("untouched");
  });

  it("bad input: both command and script, a watched path that does not exist, a name used twice (file:line)", async () => {
    const t = await setup(
      [
        "scripts:",
        "  - { name: both, run: once, command: ['true'], script: scripts/x }",
        "  - { name: watcher, run: onchange, watch: [files/missing], command: ['true'] }",
        "  - { name: both, run: always, command: ['true'] }",
        "  - { name: ../evil, run: once, command: ['true'] }",
        "  - { name: odd, run: sometimes, command: ['true'] }",
        "",
      ].join("\n"),
      { "scripts/x": "true\n" },
    );
    const r = await t.run("check");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/home\/scripts\.yaml:5:\d+: .*letters, digits/);
    expect(r.stderr).toMatch(/home\/scripts\.yaml:6:\d+: .*once.*onchange.*always/);
    await t.repo.commit({
      "home/scripts.yaml": [
        "scripts:",
        "  - { name: both, run: once, command: ['true'], script: scripts/x }",
        "  - { name: watcher, run: onchange, watch: [files/missing], command: ['true'] }",
        "  - { name: both, run: always, command: ['true'] }",
        "",
      ].join("\n"),
    });
    const r2 = await t.run("apply");
    expect(r2.exitCode).toBe(2);
    expect(r2.stderr).toMatch(/home\/scripts\.yaml:2:\d+: give exactly one of command or script/);
    expect(r2.stderr).toMatch(/home\/scripts\.yaml:3:\d+: watched path files\/missing does not exist/);
    expect(r2.stderr).toMatch(/home\/scripts\.yaml:4:\d+: script name "both" is used twice/);
    expect(existsSync(t.state)).toBe(false);
  });
});
