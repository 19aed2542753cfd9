/**
 * The macOS defaults kind through the real CLI: the `defaults` and `killall`
 * simulators on PATH (or, with DOTOPS_REAL_MACOS_TOOLS=1 on a Mac, the real
 * tools and a throwaway domain), real git repos, a sandbox HOME.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigRepo, dotops, ROOT, sandbox, tempDir } from "./helpers.js";

const REAL = process.env.DOTOPS_REAL_MACOS_TOOLS === "1";
const SIM_BIN = join(ROOT, "test/simulators/bin");
/** A domain no app reads: safe to write on a real Mac. */
const DOMAIN = "dev.dotops.test";

function tools(extra: Record<string, string> = {}) {
  const state = tempDir("dotops-sim-");
  const env: Record<string, string> = REAL
    ? { PATH: process.env.PATH ?? "" }
    : { PATH: `${SIM_BIN}:${process.env.PATH}`, SIM_STATE: state, ...extra };
  const run = (...args: string[]) =>
    execFileSync("defaults", args, { env: { ...process.env, ...env }, encoding: "utf8" });
  // On a real Mac the throwaway domain may hold what an earlier run left: start from nothing.
  if (REAL)
    for (const host of [[], ["-currentHost"]])
      try {
        execFileSync("defaults", [...host, "delete", DOMAIN], { stdio: "ignore" });
      } catch {}
  return { state, env, defaults: run };
}

/** Every state file of the defaults simulator (or the real throwaway domain), for byte-for-byte comparison. */
function snapshot(t: ReturnType<typeof tools>): Record<string, string> {
  if (REAL) return { [DOMAIN]: t.defaults("export", DOMAIN, "-") };
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[p.slice(t.state.length + 1)] = readFileSync(p, "utf8");
    }
  };
  walk(join(t.state, "defaults"));
  return out;
}

const calls = (t: ReturnType<typeof tools>, tool: string) => {
  const log = join(t.state, `${tool}.log`);
  return existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").filter(Boolean) : [];
};

const ENTRY = "version: 1\nimports: [system/*.yaml]\nhosts:\n  mac: { platform: darwin }\n";

async function setup(yaml: string | null, extraEnv: Record<string, string> = {}) {
  const { home } = sandbox();
  const t = tools(extraEnv);
  const repo = await ConfigRepo.create({
    "dotops.yaml": ENTRY,
    ...(yaml === null ? { "system/.keep": "" } : { "system/macos-defaults.yaml": yaml }),
  });
  const run = (...args: string[]) => dotops(["--repo", repo.dir, ...args], { home, env: t.env });
  return { home, t, repo, run };
}

const TYPED = `defaults:
  ${DOMAIN}:
    flag: true
    count: 48
    ratio: 2.5
    whole: { type: float, value: 2 }
    name: "Dark"
    numeric: { type: string, value: "10" }
    when: { type: date, value: "2024-01-02T03:04:05Z" }
    blob: { type: data, value: DEADbeef }
    list: [en, 2, { nested: true }]
    table: { a: 1, b: [x, y], c: { type: float, value: 1 } }
`;

describe("macOS defaults", () => {
  it("applies every plist type, is a no-op the second time, and a git revert puts every key back byte for byte", async () => {
    const { t, repo, run } = await setup(null);
    // What the user had before dotops: one key dotops will change, one it leaves alone.
    t.defaults("write", DOMAIN, "count", "-int", "36");
    t.defaults("write", DOMAIN, "untouched", "-string", "mine");
    expect((await run("apply")).exitCode).toBe(0);
    const before = snapshot(t);

    await repo.commit({ "system/macos-defaults.yaml": TYPED }, "typed defaults");
    const plan = await run("--json", "plan");
    expect(plan.exitCode, plan.stderr).toBe(0);
    const changes = JSON.parse(plan.stdout).changes as { id: string; action: string; destructive: boolean }[];
    expect(changes.map((c) => `${c.action} ${c.id}`)).toEqual(
      [
        "create blob",
        "update count",
        "create flag",
        "create list",
        "create name",
        "create numeric",
        "create ratio",
        "create table",
        "create when",
        "create whole",
      ].map((s) => s.replace(" ", ` defaults/${DOMAIN}/`)),
    );
    expect(changes.every((c) => !c.destructive)).toBe(true);

    const applied = await run("apply");
    expect(applied.exitCode, applied.stderr).toBe(0);
    const type = (key: string) => t.defaults("read-type", DOMAIN, key).trim();
    expect(
      ["flag", "count", "ratio", "whole", "name", "numeric", "when", "blob", "list", "table"].map(type),
    ).toEqual([
      "Type is boolean",
      "Type is integer",
      "Type is float",
      "Type is float",
      "Type is string",
      "Type is string",
      "Type is date",
      "Type is data",
      "Type is array",
      "Type is dictionary",
    ]);
    expect(t.defaults("read", DOMAIN, "flag").trim()).toBe("1");
    expect(t.defaults("read", DOMAIN, "count").trim()).toBe("48");
    expect(t.defaults("read", DOMAIN, "when").trim()).toBe("2024-01-02 03:04:05 +0000");
    const exported = t.defaults("export", DOMAIN, "-");
    expect(exported).toMatch(/<key>whole<\/key>\s*<real>2(\.0)?<\/real>/);
    expect(exported).toMatch(/<key>blob<\/key>\s*<data>\s*3q2\+7w==\s*<\/data>/);
    expect(exported).toMatch(
      /<key>list<\/key>\s*<array>\s*<string>en<\/string>\s*<integer>2<\/integer>\s*<dict>\s*<key>nested<\/key>\s*<true\/>/,
    );
    expect(exported).toMatch(/<key>c<\/key>\s*<real>1(\.0)?<\/real>/);
    expect(t.defaults("read", DOMAIN, "untouched").trim()).toBe("mine");

    // The second apply observes the same domain and finds nothing to do.
    const noop = await run("apply");
    expect(noop.exitCode, noop.stderr).toBe(0);
    expect(noop.stdout).toMatch(/No changes/);

    await repo.revert();
    const reverted = await run("apply");
    expect(reverted.exitCode, reverted.stderr).toBe(0);
    expect(reverted.stdout).toMatch(/1 to update, 9 to delete/);
    expect(snapshot(t)).toEqual(before);
  });

  it.skipIf(REAL)("observes each domain with one defaults export per plan", async () => {
    const { t, run } = await setup(`${TYPED}  com.apple.dock: { autohide: true, tilesize: 48 }\n`);
    expect((await run("plan")).exitCode).toBe(0);
    expect(calls(t, "defaults").sort()).toEqual(["export com.apple.dock -", `export ${DOMAIN} -`]);
  });

  it.skipIf(REAL)("restarts an app once per apply, only when a key of its domain changed", async () => {
    const { t, repo, run } = await setup(
      [
        "defaults:",
        "  com.apple.dock: { autohide: true, tilesize: 48 }",
        "  com.apple.finder: { ShowPathbar: true }",
        "  NSGlobalDomain: { KeyRepeat: 2 }",
        "restartOnChange: { com.apple.dock: Dock, com.apple.finder: Finder, com.apple.Terminal: Terminal }",
        "",
      ].join("\n"),
    );
    const first = await run("apply");
    expect(first.exitCode, first.stderr).toBe(0);
    // Two dock keys changed: one restart of the Dock; the Finder's too; Terminal's domain did not change.
    expect(calls(t, "killall")).toEqual(["Dock", "Finder"]);
    const steps = calls(t, "defaults");
    expect(steps.indexOf("write com.apple.finder ShowPathbar -bool true")).toBeGreaterThan(-1);

    // Only NSGlobalDomain changes: no app is restarted.
    await repo.commit({
      "system/macos-defaults.yaml": readFileSync(
        join(repo.dir, "system/macos-defaults.yaml"),
        "utf8",
      ).replace("KeyRepeat: 2", "KeyRepeat: 1"),
    });
    expect((await run("apply")).exitCode).toBe(0);
    expect(calls(t, "killall")).toEqual(["Dock", "Finder"]);

    // A dock key changes: the Dock alone. Terminal is not running: killall's "No matching processes" is fine.
    await repo.commit({
      "system/macos-defaults.yaml": [
        "defaults:",
        "  com.apple.dock: { autohide: true, tilesize: 64 }",
        "  com.apple.finder: { ShowPathbar: true }",
        "  com.apple.Terminal: { SecureKeyboardEntry: true }",
        "  NSGlobalDomain: { KeyRepeat: 1 }",
        "restartOnChange: { com.apple.dock: Dock, com.apple.finder: Finder, com.apple.Terminal: Terminal }",
        "",
      ].join("\n"),
    });
    const plan = JSON.parse((await run("--json", "plan")).stdout);
    expect(plan.changes.map((c: { id: string }) => c.id)).toEqual([
      "defaults/com.apple.Terminal/SecureKeyboardEntry",
      "defaults/com.apple.dock/tilesize",
      "restart/Dock",
      "restart/Terminal",
    ]);
    const third = await run("apply");
    expect(third.exitCode, third.stderr).toBe(0);
    expect(calls(t, "killall")).toEqual(["Dock", "Finder", "Dock", "Terminal"]);

    // Removing a dock key from the config changes the domain too (the key is deleted): a restart.
    await repo.commit({
      "system/macos-defaults.yaml": [
        "defaults:",
        "  com.apple.dock: { autohide: true }",
        "  com.apple.finder: { ShowPathbar: true }",
        "  com.apple.Terminal: { SecureKeyboardEntry: true }",
        "  NSGlobalDomain: { KeyRepeat: 1 }",
        "restartOnChange: { com.apple.dock: Dock, com.apple.finder: Finder, com.apple.Terminal: Terminal }",
        "",
      ].join("\n"),
    });
    expect((await run("apply")).exitCode).toBe(0);
    expect(calls(t, "killall")).toEqual(["Dock", "Finder", "Dock", "Terminal", "Dock"]);
    expect(() => t.defaults("read", "com.apple.dock", "tilesize")).toThrow(/does not exist/);
  });

  it("writes currentHostDefaults with -currentHost, apart from the same domain's defaults", async () => {
    const { t, repo, run } = await setup(null);
    const before = snapshot(t);
    await repo.commit({
      "system/macos-defaults.yaml": `defaults:\n  ${DOMAIN}: { idle: 5 }\ncurrentHostDefaults:\n  ${DOMAIN}: { idle: 0, clock: false }\n`,
    });
    const plan = JSON.parse((await run("--json", "plan")).stdout);
    expect(plan.changes.map((c: { id: string }) => c.id)).toEqual([
      `defaults/currentHost/${DOMAIN}/clock`,
      `defaults/currentHost/${DOMAIN}/idle`,
      `defaults/${DOMAIN}/idle`,
    ]);
    const r = await run("apply");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(t.defaults("read", DOMAIN, "idle").trim()).toBe("5");
    expect(t.defaults("-currentHost", "read", DOMAIN, "idle").trim()).toBe("0");
    expect(t.defaults("-currentHost", "read-type", DOMAIN, "clock").trim()).toBe("Type is boolean");
    if (!REAL) expect(existsSync(join(t.state, "defaults/currentHost", `${DOMAIN}.json`))).toBe(true);
    await repo.revert();
    expect((await run("apply")).exitCode).toBe(0);
    expect(snapshot(t)).toEqual(before);
  });

  it("marks a system-wide domain (/Library/Preferences) as needing root in the plan", async () => {
    const { home, run } = await setup(
      `defaults:\n  /Library/Preferences/com.apple.loginwindow: { GuestEnabled: false }\n  ${DOMAIN}: { a: 1 }\n`,
    );
    const SYSTEM_ID = "defaults//Library/Preferences/com.apple.loginwindow/GuestEnabled";
    const r = await run("--json", "plan");
    expect(r.exitCode, r.stderr).toBe(0);
    const changes = JSON.parse(r.stdout).changes as { id: string; needsRoot: boolean }[];
    expect(changes.map((c) => [c.id, c.needsRoot])).toEqual([
      [SYSTEM_ID, true],
      [`defaults/${DOMAIN}/a`, false],
    ]);
    if (REAL) return; // writing /Library/Preferences needs the privilege door, not built here
    // The step itself is marked for the privilege door (steps stay out of plan --json; the generation keeps them).
    expect((await run("apply")).exitCode).toBe(0);
    const recorded = JSON.parse(
      readFileSync(join(home, ".local/state/dotops/generations/1/plan.json"), "utf8"),
    );
    const steps = (id: string) => recorded.changes.find((c: { id: string }) => c.id === id).steps;
    expect(steps(SYSTEM_ID)).toEqual([expect.objectContaining({ op: "defaults-write", root: true })]);
    expect(steps(`defaults/${DOMAIN}/a`)[0].root).toBeUndefined();
  });

  it("emits defaults only for darwin hosts", async () => {
    const { home } = sandbox();
    const t = tools();
    const repo = await ConfigRepo.create({
      "dotops.yaml": "version: 1\nimports: [system/*.yaml]\nhosts:\n  box: { platform: linux }\n",
      "system/macos-defaults.yaml": `defaults:\n  ${DOMAIN}: { a: 1 }\nrestartOnChange: { ${DOMAIN}: Dock }\n`,
    });
    const r = await dotops(["--repo", repo.dir, "--json", "plan"], { home, env: t.env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).changes).toEqual([]);
  });
});

describe("macOS defaults: bad input", () => {
  it("marks a value whose type contradicts the existing key as destructive, naming both types", async () => {
    const { t, run } = await setup(`defaults:\n  ${DOMAIN}: { mode: true, size: 2.5 }\n`);
    t.defaults("write", DOMAIN, "mode", "-string", "yes");
    t.defaults("write", DOMAIN, "size", "-int", "2");
    const plan = JSON.parse((await run("--json", "plan")).stdout);
    const mode = plan.changes.find((c: { id: string }) => c.id === `defaults/${DOMAIN}/mode`);
    expect(mode.destructive).toBe(true);
    expect(mode.note).toBe(
      `${DOMAIN} mode is a string on this Mac ("yes"); the config makes it a bool (true)`,
    );
    // An int becoming a float is a number either way: not a contradiction.
    const size = plan.changes.find((c: { id: string }) => c.id === `defaults/${DOMAIN}/size`);
    expect(size.destructive).toBe(false);

    const refused = await run("apply");
    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toMatch(/refusing 1 destructive step/);
    expect(t.defaults("read-type", DOMAIN, "mode").trim()).toBe("Type is string");
    const forced = await run("apply", "--allow-destructive");
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(t.defaults("read-type", DOMAIN, "mode").trim()).toBe("Type is boolean");
  });

  it.skipIf(REAL)(
    "fails clearly, naming the domain, when defaults export prints no property list",
    async () => {
      const { run } = await setup(`defaults:\n  com.example.broken: { a: 1 }\n  ${DOMAIN}: { b: 2 }\n`, {
        DEFAULTS_SIM_GARBAGE_EXPORT: "com.example.broken",
      });
      for (const args of [["plan"], ["apply"]]) {
        const r = await run(...args);
        expect(r.exitCode).toBe(1);
        expect(r.stderr).toMatch(/defaults export of domain com\.example\.broken is not a property list/);
      }
    },
  );

  it.skipIf(REAL)("undoes the apply when a write does not read back", async () => {
    const { t, run } = await setup(`defaults:\n  ${DOMAIN}: { a: 1 }\n  com.example.stuck: { b: true }\n`, {
      DEFAULTS_SIM_IGNORE_WRITES: "com.example.stuck",
    });
    const r = await run("apply");
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(
      /defaults com\.example\.stuck b did not take: wrote true \(bool\), reads back \(not set\)/,
    );
    expect(r.stderr).toMatch(/apply failed and was undone/);
    // The key written before it was deleted again.
    expect(() => t.defaults("read", DOMAIN, "a")).toThrow(/does not exist/);
  });

  it.skipIf(REAL)(
    "lists defaults as not observable here when the tool is missing, and apply refuses",
    async () => {
      const { home } = sandbox();
      const repo = await ConfigRepo.create({
        "dotops.yaml": ENTRY,
        "system/macos-defaults.yaml": `defaults:\n  ${DOMAIN}: { a: 1 }\nrestartOnChange: { ${DOMAIN}: Dock }\n`,
      });
      // A PATH with git and node but no defaults: what planning a Mac on Linux looks like.
      const env = { PATH: "/usr/bin:/bin" };
      const plan = await dotops(["--repo", repo.dir, "plan"], { home, env });
      expect(plan.exitCode, plan.stderr).toBe(0);
      expect(plan.stdout).toMatch(
        /defaults\/dev\.dotops\.test\/a\n\s+not observable here: defaults is not on PATH/,
      );
      const apply = await dotops(["--repo", repo.dir, "apply"], { home, env });
      expect(apply.exitCode).toBe(4);
      expect(apply.stderr).toMatch(/not observable here: defaults is not on PATH/);
    },
  );

  it("rejects a typed value that is not of its type, with where it is", async () => {
    const { run } = await setup(
      `defaults:\n  ${DOMAIN}:\n    when: { type: date, value: "not a date" }\n    blob: { type: data, value: xyz }\n`,
    );
    const r = await run("check");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/system\/macos-defaults\.yaml:3:\d+.*"not a date" is not an ISO 8601 date/);
    expect(r.stderr).toMatch(/system\/macos-defaults\.yaml:4:\d+.*"xyz" is not hex digits/);
  });
});

describe("dotops import macos-script", () => {
  const FIXTURE = join(ROOT, "test/fixtures/dot-macos.sh");

  it("converts every defaults write of a real-world style .macos script with its type, and lists the rest by line", async () => {
    const { home } = sandbox();
    const out = tempDir("dotops-import-");
    const r = await dotops(["--json", "import", "macos-script", FIXTURE, "--out", out], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as {
      counts: Record<string, number>;
      skipped: { line: number; text: string; reason: string }[];
    };
    const script = readFileSync(FIXTURE, "utf8").split("\n");
    expect(script.length).toBeGreaterThan(40);
    const skippedLines = new Set(result.skipped.map((s) => s.line));
    const writes = script.flatMap((l, i) =>
      /^\s*(sudo )?defaults (-currentHost )?write /.test(l) ? [i + 1] : [],
    );
    // Every defaults write is converted or listed with why: none is dropped silently.
    const converted = writes.filter((n) => !skippedLines.has(n));
    const convertedWrites = converted.flatMap(
      (n) => (script[n - 1] as string).match(/defaults (-currentHost )?write/g) ?? [],
    );
    // One key is written twice (-array, then -array-add): one setting.
    expect((result.counts.defaults ?? 0) + (result.counts.currentHostDefaults ?? 0)).toBe(
      convertedWrites.length - 1,
    );
    expect(convertedWrites.length).toBeGreaterThanOrEqual(40);
    expect(result.skipped.filter((s) => writes.includes(s.line)).map((s) => [s.line, s.reason])).toEqual([
      [73, expect.stringMatching(/uses \$\{HOME\}/)],
      [90, expect.stringMatching(/uses \$\{HOME\}/)],
      [128, expect.stringMatching(/appends to an array set before this script ran/)],
    ]);
    const reasons = Object.fromEntries(result.skipped.map((s) => [s.line, s.reason]));
    expect(reasons[7]).toMatch(/AppleScript/);
    expect(reasons[39]).toMatch(/pmset is not a defaults write/);
    expect(reasons[105]).toMatch(/chflags/);
    expect(reasons[142]).toMatch(/deletes a key/);
    expect(reasons[168]).toMatch(/\$\{app\}/);
    expect(reasons[173]).toMatch(/which domain SystemUIServer reads is not clear/);

    const yaml = readFileSync(join(out, "system/macos-defaults.yaml"), "utf8");
    expect(yaml).toContain(
      "restartOnChange:\n  com.apple.dock: Dock\n  com.apple.finder: Finder\n  com.apple.Safari: Safari\n",
    );

    // Applied to a Mac (the simulator), each key has the type its line's flag says.
    const repo = await ConfigRepo.create({ "dotops.yaml": ENTRY, "system/macos-defaults.yaml": yaml });
    const t = tools();
    if (REAL) return; // the script's domains are real apps' settings: not on a CI runner
    const applied = await dotops(["--repo", repo.dir, "apply", "--allow-destructive"], { home, env: t.env });
    expect(applied.exitCode, applied.stderr).toBe(0);
    const FLAG_TYPES: Record<string, string> = {
      "-bool": "boolean",
      "-int": "integer",
      "-float": "float",
      "-string": "string",
      "-date": "date",
      "-data": "data",
      "-array": "array",
      "-array-add": "array",
      "-dict": "dictionary",
    };
    let checked = 0;
    for (const n of converted) {
      const line = script[n - 1] as string;
      const m = /defaults (-currentHost )?write (\S+) ("[^"]+"|\S+) (\S+)/.exec(line);
      if (!m) throw new Error(`test cannot read line ${n}: ${line}`);
      const [, host, domain, key, flag] = m as unknown as string[];
      const want = FLAG_TYPES[flag as string] ?? "string"; // a bare value ('2.5', HostName) is a string
      const args = [
        ...(host ? ["-currentHost"] : []),
        "read-type",
        domain as string,
        (key as string).replace(/"/g, ""),
      ];
      expect([n, t.defaults(...args).trim()]).toEqual([n, `Type is ${want}`]);
      checked++;
    }
    expect(checked).toBe(converted.length);
    expect(t.defaults("read", "com.apple.dock", "persistent-apps")).toMatch(/"tile-type" = "spacer-tile"/);
    expect(t.defaults("read", "com.apple.finder", "FXInfoPanesExpanded")).toMatch(/General = 1;/);
  });

  it("reads quoting, continuations, -g, sudo and -bool spellings the way the shell and defaults do", async () => {
    const { home } = sandbox();
    const out = tempDir("dotops-import-");
    const script = tempDir("dotops-script-");
    const file = join(script, ".macos");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(
      file,
      [
        "defaults write -g KeyRepeat -int 2 # fast",
        'defaults write com.apple.finder "Show Path" -bool YES',
        "defaults write com.apple.finder ShowStatusBar -boolean 0",
        "defaults write com.example.app Label 'it''s \"quoted\"'",
        "defaults write com.example.app Path -string \\",
        '  "/opt/my app"',
        "sudo defaults write /Library/Preferences/com.apple.loginwindow.plist GuestEnabled -bool false",
        "defaults -currentHost write com.apple.screensaver idleTime -int 0",
        "defaults write com.example.app Fruits -array apple banana",
        "defaults write com.example.app Fruits -array-add cherry",
        "defaults write com.example.app Map -dict a 1 b -int 2",
        "defaults write com.example.app Map -dict-add c -float 1.5",
        "defaults write com.example.app Bad -int lots",
        "killall Finder",
        "",
      ].join("\n"),
    );
    const r = await dotops(["--json", "import", "macos-script", file, "--out", out], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.skipped).toEqual([
      {
        line: 13,
        text: "defaults write com.example.app Bad -int lots",
        reason: "-int lots is not an integer",
      },
    ]);
    expect(readFileSync(join(out, "system/macos-defaults.yaml"), "utf8")).toBe(
      [
        "# Imported from a .macos script by `dotops import macos-script`.",
        "",
        "defaults:",
        "  NSGlobalDomain:",
        "    KeyRepeat: 2",
        "  com.apple.finder:",
        "    Show Path: true",
        "    ShowStatusBar: false",
        "  com.example.app:",
        '    Label: its "quoted"',
        "    Path: /opt/my app",
        "    Fruits:",
        "      - apple",
        "      - banana",
        "      - cherry",
        "    Map:",
        '      a: "1"',
        "      b: 2",
        "      c: 1.5",
        "  /Library/Preferences/com.apple.loginwindow:",
        "    GuestEnabled: false",
        "currentHostDefaults:",
        "  com.apple.screensaver:",
        "    idleTime: 0",
        "restartOnChange:",
        "  com.apple.finder: Finder",
        "",
      ].join("\n"),
    );
  });
});
