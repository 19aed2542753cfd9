import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dotops, ROOT, sandbox, tempDir } from "./helpers.js";

const SIM_BIN = join(ROOT, "test/simulators/bin");

function simEnv() {
  const state = tempDir("dotops-sim-");
  return { state, env: { PATH: `${SIM_BIN}:${process.env.PATH}`, SIM_STATE: state } };
}

describe("install-agent", () => {
  it("writes a launchd agent plist and bootstraps it into the GUI domain (macOS)", async () => {
    const { home } = sandbox();
    const sim = simEnv();
    const r = await dotops(["--repo", "/srv/dotfiles", "install-agent", "--platform", "darwin"], {
      home,
      env: sim.env,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    const plist = readFileSync(join(home, "Library/LaunchAgents/dev.dotops.agent.plist"), "utf8");
    expect(plist).toMatch(/<key>Label<\/key>\n\t<string>dev.dotops.agent<\/string>/);
    expect(plist).toMatch(
      /<string>agent<\/string>\n\t\t<string>--log-format<\/string>\n\t\t<string>json<\/string>\n\t\t<string>--repo<\/string>\n\t\t<string>\/srv\/dotfiles<\/string>/,
    );
    expect(plist).toContain(`<string>${join(home, ".local/state/dotops/agent.log")}</string>`);
    const uid = process.getuid?.();
    expect(readFileSync(join(sim.state, "launchctl.log"), "utf8").trim().split("\n")).toEqual([
      `bootout gui/${uid}/dev.dotops.agent`,
      `bootstrap gui/${uid} ${join(home, "Library/LaunchAgents/dev.dotops.agent.plist")}`,
    ]);
    // Installing again replaces the loaded one instead of failing with "5: Input/output error".
    expect((await dotops(["install-agent", "--platform", "darwin"], { home, env: sim.env })).exitCode).toBe(
      0,
    );
    const un = await dotops(["uninstall-agent", "--platform", "darwin"], { home, env: sim.env });
    expect(un.exitCode, un.stderr).toBe(0);
    expect(existsSync(join(home, "Library/LaunchAgents/dev.dotops.agent.plist"))).toBe(false);
    expect(JSON.parse(readFileSync(join(sim.state, "launchd.json"), "utf8"))).toEqual({});
  });

  it("writes a systemd user unit and enables it (Linux)", async () => {
    const { home } = sandbox();
    const sim = simEnv();
    const r = await dotops(["install-agent", "--platform", "linux"], { home, env: sim.env });
    expect(r.exitCode, r.stderr).toBe(0);
    const unit = readFileSync(join(home, ".config/systemd/user/dotops-agent.service"), "utf8");
    expect(unit).toMatch(/^ExecStart=\S+ \S+main\.js agent --log-format json$/m);
    expect(unit).toContain(`StandardOutput=append:${join(home, ".local/state/dotops/agent.log")}`);
    expect(unit).toMatch(/WantedBy=default.target/);
    expect(JSON.parse(readFileSync(join(sim.state, "systemd.json"), "utf8"))).toEqual({
      "dotops-agent.service": "active",
    });
    expect((await dotops(["uninstall-agent", "--platform", "linux"], { home, env: sim.env })).exitCode).toBe(
      0,
    );
    expect(existsSync(join(home, ".config/systemd/user/dotops-agent.service"))).toBe(false);
    expect(JSON.parse(readFileSync(join(sim.state, "systemd.json"), "utf8"))).toEqual({});
  });

  it("explains a missing GUI session instead of failing obscurely", async () => {
    const { home } = sandbox();
    const bin = tempDir("dotops-sim-nogui-");
    const { writeFileSync, chmodSync } = await import("node:fs");
    writeFileSync(
      join(bin, "launchctl"),
      `#!/bin/sh\n[ "$1" = bootout ] && { echo "Boot-out failed: 3: No such process" >&2; exit 3; }\necho "Could not find domain for user gui: 501" >&2\nexit 125\n`,
    );
    chmodSync(join(bin, "launchctl"), 0o755);
    const r = await dotops(["install-agent", "--platform", "darwin"], {
      home,
      env: { PATH: `${bin}:${process.env.PATH}` },
    });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/Could not find domain for user gui/);
    expect(r.stderr).toMatch(/hint: launchd agents need a logged-in GUI session/);
  });
});
