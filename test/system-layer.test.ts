import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { ConfigRepo, dotops, ROOT, sandbox, tempDir } from "./helpers.js";

/*
 * Issue 11's acceptance: one apply that adds a brew and a cask, changes three
 * defaults of different types and adds a service; then `git revert` → apply
 * leaves every simulator's state (and HOME) exactly as before, byte for byte —
 * prior values restored, absent keys deleted again, nothing the user had
 * before dotops uninstalled.
 */

const SIM_BIN = join(ROOT, "test/simulators/bin");
const real = process.env.DOTOPS_REAL_MACOS_TOOLS === "1";

function simEnv() {
  const state = tempDir("dotops-sim-");
  return { state, env: { PATH: `${SIM_BIN}:${process.env.PATH}`, SIM_STATE: state } };
}

/** Every file under `dir` (but logs and what `skip` names) → its bytes. */
function snapshot(dir: string, skip: (rel: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const abs = join(e.parentPath, e.name);
    const rel = relative(dir, abs);
    if (e.isDirectory() || rel.endsWith(".log") || skip(rel)) continue;
    out[rel] = statSync(abs).isFile() ? readFileSync(abs).toString("base64") : "(not a file)";
  }
  return out;
}

const ENTRY =
  "version: 1\nimports: [system/*.yaml, home/*.yaml]\nhosts:\n  work-mac:\n    platform: darwin\n";

describe.skipIf(real)("the macOS system layer on simulators", () => {
  it("adds a brew, a cask, three defaults of different types and a service; git revert puts every tool's state back byte for byte", async () => {
    const { home } = sandbox();
    const sim = simEnv();
    const tool = (cmd: string, ...args: string[]) =>
      execa(cmd, args, { env: { ...process.env, ...sim.env, HOME: home }, reject: true });
    // What the user had before dotops: a brew of their own, a dock setting, an agent of their own.
    await tool("brew", "install", "git");
    await tool("defaults", "write", "com.apple.dock", "autohide", "-bool", "false");
    const own = join(home, "Library/LaunchAgents/com.user.own.plist");
    mkdirSync(dirname(own), { recursive: true });
    writeFileSync(
      own,
      '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n\t<key>Label</key>\n\t<string>com.user.own</string>\n\t<key>ProgramArguments</key>\n\t<array>\n\t\t<string>/usr/bin/true</string>\n\t</array>\n</dict>\n</plist>\n',
    );
    const uid = (await execa("id", ["-u"])).stdout.trim();
    await tool("launchctl", "bootstrap", `gui/${uid}`, own);

    const repo = await ConfigRepo.create({
      "dotops.yaml": ENTRY,
      "home/files.yaml": "files:\n  - { target: ~/.zshrc, text: 'export EDITOR=nvim' }\n",
    });
    const run = (...args: string[]) =>
      dotops(["--repo", repo.dir, "--host", "work-mac", ...args], { home, env: sim.env });
    expect((await run("apply")).exitCode).toBe(0);
    const isState = (rel: string) => rel.startsWith(".local/state/dotops");
    const before = { sim: snapshot(sim.state), home: snapshot(home, isState) };

    await repo.commit(
      {
        "system/homebrew.yaml": "homebrew:\n  brews: [ripgrep, git]\n  casks: [firefox]\n",
        "system/macos-defaults.yaml": [
          "defaults:",
          "  com.apple.dock: { autohide: true, tilesize: 48 }",
          "  com.apple.screencapture: { location: ~/Screenshots }",
          "  NSGlobalDomain: { com.apple.mouse.scaling: { type: float, value: 2.5 } }",
          "restartOnChange: { com.apple.dock: Dock }",
          "",
        ].join("\n"),
        "home/services.yaml":
          "services:\n  - { label: com.alice.sync, program: [/usr/bin/true, sync], startInterval: 3600, runAtLoad: true }\n",
      },
      "system layer",
    );
    const applied = await run("apply", "--json");
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect((await tool("brew", "list", "--formula")).stdout.split(/\s+/)).toEqual(
      expect.arrayContaining(["git", "ripgrep"]),
    );
    expect((await tool("brew", "list", "--cask")).stdout.trim()).toBe("firefox");
    expect((await tool("defaults", "read", "com.apple.dock", "autohide")).stdout.trim()).toBe("1");
    expect((await tool("defaults", "read", "com.apple.dock", "tilesize")).stdout.trim()).toBe("48");
    expect((await tool("defaults", "read", "NSGlobalDomain", "com.apple.mouse.scaling")).stdout.trim()).toBe(
      "2.5",
    );
    expect(readFileSync(join(home, "Library/LaunchAgents/com.alice.sync.plist"), "utf8")).toContain(
      "<string>com.alice.sync</string>",
    );
    expect(readFileSync(join(sim.state, "killall.log"), "utf8").trim()).toBe("Dock");
    // A second apply of the same commit changes nothing and runs no install.
    const again = await run("plan", "--json");
    expect(JSON.parse(again.stdout).changes).toEqual([]);

    await repo.revert();
    const reverted = await run("apply", "--allow-destructive");
    expect(reverted.exitCode, reverted.stderr).toBe(0);
    expect({ sim: snapshot(sim.state), home: snapshot(home, isState) }).toEqual(before);
    // git was the user's before dotops managed it: still installed.
    expect((await tool("brew", "list", "--formula")).stdout).toContain("git");
  });
});
