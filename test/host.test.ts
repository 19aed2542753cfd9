import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sourceFromRecord } from "../src/config/source.js";
import { apply } from "../src/engine/apply.js";
import type { Engine } from "../src/engine/engine.js";
import { statePaths } from "../src/engine/state.js";
import { DryRunHost } from "../src/host/dry-run-host.js";
import type { Host } from "../src/host/host.js";
import { SandboxHost } from "../src/host/sandbox-host.js";
import { minimalConfig, tempDir } from "./helpers.js";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function engine(host: Host): Engine {
  return { host, state: statePaths(`${host.home}/.local/state/dotops`), log: silent };
}

const request = {
  load: async () => ({ ...sourceFromRecord(minimalConfig(), "test"), commit: "a".repeat(40) }),
  loadOptions: {},
};

describe("SandboxHost", () => {
  it("poses a directory as / and HOME: system paths land under the root", async () => {
    const root = tempDir("dotops-sandbox-");
    const host = new SandboxHost(root, {
      env: { PATH: process.env.PATH, XDG_STATE_HOME: "/elsewhere", HOME: "/root" },
    });
    expect(host.home).toBe(join(root, "home/user"));
    expect(host.env.HOME).toBe(host.home);
    expect(host.env.XDG_STATE_HOME).toBeUndefined(); // nothing pointing outside leaks in
    await host.mkdir("/etc/nix");
    await host.writeFile("/etc/nix/nix.conf", "sandbox = false\n");
    expect(readFileSync(join(root, "etc/nix/nix.conf"), "utf8")).toBe("sandbox = false\n");
    expect(await host.lstat("/etc/nix/nix.conf")).toMatchObject({ type: "file", mode: 0o644 });
    const r = await host.exec("sh", ["-c", 'echo "$HOME"']);
    expect(r.stdout.trim()).toBe(host.home);
  });

  it("runs a whole apply inside the sandbox", async () => {
    const root = tempDir("dotops-sandbox-");
    const host = new SandboxHost(root);
    await host.mkdir(host.home);
    const result = await apply(engine(host), request);
    expect(result.generation).toBe(1);
    expect(readFileSync(join(host.home, ".config/app/conf"), "utf8")).toBe("color = true\n");
    expect(readdirSync(root)).toEqual(["home"]);
  });
});

describe("DryRunHost", () => {
  it("records every write of an apply and changes nothing", async () => {
    const root = tempDir("dotops-dry-");
    const real = new SandboxHost(root);
    await real.mkdir(real.home);
    const dry = new DryRunHost(real);
    const result = await apply(engine(dry), request);
    expect(result.plan.summary.create).toBeGreaterThan(0);
    expect(readdirSync(real.home)).toEqual([]); // not even the state dir
    const ops = dry.ops.map((o) => `${o.op} ${o.path.replace(real.home, "~")}`);
    expect(ops).toContain("mkdir ~/.local/state/dotops");
    expect(ops.some((o) => o.startsWith("symlink ~/.zshrc"))).toBe(true);
    expect(ops.some((o) => o.startsWith("mkdir ~/.config/app"))).toBe(true);
    expect(existsSync(join(real.home, ".zshrc"))).toBe(false);
  });

  it("passes reads through and runs only commands marked read-only", async () => {
    const root = tempDir("dotops-dry-");
    const real = new SandboxHost(root);
    await real.mkdir(real.home);
    await real.writeFile(`${real.home}/f`, "x");
    const dry = new DryRunHost(real, new Set(["echo"]));
    expect((await dry.readFile(`${real.home}/f`)).toString()).toBe("x");
    expect((await dry.exec("echo", ["hi"])).stdout).toBe("hi\n");
    expect((await dry.exec("rm", ["-rf", real.home])).exitCode).toBe(0);
    expect(existsSync(`${real.home}/f`)).toBe(true);
    expect(dry.ops).toEqual([{ op: "exec", path: "rm", detail: `-rf ${real.home}` }]);
  });
});

describe("RealHost.rmdir", () => {
  it("says false, not an error, where no directory can be: missing, not empty, or under a file", async () => {
    const { RealHost } = await import("../src/host/real-host.js");
    const root = tempDir("dotops-rmdir-");
    const host = new RealHost({ home: root });
    const { mkdirSync, writeFileSync } = await import("node:fs");
    mkdirSync(join(root, "full"));
    writeFileSync(join(root, "full/f"), "x");
    writeFileSync(join(root, "file"), "x");
    mkdirSync(join(root, "empty"));
    expect(await host.rmdir(join(root, "missing"))).toBe(false);
    expect(await host.rmdir(join(root, "full"))).toBe(false);
    // Recovery undoes a mkdir that never ran under what is still a file: ENOTDIR.
    expect(await host.rmdir(join(root, "file/sub"))).toBe(false);
    expect(await host.rmdir(join(root, "empty"))).toBe(true);
  });
});
