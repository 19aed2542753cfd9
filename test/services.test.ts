/**
 * services: through the real CLI — launchd agents for a darwin host, systemd
 * user units for a linux host — against the simulators in test/simulators/bin
 * (or, with DOTOPS_REAL_MACOS_TOOLS=1 on the macOS CI job, the real launchctl).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigRepo, dotops, ROOT, sandbox, tempDir } from "./helpers.js";

const REAL = process.env.DOTOPS_REAL_MACOS_TOOLS === "1";
const SIM_BIN = join(ROOT, "test/simulators/bin");
const UID = process.getuid?.() ?? 501;

const ENTRY =
  "version: 1\nimports: [home/*.yaml]\nhosts:\n  mac: { platform: darwin }\n  box: { platform: linux }\n";
/** Unique per run: with the real launchd these land in the CI user's GUI domain. */
const TAG = `t${process.pid}`;
const SYNC = `dev.dotops.test.${TAG}.sync`;
const BACKUP = `dev.dotops.test.${TAG}.backup`;

const service = (label: string, extra = "") =>
  `  - { label: ${label}, program: [/bin/sh, -c, "exit 0"], runAtLoad: true${extra} }\n`;
const services = (...entries: string[]) => ({ "home/services.yaml": `services:\n${entries.join("")}` });

interface World {
  home: string;
  repo: ConfigRepo;
  sim: string;
  run(...args: string[]): ReturnType<typeof dotops>;
}

async function world(host: "mac" | "box", files: Record<string, string>, opts: { path?: string } = {}) {
  const { home } = sandbox();
  const sim = tempDir("dotops-sim-");
  const repo = await ConfigRepo.create({ "dotops.yaml": ENTRY, ...files });
  // The real launchctl on the macOS job; the simulators everywhere else (systemctl always: no Mac has it).
  const path = opts.path ?? (REAL && host === "mac" ? process.env.PATH : `${SIM_BIN}:${process.env.PATH}`);
  const env = { PATH: path ?? "", SIM_STATE: sim };
  const w: World = {
    home,
    repo,
    sim,
    run: (...args) => dotops(["--repo", repo.dir, "--host", host, ...args], { home, env }),
  };
  return w;
}

/** Every simulator state file (not the invocation logs), by name: what "byte for byte as before" compares. */
function simState(sim: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(sim)
      .filter((f) => !f.endsWith(".log"))
      .sort()
      .map((f) => [f, readFileSync(join(sim, f), "utf8")]),
  );
}

/** The tool's invocations since the last call, as the simulator logged them. */
function calls(sim: string, tool: string): () => string[] {
  let seen = 0;
  return () => {
    const file = join(sim, `${tool}.log`);
    const all = existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").filter(Boolean) : [];
    const fresh = all.slice(seen);
    seen = all.length;
    return fresh;
  };
}

/** The invocations that change something (not print, list, is-enabled, is-active). */
const writes = (lines: string[]) =>
  lines.filter((l) => !/^(--user )?(print|list|is-enabled|is-active)\b/.test(l));

/** What launchd says about a label in the user's GUI domain (the real tool or the simulator). */
function launchctlPrint(w: World, label: string): { code: number; out: string } {
  try {
    const out = execFileSync("launchctl", ["print", `gui/${UID}/${label}`], {
      env: {
        ...process.env,
        PATH: REAL ? process.env.PATH : `${SIM_BIN}:${process.env.PATH}`,
        SIM_STATE: w.sim,
      },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { code: 0, out };
  } catch (err) {
    const e = err as { status: number; stderr: string };
    return { code: e.status, out: e.stderr };
  }
}

const plistOf = (w: World, label: string) => join(w.home, "Library/LaunchAgents", `${label}.plist`);
const unitOf = (w: World, name: string) => join(w.home, ".config/systemd/user", name);

afterAll(() => {
  // The real launchd outlives the test: unload whatever a test left loaded.
  if (REAL)
    for (const label of [SYNC, BACKUP])
      try {
        execFileSync("launchctl", ["bootout", `gui/${UID}/${label}`], { stdio: "ignore" });
      } catch {}
});

describe("services on a darwin host: launchd agents", { timeout: 240_000 }, () => {
  it("writes and bootstraps a plist, leaves it alone when unchanged, re-bootstraps only a changed one, removes it, and a revert restores launchd's state exactly", async () => {
    const w = await world("mac", services(service(SYNC), service(BACKUP)));
    const launchctl = calls(w.sim, "launchctl");

    // A dry run observes (launchctl print) and changes nothing.
    const dry = await w.run("apply", "--dry-run");
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(existsSync(plistOf(w, SYNC))).toBe(false);
    expect(launchctlPrint(w, SYNC).code).not.toBe(0);
    if (!REAL) {
      const seen = launchctl();
      expect(seen).toContain(`print gui/${UID}/${SYNC}`);
      expect(writes(seen)).toEqual([]);
    }

    const add = await w.run("apply");
    expect(add.exitCode, add.stderr).toBe(0);
    const plist = readFileSync(plistOf(w, SYNC), "utf8");
    expect(statSync(plistOf(w, SYNC)).isFile()).toBe(true);
    expect(plist).toContain(`<key>Label</key>\n\t<string>${SYNC}</string>`);
    expect(plist).toContain("<key>ProgramArguments</key>\n\t<array>\n\t\t<string>/bin/sh</string>");
    expect(plist).toContain("<key>RunAtLoad</key>\n\t<true/>");
    const loaded = launchctlPrint(w, SYNC);
    expect(loaded.code, loaded.out).toBe(0);
    expect(loaded.out).toContain(`path = ${plistOf(w, SYNC)}`);
    if (!REAL)
      expect(writes(launchctl())).toEqual([
        `bootstrap gui/${UID} ${plistOf(w, BACKUP)}`,
        `bootstrap gui/${UID} ${plistOf(w, SYNC)}`,
      ]);

    const again = await w.run("--json", "apply");
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ noop: true });
    if (!REAL) expect(writes(launchctl())).toEqual([]);

    const before = REAL ? {} : simState(w.sim);
    const untouched = statSync(plistOf(w, BACKUP));
    await w.repo.commit(services(service(SYNC, ", startInterval: 3600"), service(BACKUP)), "sync hourly");
    const plan = await w.run("--json", "plan");
    expect(
      JSON.parse(plan.stdout).changes.map((c: { action: string; id: string }) => `${c.action} ${c.id}`),
    ).toEqual([`update launchd/${SYNC}`]);
    const change = await w.run("apply");
    expect(change.exitCode, change.stderr).toBe(0);
    expect(readFileSync(plistOf(w, SYNC), "utf8")).toContain(
      "<key>StartInterval</key>\n\t<integer>3600</integer>",
    );
    if (!REAL)
      expect(writes(launchctl())).toEqual([
        `bootout gui/${UID}/${SYNC}`,
        `bootstrap gui/${UID} ${plistOf(w, SYNC)}`,
      ]);
    // The unchanged agent's plist was not rewritten.
    const after = statSync(plistOf(w, BACKUP));
    expect([after.ino, after.mtimeMs]).toEqual([untouched.ino, untouched.mtimeMs]);

    await w.repo.commit(services(service(BACKUP)), "drop sync");
    const remove = await w.run("apply");
    expect(remove.exitCode, remove.stderr).toBe(0);
    expect(existsSync(plistOf(w, SYNC))).toBe(false);
    expect(launchctlPrint(w, SYNC).code).not.toBe(0);
    if (!REAL) {
      expect(writes(launchctl())).toEqual([`bootout gui/${UID}/${SYNC}`]);
      expect(launchctlPrint(w, SYNC).out).toBe(
        `Could not find service "${SYNC}" in domain for user gui: ${UID}\n`,
      );
    }

    // Back to before "sync hourly": launchd holds exactly what it held then.
    await w.repo.revert("HEAD");
    await w.repo.revert("HEAD~2");
    const revert = await w.run("apply");
    expect(revert.exitCode, revert.stderr).toBe(0);
    expect(readFileSync(plistOf(w, SYNC), "utf8")).toBe(plist);
    if (!REAL) expect(simState(w.sim)).toEqual(before);
  });

  it("repairs drift: a plist edited by hand is rewritten and reloaded, an unloaded agent is loaded again", async () => {
    const w = await world("mac", services(service(SYNC)));
    expect((await w.run("apply")).exitCode).toBe(0);
    const plist = readFileSync(plistOf(w, SYNC), "utf8");

    writeFileSync(plistOf(w, SYNC), plist.replace("exit 0", "exit 1"));
    const plan = JSON.parse((await w.run("--json", "plan")).stdout);
    expect(plan.changes).toMatchObject([{ action: "update", id: `launchd/${SYNC}` }]);
    expect(plan.changes[0].note).toMatch(/edited outside dotops/);
    expect(plan.changes[0].diff).toContain("-\t\t<string>exit 1</string>\n+\t\t<string>exit 0</string>");
    expect((await w.run("apply")).exitCode).toBe(0);
    expect(readFileSync(plistOf(w, SYNC), "utf8")).toBe(plist);

    execFileSync("launchctl", ["bootout", `gui/${UID}/${SYNC}`], {
      env: {
        ...process.env,
        PATH: REAL ? process.env.PATH : `${SIM_BIN}:${process.env.PATH}`,
        SIM_STATE: w.sim,
      },
    });
    const unloaded = JSON.parse((await w.run("--json", "plan")).stdout);
    expect(unloaded.changes).toMatchObject([
      { action: "update", id: `launchd/${SYNC}`, note: "not loaded: loads it again" },
    ]);
    expect((await w.run("apply")).exitCode).toBe(0);
    expect(launchctlPrint(w, SYNC).code).toBe(0);
    expect(JSON.parse((await w.run("--json", "plan")).stdout).changes).toEqual([]);
  });

  it.skipIf(REAL)(
    "undoes the whole apply when launchd refuses a plist, and shows launchctl's error",
    async () => {
      const w = await world("mac", services(service(BACKUP)));
      expect((await w.run("apply")).exitCode).toBe(0);
      const before = simState(w.sim);
      const backupPlist = readFileSync(plistOf(w, BACKUP), "utf8");

      // A program that is not there: launchd rejects the job (the simulator answers as launchctl does).
      await w.repo.commit(
        services(
          `  - { label: ${SYNC}, program: [/nonexistent/bin/sync], runAtLoad: true }\n`,
          service(BACKUP, ", keepAlive: true"),
        ),
      );
      const r = await w.run("apply");
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain("Bootstrap failed: 5: Input/output error");
      expect(r.stderr).toMatch(/apply failed and was undone/);
      // The agent changed in the same apply (re-bootstrapped before the failing one) is back as it was.
      expect(existsSync(plistOf(w, SYNC))).toBe(false);
      expect(readFileSync(plistOf(w, BACKUP), "utf8")).toBe(backupPlist);
      expect(simState(w.sim)).toEqual(before);
      const gens = JSON.parse((await w.run("--json", "generations")).stdout);
      expect(gens.map((g: { outcome: string }) => g.outcome)).toEqual(["applied", "failed"]);
    },
  );

  it.skipIf(REAL)(
    "recovers from a crash at any step of a re-bootstrap: launchd and the plist are as before",
    async () => {
      const w = await world("mac", services(service(SYNC)));
      expect((await w.run("apply")).exitCode).toBe(0);
      const before = simState(w.sim);
      const plist = readFileSync(plistOf(w, SYNC), "utf8");
      await w.repo.commit(services(service(SYNC, ", keepAlive: true")));
      // Steps: the switch of `current`, then bootout, write, bootstrap. Killed once each has been journaled.
      const launchctl = calls(w.sim, "launchctl");
      launchctl();
      for (const step of [1, 2, 3]) {
        const crash = await dotops(["--repo", w.repo.dir, "--host", "mac", "apply"], {
          home: w.home,
          env: {
            PATH: `${SIM_BIN}:${process.env.PATH}`,
            SIM_STATE: w.sim,
            DOTOPS_FAILPOINT: `step:${step}=kill`,
          },
        });
        expect(crash.exitCode, `killed at step ${step}`).not.toBe(0);
        // The next run finds the journal and undoes every step it lists, run or not.
        expect((await w.run("plan")).exitCode).toBe(0);
        // Killed before its bootout ran, recovery's bootout (undoing the bootstrap that never ran) and
        // bootstrap (undoing the bootout) leave launchd as it was; killed after it, the same two put it back.
        expect(writes(launchctl()), `killed at step ${step}`).toEqual([
          ...(step > 1 ? [`bootout gui/${UID}/${SYNC}`] : []),
          `bootout gui/${UID}/${SYNC}`,
          `bootstrap gui/${UID} ${plistOf(w, SYNC)}`,
        ]);
        expect(readFileSync(plistOf(w, SYNC), "utf8"), `after a crash at step ${step}`).toBe(plist);
        expect(simState(w.sim), `after a crash at step ${step}`).toEqual(before);
      }
      expect((await w.run("apply")).exitCode).toBe(0);
      expect(readFileSync(plistOf(w, SYNC), "utf8")).toContain("<key>KeepAlive</key>\n\t<true/>");
    },
  );

  it("refuses a plist of the user's in the way, and moves it aside with --backup", async () => {
    const w = await world("mac", services(service(SYNC)));
    const mine =
      '<?xml version="1.0"?>\n<plist version="1.0"><dict><key>Label</key><string>mine</string></dict></plist>\n';
    execFileSync("mkdir", ["-p", join(w.home, "Library/LaunchAgents")]);
    writeFileSync(plistOf(w, SYNC), mine);
    const refused = await w.run("apply");
    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain(
      `~/Library/LaunchAgents/${SYNC}.plist exists and is a file that dotops does not manage`,
    );
    expect(readFileSync(plistOf(w, SYNC), "utf8")).toBe(mine);
    expect(launchctlPrint(w, SYNC).code).not.toBe(0);

    const backup = await w.run("apply", "--backup");
    expect(backup.exitCode, backup.stderr).toBe(0);
    expect(readFileSync(`${plistOf(w, SYNC)}.dotops-backup`, "utf8")).toBe(mine);
    expect(readFileSync(plistOf(w, SYNC), "utf8")).toContain(`<string>${SYNC}</string>`);
    expect(launchctlPrint(w, SYNC).code).toBe(0);
  });

  it.skipIf(REAL)(
    "adopts an identical agent the user already had, and leaves it loaded when it stops being managed",
    async () => {
      // What dotops writes for this agent, from an apply in another sandbox.
      const first = await world("mac", services(service(SYNC)));
      expect((await first.run("apply")).exitCode).toBe(0);
      const plist = readFileSync(plistOf(first, SYNC), "utf8").replaceAll(first.home, "HOME");

      // The user's own copy of exactly that agent, loaded by hand.
      const w = await world("mac", services(service(SYNC)));
      execFileSync("mkdir", ["-p", join(w.home, "Library/LaunchAgents")]);
      writeFileSync(plistOf(w, SYNC), plist.replaceAll("HOME", w.home));
      const env = { ...process.env, PATH: `${SIM_BIN}:${process.env.PATH}`, SIM_STATE: w.sim };
      execFileSync("launchctl", ["bootstrap", `gui/${UID}`, plistOf(w, SYNC)], { env });
      const launchctl = calls(w.sim, "launchctl");
      launchctl();

      const plan = JSON.parse((await w.run("--json", "plan")).stdout);
      expect(plan.changes).toMatchObject([
        { action: "create", id: `launchd/${SYNC}`, note: "already there with this content: adopted" },
      ]);
      const adopt = await w.run("apply");
      expect(adopt.exitCode, adopt.stderr).toBe(0);
      expect(writes(launchctl())).toEqual([]);

      await w.repo.commit({ "home/services.yaml": "services: []\n" });
      const unmanage = await w.run("apply");
      expect(unmanage.exitCode, unmanage.stderr).toBe(0);
      expect(writes(launchctl())).toEqual([]);
      expect(readFileSync(plistOf(w, SYNC), "utf8")).toBe(plist.replaceAll("HOME", w.home));
      expect(launchctlPrint(w, SYNC).code).toBe(0);
    },
  );

  it("lists agents as not observable here when launchctl is missing, and apply refuses them", async () => {
    const bin = tempDir("dotops-nolaunchctl-");
    // git and id: nothing of macOS.
    for (const tool of ["git", "id"]) {
      const found = execFileSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim();
      execFileSync("ln", ["-s", found, join(bin, tool)]);
    }
    const w = await world("mac", services(service(SYNC)), { path: bin });
    const plan = await w.run("--json", "plan");
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout).changes).toMatchObject([
      {
        action: "create",
        id: `launchd/${SYNC}`,
        refusal: expect.stringMatching(/^not observable here: launchctl is not on PATH/),
      },
    ]);
    const apply = await w.run("apply");
    expect(apply.exitCode).toBe(4);
    expect(apply.stderr).toMatch(/not observable here: launchctl is not on PATH/);
    expect(existsSync(plistOf(w, SYNC))).toBe(false);

    // A plan between two commits (the PR plan) needs no machine: it shows the plist's diff.
    const from = await w.repo.head();
    const to = await w.repo.commit(services(service(SYNC, ", startInterval: 60")));
    const pr = await w.run("--json", "plan", "--from", from, "--to", to);
    expect(pr.exitCode, pr.stderr).toBe(0);
    const [change] = JSON.parse(pr.stdout).changes;
    expect(change).toMatchObject({ action: "update", id: `launchd/${SYNC}` });
    expect(change.refusal).toBeUndefined();
    expect(change.diff).toContain("+\t<key>StartInterval</key>\n+\t<integer>60</integer>");
  });
});

describe("services on a linux host: systemd user units", { timeout: 240_000 }, () => {
  it("writes, reloads and enables a unit; restarts only a changed one; a timer for startInterval; removal disables it; a revert restores systemd's state exactly", async () => {
    const w = await world(
      "box",
      services(service(SYNC, ", keepAlive: true"), service(BACKUP, ", keepAlive: true")),
    );
    const systemctl = calls(w.sim, "systemctl");
    const add = await w.run("apply");
    expect(add.exitCode, add.stderr).toBe(0);
    const unit = readFileSync(unitOf(w, `${SYNC}.service`), "utf8");
    expect(unit).toContain('ExecStart=/bin/sh -c "exit 0"\nRestart=always');
    expect(unit).toContain("[Install]\nWantedBy=default.target");
    expect(writes(systemctl())).toEqual([
      "--user daemon-reload",
      `--user enable --now ${BACKUP}.service`,
      "--user daemon-reload",
      `--user enable --now ${SYNC}.service`,
    ]);
    expect(JSON.parse(readFileSync(join(w.sim, "systemd.json"), "utf8"))).toEqual({
      [`${BACKUP}.service`]: "active",
      [`${SYNC}.service`]: "active",
    });

    expect(JSON.parse((await w.run("--json", "apply")).stdout)).toMatchObject({ noop: true });
    expect(writes(systemctl())).toEqual([]);

    const before = simState(w.sim);
    const untouched = statSync(unitOf(w, `${BACKUP}.service`));
    await w.repo.commit(
      services(
        service(SYNC, ", keepAlive: true, environment: { MODE: fast }"),
        service(BACKUP, ", keepAlive: true"),
      ),
    );
    expect((await w.run("apply")).exitCode).toBe(0);
    expect(readFileSync(unitOf(w, `${SYNC}.service`), "utf8")).toContain("Environment=MODE=fast");
    expect(writes(systemctl())).toEqual(["--user daemon-reload", `--user try-restart ${SYNC}.service`]);
    const after = statSync(unitOf(w, `${BACKUP}.service`));
    expect([after.ino, after.mtimeMs]).toEqual([untouched.ino, untouched.mtimeMs]);

    // Periodic: the timer is what is enabled; the service becomes one the timer starts.
    await w.repo.commit(
      services(service(SYNC, ", startInterval: 600"), service(BACKUP, ", keepAlive: true")),
    );
    expect((await w.run("apply")).exitCode).toBe(0);
    expect(readFileSync(unitOf(w, `${SYNC}.timer`), "utf8")).toContain(
      `OnActiveSec=0\nOnUnitActiveSec=600\nUnit=${SYNC}.service`,
    );
    expect(readFileSync(unitOf(w, `${SYNC}.service`), "utf8")).not.toContain("[Install]");
    expect(writes(systemctl())).toEqual([
      `--user disable --now ${SYNC}.service`,
      "--user daemon-reload",
      `--user enable --now ${SYNC}.timer`,
    ]);

    await w.repo.commit(services(service(BACKUP, ", keepAlive: true")));
    expect((await w.run("apply")).exitCode).toBe(0);
    expect(existsSync(unitOf(w, `${SYNC}.service`))).toBe(false);
    expect(existsSync(unitOf(w, `${SYNC}.timer`))).toBe(false);
    expect(writes(systemctl())).toEqual([`--user disable --now ${SYNC}.timer`, "--user daemon-reload"]);

    await w.repo.revert("HEAD");
    await w.repo.revert("HEAD~2");
    await w.repo.revert("HEAD~4");
    expect((await w.run("apply")).exitCode).toBe(0);
    expect(readFileSync(unitOf(w, `${SYNC}.service`), "utf8")).toBe(unit);
    expect(existsSync(unitOf(w, `${SYNC}.timer`))).toBe(false);
    expect(simState(w.sim)).toEqual(before);
  });

  it("re-enables a unit disabled by hand and rewrites one edited by hand", async () => {
    const w = await world("box", services(service(SYNC)));
    expect((await w.run("apply")).exitCode).toBe(0);
    const unit = readFileSync(unitOf(w, `${SYNC}.service`), "utf8");
    const env = { ...process.env, HOME: w.home, PATH: `${SIM_BIN}:${process.env.PATH}`, SIM_STATE: w.sim };
    execFileSync("systemctl", ["--user", "disable", "--now", `${SYNC}.service`], { env, stdio: "ignore" });
    writeFileSync(unitOf(w, `${SYNC}.service`), unit.replace("exit 0", "exit 1"));
    const plan = JSON.parse((await w.run("--json", "plan")).stdout);
    expect(plan.changes).toMatchObject([{ action: "update", id: `systemd/${SYNC}.service` }]);
    expect(plan.changes[0].note).toMatch(/edited outside dotops/);
    expect((await w.run("apply")).exitCode).toBe(0);
    expect(readFileSync(unitOf(w, `${SYNC}.service`), "utf8")).toBe(unit);
    expect(JSON.parse(readFileSync(join(w.sim, "systemd-enabled.json"), "utf8"))).toEqual({
      [`${SYNC}.service`]: "default.target",
    });
    expect(JSON.parse((await w.run("--json", "plan")).stdout).changes).toEqual([]);
  });

  it("undoes the apply when systemd fails to start a unit, with systemctl's error", async () => {
    const w = await world("box", services(service(BACKUP)));
    expect((await w.run("apply")).exitCode).toBe(0);
    const before = simState(w.sim);
    await w.repo.commit(services(service(BACKUP, ", keepAlive: true"), service(SYNC)));
    // systemd fails to start the new unit (what a broken ExecStart gives): a wrapper answers for it, the simulator for the rest.
    const bin = tempDir("dotops-failing-systemctl-");
    writeFileSync(
      join(bin, "systemctl"),
      `#!/bin/sh\ncase "$*" in *"enable --now ${SYNC}.service"*) echo "Job for ${SYNC}.service failed because the control process exited with error code." >&2; exit 1;; esac\nexec "${SIM_BIN}/systemctl" "$@"\n`,
      { mode: 0o755 },
    );
    const r = await dotops(["--repo", w.repo.dir, "--host", "box", "apply"], {
      home: w.home,
      env: { PATH: `${bin}:${SIM_BIN}:${process.env.PATH}`, SIM_STATE: w.sim },
    });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(
      `Job for ${SYNC}.service failed because the control process exited with error code.`,
    );
    expect(r.stderr).toMatch(/apply failed and was undone/);
    expect(existsSync(unitOf(w, `${SYNC}.service`))).toBe(false);
    expect(readFileSync(unitOf(w, `${BACKUP}.service`), "utf8")).not.toContain("Restart=always");
    expect(simState(w.sim)).toEqual(before);
  });

  it("lists units as not observable here when systemctl is missing", async () => {
    const bin = tempDir("dotops-nosystemctl-");
    const git = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
    execFileSync("ln", ["-s", git, join(bin, "git")]);
    const w = await world("box", services(service(SYNC)), { path: bin });
    const plan = JSON.parse((await w.run("--json", "plan")).stdout);
    expect(plan.changes).toMatchObject([
      {
        id: `systemd/${SYNC}.service`,
        refusal: expect.stringMatching(/^not observable here: systemctl is not on PATH/),
      },
    ]);
    const apply = await w.run("apply");
    expect(apply.exitCode).toBe(4);
    expect(existsSync(unitOf(w, `${SYNC}.service`))).toBe(false);
  });
});
