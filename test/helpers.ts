import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { execa } from "execa";
import { afterAll } from "vitest";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const CLI = join(ROOT, "dist/cli/main.js");

const tempDirs: string[] = [];
afterAll(() => {
  if (!process.env.DOTOPS_KEEP_TMP) for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

export function tempDir(prefix = "dotops-test-"): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(d);
  return d;
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
};

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const r = await execa("git", args, { cwd, env: GIT_ENV });
  return r.stdout.trim();
}

/** A real Git repo of a dotops config in a temp dir. */
export class ConfigRepo {
  constructor(readonly dir: string) {}

  static async create(files: Record<string, string>, message = "initial"): Promise<ConfigRepo> {
    const repo = new ConfigRepo(tempDir("dotops-repo-"));
    await git(repo.dir, "init", "-q", "-b", "main");
    await repo.commit(files, message);
    return repo;
  }

  /**
   * A copy of config-examples/<name>, committed. An example whose inputs are
   * sibling examples (`git: ../fleet-base`) gets them beside it, each its own
   * repo, and a dotops.lock pinning them, as `dotops lock` writes it.
   */
  static async fromExample(name = "minimal"): Promise<ConfigRepo> {
    const root = tempDir("dotops-examples-");
    const copy = async (example: string) => {
      const repo = new ConfigRepo(join(root, example));
      cpSync(join(ROOT, "config-examples", example), repo.dir, { recursive: true });
      await git(repo.dir, "init", "-q", "-b", "main");
      await git(repo.dir, "add", "-A");
      await git(repo.dir, "commit", "-q", "-m", "initial");
      return repo;
    };
    const entry = readFileSync(join(ROOT, "config-examples", name, "dotops.yaml"), "utf8");
    const siblings = [...entry.matchAll(/git: \.\.\/([\w-]+)/g)].map((m) => m[1] as string);
    for (const s of siblings) await copy(s);
    const repo = await copy(name);
    if (siblings.length) {
      const r = await dotops(["--repo", repo.dir, "lock"], { home: sandbox().home });
      if (r.exitCode !== 0) throw new Error(`dotops lock in example ${name}: ${r.stderr}`);
      await repo.commit({}, "lock");
    }
    return repo;
  }

  write(files: Record<string, string>): void {
    for (const [path, text] of Object.entries(files)) {
      const abs = join(this.dir, path);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, text);
    }
  }

  read(path: string): string {
    return readFileSync(join(this.dir, path), "utf8");
  }

  /** Writes files (null deletes), commits, returns the new full SHA. */
  async commit(files: Record<string, string | null>, message = "change"): Promise<string> {
    for (const [path, text] of Object.entries(files)) {
      if (text === null) rmSync(join(this.dir, path), { force: true });
      else this.write({ [path]: text });
    }
    await git(this.dir, "add", "-A");
    await git(this.dir, "commit", "-q", "--allow-empty", "-m", message);
    return this.head();
  }

  head(): Promise<string> {
    return git(this.dir, "rev-parse", "HEAD");
  }

  async revert(rev = "HEAD"): Promise<string> {
    await git(this.dir, "revert", "--no-edit", rev);
    return this.head();
  }
}

/**
 * Writes `source` (a script importing dotops' modules as "./src/….ts") to
 * `out` as one file Node runs: the CLI is a bundle, so a test's own process
 * that needs the engine (a lock racer) gets it the same way.
 */
export async function bundleScript(source: string, out: string): Promise<void> {
  await build({
    stdin: { contents: source, resolveDir: ROOT, loader: "ts", sourcefile: "script.ts" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: out,
    logLevel: "warning",
    banner: {
      js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);',
    },
  });
}

/** An SSH signing key: its allowed-signers line, and commits signed with it. */
export async function sshSigner(name: string): Promise<{
  allowed: string;
  commit(repo: ConfigRepo, message: string, files?: Record<string, string>): Promise<string>;
}> {
  const key = join(tempDir("dotops-keys-"), name);
  await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${name}@example.com`, "-f", key]);
  const pub = readFileSync(`${key}.pub`, "utf8").trim().split(" ").slice(0, 2).join(" ");
  return {
    allowed: `${name}@example.com ${pub}`,
    async commit(repo, message, files = {}) {
      repo.write(files);
      await git(repo.dir, "add", "-A");
      await git(
        repo.dir,
        "-c",
        "gpg.format=ssh",
        "-c",
        `user.signingkey=${key}`,
        "commit",
        "-q",
        "-S",
        "-m",
        message,
      );
      return repo.head();
    },
  };
}

/** A sandbox HOME and state dir for one test. */
export function sandbox(): { home: string; state: string; root: string } {
  const root = tempDir("dotops-home-");
  const home = join(root, "home");
  mkdirSync(home, { recursive: true });
  return { root, home, state: join(home, ".local/state/dotops") };
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Records every file a Node process resolves, for tests that hold the CLI to
 * loading only what a command needs: pass `args` to node before the CLI's
 * path; `sources()` maps the bundle's files back to the source modules they
 * hold (the build's metafile), for one process or all that were traced.
 */
export function moduleTrace(): { args: string[]; sources: (pid?: number) => string[] } {
  const trace = tempDir("dotops-trace-");
  writeFileSync(
    join(trace, "register.mjs"),
    `import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n`,
  );
  writeFileSync(
    join(trace, "hooks.mjs"),
    `import { appendFileSync } from "node:fs";\nexport async function resolve(spec, ctx, next) {\n  const r = await next(spec, ctx);\n  appendFileSync(${JSON.stringify(join(trace, "modules."))} + process.pid, r.url + "\\n");\n  return r;\n}\n`,
  );
  const sources = (pid?: number) => {
    const meta = JSON.parse(readFileSync(join(ROOT, "dist/cli/meta.json"), "utf8")) as {
      outputs: Record<string, { inputs: Record<string, unknown> }>;
    };
    const files = readdirSync(trace).filter((f) => (pid ? f === `modules.${pid}` : f.startsWith("modules.")));
    const urls = files.flatMap((f) => readFileSync(join(trace, f), "utf8").split("\n"));
    const loaded = urls
      .filter((u) => u.startsWith("file:"))
      .flatMap((u) => Object.keys(meta.outputs[relative(ROOT, fileURLToPath(u))]?.inputs ?? {}));
    return [...new Set(loaded)];
  };
  return { args: ["--import", join(trace, "register.mjs")], sources };
}

/** Runs the built CLI as a user would, with HOME in the sandbox and nothing inherited that points elsewhere. */
export async function dotops(
  args: string[],
  opts: { home: string; cwd?: string; env?: Record<string, string>; input?: string; nodeArgs?: string[] },
): Promise<CliResult> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: opts.home,
    NO_COLOR: "1",
    ...opts.env,
  };
  const r = await execa(process.execPath, [...(opts.nodeArgs ?? []), CLI, ...args], {
    cwd: opts.cwd ?? opts.home,
    env,
    extendEnv: false,
    reject: false,
    input: opts.input ?? "",
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** The minimal config used across tests: one host, a couple of files. */
export function minimalConfig(extra: Record<string, string> = {}): Record<string, string> {
  return {
    "dotops.yaml": "version: 1\nimports: [home/*.yaml]\nhosts:\n  box:\n    platform: linux\n",
    "home/files.yaml":
      "files:\n  - { target: ~/.zshrc, source: files/zshrc }\n  - { target: ~/.config/app/conf, source: files/app.conf }\n",
    "files/zshrc": "export EDITOR=nvim\n",
    "files/app.conf": "color = true\n",
    ...extra,
  };
}
