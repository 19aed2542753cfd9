/** `dotops dev-env` with the real direnv: the .envrc it writes, once allowed, gives the environment it promises. */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { dotops, sandbox } from "./helpers.js";

/** direnv with its allow list and config in the sandbox, never the user's. */
function direnvIn(root: string, home: string) {
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    XDG_CONFIG_HOME: join(root, "xdg-config"),
    XDG_DATA_HOME: join(root, "xdg-data"),
    XDG_CACHE_HOME: join(root, "xdg-cache"),
  };
  const run = (args: string[]) => execa("direnv", args, { env, extendEnv: false, reject: false });
  return {
    allow: async (dir: string) => expect((await run(["allow", dir])).exitCode).toBe(0),
    /** The environment a command gets inside `dir`, as direnv loads it. */
    async envIn(dir: string): Promise<Record<string, string>> {
      const r = await run(["exec", dir, "env", "-0"]);
      if (r.exitCode !== 0) throw new Error(`direnv exec failed: ${r.stderr}`);
      return Object.fromEntries(
        String(r.stdout)
          .split("\0")
          .filter(Boolean)
          .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
      );
    },
    run,
  };
}

async function project(template: string) {
  const { root, home } = sandbox();
  const dir = join(root, `my-${template}-app`);
  mkdirSync(dir);
  const r = await dotops(["dev-env", template, dir], { home });
  expect(r.exitCode, r.stderr).toBe(0);
  expect(r.stdout).toContain("wrote .envrc");
  return { dir, direnv: direnvIn(root, home) };
}

describe("dev-env with direnv", () => {
  it("python: a virtualenv in .direnv, first on PATH, and the template's variables", async () => {
    const { dir, direnv } = await project("python");
    // Not allowed yet: direnv refuses to load it, so nothing below could pass by accident.
    const blocked = await direnv.run(["exec", dir, "env"]);
    expect(String(blocked.stderr)).toMatch(/is blocked/);
    expect(String(blocked.stdout)).not.toContain("PYTHONDONTWRITEBYTECODE");

    await direnv.allow(dir);
    const env = await direnv.envIn(dir);
    const version = (
      await execa("python3", ["-c", "import platform; print(platform.python_version())"])
    ).stdout.trim();
    const venv = join(dir, ".direnv", `python-${version}`);
    expect(env.VIRTUAL_ENV).toBe(venv);
    expect(env.PATH?.split(":")[0]).toBe(join(venv, "bin"));
    expect(existsSync(join(venv, "bin/python"))).toBe(true);
    expect(env.PYTHONDONTWRITEBYTECODE).toBe("1");
    expect(env.DIRENV_DIR).toBe(`-${dir}`);
  });

  it("nodejs: node_modules/.bin first on PATH and NODE_ENV=development", async () => {
    const { dir, direnv } = await project("nodejs");
    await direnv.allow(dir);
    const env = await direnv.envIn(dir);
    expect(env.PATH?.split(":")[0]).toBe(join(dir, "node_modules/.bin"));
    expect(env.NODE_ENV).toBe("development");
    // Outside the project the environment is not there.
    const outside = await direnv.envIn(join(dir, ".."));
    expect(outside.NODE_ENV).toBeUndefined();
  });
});
