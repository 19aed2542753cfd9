/**
 * The npm package as a user gets it: `npm pack` of this checkout (built by
 * `npm test`), installed into an empty prefix as `npm i -g` does and run
 * through `npx`, under this Node and under Node 24 (the Action's runtime and
 * the newest LTS engines admits). Nothing is mocked: real npm, the real
 * tarball, the installed bin on PATH, a sandbox HOME. Dependencies come from
 * the npm cache `npm ci` filled (--prefer-offline), the registry otherwise.
 *
 * Node 24 where this one is older: $DOTOPS_TEST_NODE24 (.ci/run fetches it
 * with scripts/fetch-node.mjs) or, unset, the same script run here. It is
 * never skipped: without a Node 24 the test fails.
 *
 * Also the Homebrew formula: its version is package.json's, and
 * scripts/formula.mjs points it at a real packed tarball.
 */
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync } from "node:fs";
import { delimiter, dirname, join, relative } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { git, ROOT, sandbox, tempDir } from "./helpers.js";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; version: string };
const NODE_MAJOR = Number(process.versions.node.split(".")[0]);
const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
};

/** The Node binary of major 24: this one, $DOTOPS_TEST_NODE24, or one fetched from the registry. */
async function node24(): Promise<string> {
  if (NODE_MAJOR === 24) return process.execPath;
  const bin =
    process.env.DOTOPS_TEST_NODE24 ||
    (await execa(process.execPath, [join(ROOT, "scripts/fetch-node.mjs"), "24"])).stdout.trim();
  const v = await execa(bin, ["--version"], { reject: false });
  if (!v.stdout.startsWith("v24."))
    throw new Error(`${bin} is not a Node 24 (--version: ${v.stdout || v.stderr || v.exitCode})`);
  return bin;
}

const RUNTIMES: { name: string; node: () => Promise<string> }[] = [
  { name: `this Node (${process.version})`, node: async () => process.execPath },
  ...(NODE_MAJOR === 24 ? [] : [{ name: "Node 24", node: node24 }]),
];

/**
 * An npm cache of its own (npx installs into <cache>/_npx, logs go to
 * <cache>/_logs) sharing the machine's package store, so what `npm ci` put
 * there serves the installs offline.
 */
let npmCache: string;
async function isolatedNpmCache(): Promise<string> {
  const shared = (await execa("npm", ["config", "get", "cache"], { env: cleanEnv() })).stdout.trim();
  mkdirSync(join(shared, "_cacache"), { recursive: true });
  const own = tempDir("dotops-npm-cache-");
  symlinkSync(join(shared, "_cacache"), join(own, "_cacache"));
  return own;
}

/** This process's environment without what `npm test` adds (npm_config_*, npm_package_*, …). */
function cleanEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => !/^npm_/i.test(e[0]) && e[1] !== undefined,
    ),
  );
}

/** npm and npx as a user runs them with `node` (the given binary) first on PATH. */
function npmEnv(node: string): Record<string, string> {
  return {
    ...cleanEnv(),
    PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ""}`,
    npm_config_cache: npmCache,
    npm_config_prefer_offline: "true",
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
  };
}

/** An installed dotops, run as the tests run the CLI: a sandbox HOME and nothing else inherited. */
async function run(bin: string, args: string[], opts: { node: string; home: string; cwd?: string }) {
  const r = await execa(bin, args, {
    cwd: opts.cwd ?? opts.home,
    env: {
      PATH: `${dirname(opts.node)}${delimiter}${process.env.PATH ?? "/usr/bin:/bin"}`,
      HOME: opts.home,
      NO_COLOR: "1",
      ...GIT_IDENTITY,
    },
    extendEnv: false,
    reject: false,
    input: "",
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

let tarball: string;
let entries: string[];

beforeAll(async () => {
  npmCache = await isolatedNpmCache();
  const dest = tempDir("dotops-pack-");
  const packed = await execa("npm", ["pack", "--json", "--pack-destination", dest], {
    cwd: ROOT,
    env: npmEnv(process.execPath),
  });
  const [info] = JSON.parse(packed.stdout) as { filename: string }[];
  tarball = join(dest, (info as { filename: string }).filename);
  const listed = await execa("tar", ["-tzf", tarball]);
  entries = listed.stdout
    .split("\n")
    .filter((l) => l && !l.endsWith("/"))
    .map((l) => l.replace(/^package\//, ""));
}, 120_000);

describe("npm package", () => {
  it("holds the runtime and nothing else: the bundle, its licence notices, the examples init copies", async () => {
    expect(tarball.endsWith(`${pkg.name}-${pkg.version}.tgz`)).toBe(true);
    const RUNTIME = [
      /^package\.json$/,
      /^README\.md$/,
      /^(LICEN[CS]E|CHANGELOG)(\.md|\.txt)?$/i,
      /^dist\/cli\/(chunks\/)?[\w-]+\.js$/,
      /^dist\/cli\/chunks\/[\w-]+\.js\.LEGAL\.txt$/, // the bundled dependencies' licence comments
      /^config-examples\//,
    ];
    expect(entries.filter((f) => !RUNTIME.some((re) => re.test(f)))).toEqual([]);
    for (const f of entries) {
      expect(f).not.toMatch(
        /^(src|test|bench|action|scripts|docs|Formula|node_modules|\.github|\.changeset)\//,
      );
      expect(f).not.toMatch(/\.map$|\.ts$|\/meta\.json$|(^|\/)node_modules\//);
    }
    // Every other file of the built CLI is there (a chunk left out breaks a lazily loaded command).
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(d, e.name)) : [relative(ROOT, join(d, e.name))],
      );
    // Left out on purpose: source maps (nothing runs with --enable-source-maps) and the build's metafile (tests read it).
    const built = walk(join(ROOT, "dist/cli")).filter((f) => !/\.map$/.test(f) && f !== "dist/cli/meta.json");
    expect(built).toContain("dist/cli/main.js");
    expect(entries.filter((f) => f.startsWith("dist/")).sort()).toEqual(built.sort());
    // `dotops init` copies an example: every committed one is in the package.
    const examples = (await git(ROOT, "ls-files", "config-examples")).split("\n");
    expect(entries.filter((f) => f.startsWith("config-examples/")).sort()).toEqual(examples.sort());
  });

  for (const runtime of RUNTIMES) {
    it(`npm i -g of the tarball into an empty prefix: dotops --version, init, check (${runtime.name})`, async () => {
      const node = await runtime.node();
      const prefix = tempDir("dotops-prefix-");
      const install = await execa("npm", ["install", "-g", "--prefix", prefix, tarball], {
        env: npmEnv(node),
        reject: false,
        all: true,
      });
      expect(install.exitCode, install.all).toBe(0);
      // A dependency that does not support this Node (engines admits it): fix the dependency.
      expect(install.all).not.toContain("EBADENGINE");
      const bin = join(prefix, "bin/dotops");

      const { home } = sandbox();
      const version = await run(bin, ["--version"], { node, home });
      expect(version.exitCode, version.stderr).toBe(0);
      expect(version.stdout.trim()).toBe(pkg.version);

      const dir = join(tempDir(), "dots");
      const init = await run(bin, ["init", dir], { node, home });
      expect(init.exitCode, init.stderr).toBe(0);
      expect(init.stdout).toContain(`Created a dotops config repo in ${dir} (committed).`);
      expect(await git(dir, "log", "--format=%s")).toBe("dotops init");

      const check = await run(bin, ["check"], { node, home, cwd: dir });
      expect(check.exitCode, check.stderr).toBe(0);
      expect(check.stdout).toMatch(/^ok: commit [0-9a-f]{12} is valid for 1 host\(s\)/);

      // It was the installed copy that ran, under the Node asked for.
      const doctor = await run(bin, ["doctor", "--json"], { node, home, cwd: dir });
      const checks = (JSON.parse(doctor.stdout) as { checks: { name: string; message: string }[] }).checks;
      const said = (name: string) => checks.find((c) => c.name === name)?.message ?? "";
      expect(said("dotops")).toContain(
        join(realpathSync(prefix), "lib/node_modules/dotops/dist/cli/main.js"),
      );
      const nodeVersion = (await execa(node, ["--version"])).stdout.trim();
      expect(said("node")).toContain(nodeVersion);
      expect(said("node")).toContain("satisfies engines");
    });

    it(`npx --package <tarball> dotops --version (${runtime.name})`, async () => {
      const node = await runtime.node();
      const cwd = tempDir("dotops-npx-");
      const r = await execa("npx", ["--yes", "--package", tarball, "--", "dotops", "--version"], {
        cwd,
        env: npmEnv(node),
        reject: false,
      });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(pkg.version);
    });
  }
});

describe("Homebrew formula", () => {
  const formula = readFileSync(join(ROOT, "Formula/dotops.rb"), "utf8");

  it("installs the npm tarball of package.json's version with node, and tests --version, init and check", () => {
    expect(formula).toMatch(/^class Dotops < Formula$/m);
    const url = formula.match(/^ {2}url "([^"]+)"$/m)?.[1];
    expect(url).toBe(`https://registry.npmjs.org/dotops/-/dotops-${pkg.version}.tgz`);
    expect(formula).toMatch(/^ {2}sha256 "[0-9a-f]{64}"$/m);
    expect(formula).toMatch(/^ {2}license "MIT"$/m);
    expect(formula).toMatch(/^ {2}depends_on "node"$/m);
    expect(formula).toContain('system "npm", "install", *std_npm_args');
    expect(formula).toContain('bin.install_symlink libexec.glob("bin/*")');
    const test = formula.slice(formula.indexOf("test do"));
    expect(test).toContain('shell_output("#{bin}/dotops --version")');
    expect(test).toContain('system bin/"dotops", "init"');
    expect(test).toContain("check");
  });

  it("scripts/formula.mjs points the formula at a packed tarball: its version's URL and its sha256", async () => {
    const copy = join(tempDir("dotops-formula-"), "dotops.rb");
    copyFileSync(join(ROOT, "Formula/dotops.rb"), copy);
    const sha256 = createHash("sha256").update(readFileSync(tarball)).digest("hex");

    const r = await execa(process.execPath, [join(ROOT, "scripts/formula.mjs"), tarball, "--formula", copy]);
    expect(r.stdout).toContain(`dotops ${pkg.version}, sha256 ${sha256}`);
    const after = readFileSync(copy, "utf8");
    expect(after).toContain(`  url "https://registry.npmjs.org/dotops/-/dotops-${pkg.version}.tgz"\n`);
    expect(after).toContain(`  sha256 "${sha256}"\n`);
    // Only those two lines change, and a second run changes nothing.
    const changed = (a: string, b: string) => a.split("\n").filter((l, i) => l !== b.split("\n")[i]);
    expect(changed(after, formula).every((l) => /^ {2}(url|sha256) "/.test(l))).toBe(true);
    const again = await execa(process.execPath, [
      join(ROOT, "scripts/formula.mjs"),
      tarball,
      "--formula",
      copy,
    ]);
    expect(again.stdout).toContain("(unchanged)");

    // --url: CI installs a local tarball with brew.
    await execa(process.execPath, [
      join(ROOT, "scripts/formula.mjs"),
      tarball,
      "--formula",
      copy,
      "--url",
      `file://${tarball}`,
    ]);
    expect(readFileSync(copy, "utf8")).toContain(`  url "file://${tarball}"\n`);
  });

  it("CHANGELOG.md has an entry for package.json's version, as the release workflow requires", async () => {
    const r = await execa(process.execPath, [join(ROOT, "scripts/changelog.mjs")], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim()).not.toBe("");
    const missing = await execa(process.execPath, [join(ROOT, "scripts/changelog.mjs"), "v0.0.0-none"], {
      reject: false,
    });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("has no entry for 0.0.0-none");
  });
});
