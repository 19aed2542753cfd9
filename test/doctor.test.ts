/** `dotops doctor` through the real CLI: a sandbox HOME, real config repos, tools found (or not) on a real PATH. */
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { agentServiceStatus } from "../src/agent/service.js";
import { RealHost } from "../src/host/real-host.js";
import { withRemote } from "./agent-helpers.js";
import { ConfigRepo, dotops, minimalConfig, ROOT, sandbox, tempDir } from "./helpers.js";

interface Check {
  name: string;
  status: "ok" | "info" | "warn" | "error";
  message: string;
  fix?: string;
}

const SIM_BIN = join(ROOT, "test/simulators/bin");

/** doctor --json as a map by check name (a name may repeat; the last wins, none do today). */
async function doctorJson(args: string[], opts: Parameters<typeof dotops>[1]) {
  const r = await dotops([...args, "--json", "doctor"], opts);
  const parsed = JSON.parse(r.stdout) as { checks: Check[] };
  expect(Object.keys(parsed)).toEqual(["checks"]);
  for (const c of parsed.checks) {
    expect(Object.keys(c).sort()).toEqual(
      c.fix === undefined ? ["message", "name", "status"] : ["fix", "message", "name", "status"],
    );
    expect(["ok", "info", "warn", "error"]).toContain(c.status);
  }
  return { ...r, checks: parsed.checks, by: Object.fromEntries(parsed.checks.map((c) => [c.name, c])) };
}

/** A PATH of one dir holding links to just these programs (found on the test's own PATH). */
async function pathWith(...programs: string[]): Promise<string> {
  const dir = tempDir("dotops-path-");
  for (const p of programs) symlinkSync((await execa("which", [p])).stdout.trim(), join(dir, p));
  return dir;
}

/** Each line of the text table: RESULT and CHECK padded to the column where MESSAGE starts. */
function expectAligned(stdout: string) {
  const [header, ...rows] = stdout.trimEnd().split("\n");
  expect(header).toMatch(/^RESULT +CHECK +MESSAGE$/);
  const col = (header as string).indexOf("MESSAGE");
  for (const row of rows) {
    if (row.startsWith(" ")) expect(row).toMatch(new RegExp(`^ {${col}}fix: \\S`));
    else {
      expect(row.slice(0, col)).toMatch(/^(ok|info|warning|error) +[\w-]+ +$/);
      expect(row[col]).toMatch(/\S/);
    }
  }
  expect(stdout).not.toContain("\u001b["); // NO_COLOR
}

describe("doctor", () => {
  it("on a fresh machine: no config repo and no state dir, each said with the next step; exit 0", async () => {
    const { home } = sandbox();
    const r = await dotops(["doctor"], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expectAligned(r.stdout);
    expect(r.stdout).toMatch(/^warning +config-repo +none found: no dotops\.yaml in /m);
    expect(r.stdout).toMatch(/^ +fix: dotops init ~\/dotfiles/m);
    expect(r.stdout).toMatch(/^info +state-dir +.*\.local\/state\/dotops \(default\) does not exist yet/m);
    expect(r.stdout).toMatch(/^ +fix: dotops apply/m);

    const { by, checks } = await doctorJson([], { home });
    expect(checks.map((c) => c.name)).toEqual([
      "dotops",
      "node",
      "os",
      "shell",
      "git-command",
      "brew-command",
      "nix-command",
      "direnv-command",
      "home",
      "state-dir",
      "config-repo",
      "host",
      "xdg",
      "agent-service",
      "github",
    ]);
    expect(checks.filter((c) => c.status === "error")).toEqual([]);
    expect(by.dotops?.message).toMatch(/^\d+\.\d+\.\d+ \(.*dist\/cli\/main\.js\)$/);
    expect(by.node).toMatchObject({ status: "ok", message: expect.stringContaining(`${process.version} (`) });
    expect(by.node?.message).toMatch(/satisfies engines >=\d+/);
    expect(by["git-command"]).toMatchObject({ status: "ok", message: expect.stringMatching(/^\d+\.\d+/) });
    expect(by.home).toEqual({ name: "home", status: "ok", message: home });
    expect(by["config-repo"]).toMatchObject({ status: "warn", fix: expect.stringContaining("dotops init") });
    expect(by.host?.message).toMatch(/no config to match it against/);
    expect(by["agent-service"]).toMatchObject({
      status: "info",
      fix: expect.stringContaining("dotops install-agent"),
    });
    expect(by.github?.status).toBe("info");
  });

  it("on a machine set up by an apply: every path, the config and the host are ok", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const { home, state } = sandbox();
    expect((await dotops(["--repo", repo.dir, "apply"], { home })).exitCode).toBe(0);

    // Found as a command finds it: from the current dir.
    const r = await dotops(["doctor"], {
      home,
      cwd: repo.dir,
      env: { XDG_CONFIG_HOME: join(home, ".config") },
    });
    expect(r.exitCode, r.stdout).toBe(0);
    expectAligned(r.stdout);
    const { by } = await doctorJson([], {
      home,
      cwd: repo.dir,
      env: { XDG_CONFIG_HOME: join(home, ".config") },
    });
    const head = await repo.head();
    expect(by["state-dir"]).toEqual({
      name: "state-dir",
      status: "ok",
      message: `${state} (default), owned by you`,
    });
    expect(by["state-mode"]).toMatchObject({ status: "ok", message: "0700" });
    expect(by["state-disk"]).toMatchObject({
      status: "ok",
      message: expect.stringMatching(/^[\d.]+ [GM]iB free on \//),
    });
    expect(by.generation).toMatchObject({
      status: "ok",
      message: expect.stringMatching(
        new RegExp(`^1 \\(applied\\) of commit ${head.slice(0, 12)} for host box, `),
      ),
    });
    expect(by["config-repo"]).toEqual({
      name: "config-repo",
      status: "ok",
      message: `${repo.dir} (the current dir)`,
    });
    expect(by["config-commit"]).toEqual({ name: "config-commit", status: "ok", message: `HEAD is ${head}` });
    expect(by.config).toMatchObject({
      status: "ok",
      message: expect.stringContaining("loads: 1 host (box)"),
    });
    expect(by.host).toMatchObject({
      status: "ok",
      message: expect.stringMatching(/^box \(linux\): the only host; this machine is /),
    });
    expect(by.xdg).toEqual({
      name: "xdg",
      status: "info",
      message: `XDG_CONFIG_HOME=${join(home, ".config")}`,
    });
    expect(by["agent-last"]).toMatchObject({
      status: "info",
      message: "no agent pass recorded (agent.json)",
    });
    expect(by["agent-suspended"]).toMatchObject({ status: "ok" });

    // --repo and --host are said as the way they were chosen.
    const flags = await doctorJson(["--repo", repo.dir, "--host", "box"], { home });
    expect(flags.by["config-repo"]?.message).toBe(`${repo.dir} (--repo)`);
    expect(flags.by.host?.message).toMatch(/^box \(linux\): --host;/);
    const wrong = await doctorJson(["--repo", repo.dir, "--host", "nope"], { home });
    expect(wrong.exitCode).toBe(1);
    expect(wrong.by.host).toMatchObject({ status: "error", fix: "pass --host one of: box" });
  });

  it("warns of a state dir other users can read, with the chmod that fixes it", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const { home, state } = sandbox();
    expect((await dotops(["--repo", repo.dir, "apply"], { home })).exitCode).toBe(0);
    chmodSync(state, 0o755);
    const r = await dotops(["--repo", repo.dir, "doctor"], { home });
    expect(r.exitCode).toBe(0); // a warning is not an error
    expect(r.stdout).toMatch(/^warning +state-mode +0755: other users can read what dotops keeps there/m);
    expect(r.stdout).toContain(`fix: chmod 700 ${state}`);
    const { by } = await doctorJson(["--repo", repo.dir], { home });
    expect(by["state-mode"]).toEqual({
      name: "state-mode",
      status: "warn",
      message: expect.stringMatching(/^0755: .* expected 0700$/),
      fix: `chmod 700 ${state}`,
    });
  });

  it("reports missing tools by what the config needs, and goes on without any of them", async () => {
    const onlyNodeAndGit = await pathWith("node", "git");
    const { home } = sandbox();
    const mac = await ConfigRepo.create({
      "dotops.yaml": "version: 1\nimports: [system/*.yaml]\nhosts:\n  mac: { platform: darwin }\n",
      "system/packages.yaml": "homebrew:\n  brews: [jq]\n",
    });
    const r = await doctorJson(["--repo", mac.dir], { home, env: { PATH: onlyNodeAndGit } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.by["brew-command"]).toMatchObject({
      status: "warn",
      message: expect.stringContaining("not on PATH, and host mac's config manages Homebrew packages"),
      fix: expect.stringContaining("https://brew.sh"),
    });
    expect(r.by["nix-command"]).toMatchObject({
      status: "info",
      message: expect.stringMatching(/^not on PATH/),
    });
    expect(r.by["direnv-command"]).toMatchObject({
      status: "info",
      message: expect.stringMatching(/^not on PATH/),
    });
    expect(r.by["git-command"]?.status).toBe("ok");
    // No uname here: the OS line falls back to what Node knows.
    expect(r.by.os).toEqual({ name: "os", status: "info", message: process.platform });

    // A Linux host's config needs no Homebrew: its absence is a fact, not a warning.
    const linux = await ConfigRepo.create(minimalConfig());
    const l = await doctorJson(["--repo", linux.dir], { home, env: { PATH: onlyNodeAndGit } });
    expect(l.by["brew-command"]).toMatchObject({
      status: "info",
      message: "not on PATH (host box's config manages no Homebrew packages)",
    });

    // Without git, dotops cannot read a config: an error (exit 1), and the rest of the report still comes.
    const noGit = await dotops(["--repo", linux.dir, "doctor"], {
      home,
      env: { PATH: await pathWith("node") },
    });
    expect(noGit.exitCode).toBe(1);
    expect(noGit.stdout).toMatch(/^error +git-command +git cannot be run \(not on PATH\)/m);
    expect(noGit.stdout).toMatch(/^ +fix: install git \(2\.34 or newer\)/m);
    expect(noGit.stdout).toMatch(/^\w+ +agent-service /m);
  });

  it("says when the config does not load, or this machine matches no host", async () => {
    const { home } = sandbox();
    const bad = await ConfigRepo.create(
      minimalConfig({ "home/files.yaml": "files:\n  - { target: ~/.x, mode: sideways }\n" }),
    );
    const r = await doctorJson(["--repo", bad.dir], { home });
    expect(r.exitCode).toBe(1);
    expect(r.by.config).toMatchObject({
      status: "error",
      message: expect.stringMatching(/^home\/files\.yaml:2:/),
      fix: expect.stringContaining("dotops check"),
    });
    expect(r.by.host?.status).toBe("ok");

    const two = await ConfigRepo.create(
      minimalConfig({
        "dotops.yaml": "version: 1\nhosts:\n  a: { platform: linux }\n  b: { platform: linux }\n",
      }),
    );
    const t = await doctorJson(["--repo", two.dir], { home });
    expect(t.exitCode).toBe(1);
    expect(t.by.config).toMatchObject({ status: "ok", message: expect.stringContaining("2 hosts (a, b)") });
    expect(t.by.host).toMatchObject({
      status: "error",
      message: expect.stringContaining("cannot tell which host this is"),
    });
    expect(t.by.host?.fix).toMatch(/^pass --host NAME \(one of: a, b\)/);

    const empty = tempDir("dotops-empty-");
    await execa("git", ["init", "-q", empty]);
    writeFileSync(join(empty, "dotops.yaml"), "version: 1\n");
    const e = await doctorJson(["--repo", empty], { home });
    expect(e.exitCode).toBe(1);
    expect(e.by["config-commit"]).toMatchObject({ status: "error", message: `${empty} has no commits yet` });
  });

  it("reads the agent's service, its last pass and a suspension", async () => {
    const { remote } = await withRemote(minimalConfig());
    const { home } = sandbox();
    const sim = { PATH: `${SIM_BIN}:${process.env.PATH}`, SIM_STATE: tempDir("dotops-sim-") };
    expect((await dotops(["agent", "--once", "--remote", remote], { home })).exitCode).toBe(0);
    expect((await dotops(["install-agent", "--platform", "linux"], { home, env: sim })).exitCode).toBe(0);

    const { by } = await doctorJson([], { home, env: sim });
    expect(by["config-repo"]?.message).toMatch(/\.local\/state\/dotops\/repo \(the agent's clone\)$/);
    expect(by["agent-service"]).toMatchObject({
      status: "ok",
      message: expect.stringMatching(
        /^active \(systemctl --user is-active dotops-agent\.service\), from .*dotops-agent\.service$/,
      ),
    });
    expect(by["agent-last"]).toMatchObject({
      status: "ok",
      message: expect.stringMatching(/^[0-9a-f]{12} at .*: applied \(generation 1\)$/),
    });

    await execa("systemctl", ["--user", "stop", "dotops-agent.service"], { env: { ...sim, HOME: home } });
    expect((await dotops(["suspend"], { home })).exitCode).toBe(0);
    const after = await doctorJson([], { home, env: sim });
    expect(after.by["agent-service"]).toMatchObject({
      status: "warn",
      message: expect.stringContaining("is installed but inactive"),
      fix: expect.stringContaining("dotops install-agent"),
    });
    expect(after.by["agent-suspended"]).toMatchObject({ status: "warn", fix: "dotops resume" });
  });

  it("asks launchd of the agent on macOS (the launchctl simulator)", async () => {
    const { home } = sandbox();
    const env = { PATH: `${SIM_BIN}:${process.env.PATH}`, SIM_STATE: tempDir("dotops-sim-") };
    const host = new RealHost({ home, env });
    expect(await agentServiceStatus(host, "darwin")).toMatchObject({
      installed: false,
      state: "not loaded",
    });
    expect((await dotops(["install-agent", "--platform", "darwin"], { home, env })).exitCode).toBe(0);
    const s = await agentServiceStatus(host, "darwin");
    expect(s).toMatchObject({
      installed: true,
      file: join(home, "Library/LaunchAgents/dev.dotops.agent.plist"),
    });
    expect(s.state).toMatch(/running/);
    expect(s.asked).toEqual(["launchctl", "print", `gui/${process.getuid?.()}/dev.dotops.agent`]);
  });

  it("says how the agent reports to GitHub and never prints the token", async () => {
    const token = "ghp_doctorNeverPrintsThis0123456789";
    const { home } = sandbox();
    const repo = await ConfigRepo.create(
      minimalConfig({
        "dotops.yaml": `${minimalConfig()["dotops.yaml"]}agent:\n  github: { repo: alice/dotfiles, tokenFile: ~/.config/dotops/github-token }\n`,
      }),
    );
    const run = (env: Record<string, string> = {}, json = false) =>
      dotops(["--repo", repo.dir, ...(json ? ["--json"] : []), "doctor"], { home, env });

    const missing = await doctorJson(["--repo", repo.dir], { home });
    expect(missing.by.github).toMatchObject({
      status: "warn",
      message: expect.stringContaining(`${join(home, ".config/dotops/github-token")}, which does not exist`),
    });

    mkdirSync(join(home, ".config/dotops"), { recursive: true });
    writeFileSync(join(home, ".config/dotops/github-token"), `${token}\n`, { mode: 0o644 });
    chmodSync(join(home, ".config/dotops/github-token"), 0o644);
    const loose = await doctorJson(["--repo", repo.dir], { home });
    expect(loose.by.github).toMatchObject({
      status: "warn",
      message: expect.stringContaining("lets other users read it"),
      fix: `chmod 600 ${join(home, ".config/dotops/github-token")}`,
    });
    chmodSync(join(home, ".config/dotops/github-token"), 0o600);
    const fromFile = await doctorJson(["--repo", repo.dir], { home });
    expect(fromFile.by.github).toMatchObject({
      status: "ok",
      message: expect.stringContaining("(not shown)"),
    });

    for (const r of [
      await run({ DOTOPS_GITHUB_TOKEN: token }),
      await run({ DOTOPS_GITHUB_TOKEN: token }, true),
    ]) {
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/token from DOTOPS_GITHUB_TOKEN \(set, not shown\) for alice\/dotfiles/);
      expect(`${r.stdout}${r.stderr}`).not.toContain(token);
      expect(`${r.stdout}${r.stderr}`).not.toContain(token.slice(4, 20));
    }
    for (const r of [loose, fromFile, missing]) expect(`${r.stdout}${r.stderr}`).not.toContain(token);
  });
});
