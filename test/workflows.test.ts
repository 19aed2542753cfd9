import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigRepo, dotops, git, ROOT, sandbox, tempDir } from "./helpers.js";
import { minVersion, satisfies } from "./node-range.js";

/**
 * The workflow files, checked against the workflow syntax's keys (a subset of
 * GitHub's schema: what these files may use) and against the action's own
 * action.yml: every `with:` of the dotops action names a declared input with
 * an allowed value.
 */
type Obj = Record<string, unknown>;

const WORKFLOW_KEYS = ["name", "run-name", "on", "permissions", "env", "defaults", "concurrency", "jobs"];
const JOB_KEYS = [
  "name",
  "needs",
  "if",
  "runs-on",
  "permissions",
  "environment",
  "concurrency",
  "outputs",
  "env",
  "defaults",
  "steps",
  "timeout-minutes",
  "strategy",
  "continue-on-error",
  "container",
  "services",
];
const STEP_KEYS = [
  "id",
  "if",
  "name",
  "uses",
  "run",
  "shell",
  "with",
  "env",
  "continue-on-error",
  "timeout-minutes",
  "working-directory",
];
const EVENTS = ["push", "pull_request", "pull_request_target", "workflow_dispatch", "schedule", "release"];
const SCOPES = [
  "actions",
  "checks",
  "contents",
  "deployments",
  "id-token",
  "issues",
  "packages",
  "pages",
  "pull-requests",
  "statuses",
];
const RUNNERS = /^(ubuntu|macos|windows)-(latest|\d[\d.]*)$/;

const action = parse(readFileSync(join(ROOT, "action/action.yml"), "utf8")) as {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, unknown>;
  runs: { using: string; main: string };
};
const ALLOWED_VALUES: Record<string, string[]> = {
  // Not the deprecated "apply": the workflows here show the current name.
  mode: ["check", "plan", "ephemeral", "update"],
  "fail-on": ["error", "destructive", "changes"],
  comment: ["true", "false"],
};

function workflowFiles(): string[] {
  const own = join(ROOT, ".github/workflows");
  const files = readdirSync(own)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(own, f));
  for (const ex of readdirSync(join(ROOT, "config-examples"))) {
    const f = join(ROOT, "config-examples", ex, ".github/workflows/dotops.yml");
    if (existsSync(f)) files.push(f);
  }
  return files;
}

function keysWithin(where: string, o: Obj, allowed: string[]): string[] {
  return Object.keys(o)
    .filter((k) => !allowed.includes(k))
    .map((k) => `${where}: unknown key "${k}"`);
}

/** The runner labels a job runs on, with a matrix expanded. */
function runnersOf(job: Obj): string[] {
  const runsOn = job["runs-on"];
  const m = typeof runsOn === "string" ? runsOn.match(/^\$\{\{\s*matrix\.(\w+)\s*\}\}$/) : null;
  if (m) return ((job.strategy as Obj)?.matrix as Obj)?.[m[1] as string] as string[];
  return Array.isArray(runsOn) ? (runsOn as string[]) : [runsOn as string];
}

function validate(file: string, wf: Obj): string[] {
  const problems = keysWithin(file, wf, WORKFLOW_KEYS);
  if (!wf.on) problems.push(`${file}: no "on"`);
  const events =
    typeof wf.on === "string" ? [wf.on] : Array.isArray(wf.on) ? wf.on : Object.keys(wf.on as Obj);
  for (const e of events) if (!EVENTS.includes(e as string)) problems.push(`${file}: unknown event ${e}`);
  const checkPermissions = (where: string, p: unknown) => {
    if (p === undefined) return;
    for (const [scope, level] of Object.entries(p as Obj)) {
      if (!SCOPES.includes(scope)) problems.push(`${where}: unknown permission ${scope}`);
      if (!["read", "write", "none"].includes(level as string))
        problems.push(`${where}: permission ${scope}: ${level}`);
    }
  };
  checkPermissions(`${file} permissions`, wf.permissions);
  const jobs = wf.jobs as Record<string, Obj>;
  if (!jobs || !Object.keys(jobs).length) problems.push(`${file}: no jobs`);
  for (const [id, job] of Object.entries(jobs ?? {})) {
    const where = `${file} jobs.${id}`;
    problems.push(...keysWithin(where, job, JOB_KEYS));
    checkPermissions(`${where}.permissions`, job.permissions);
    for (const r of runnersOf(job) ?? [undefined])
      if (typeof r !== "string" || !RUNNERS.test(r)) problems.push(`${where}: runs-on ${r}`);
    const needs = job.needs === undefined ? [] : ([] as string[]).concat(job.needs as string);
    for (const n of needs) if (!(n in jobs)) problems.push(`${where}: needs unknown job ${n}`);
    const steps = job.steps as Obj[];
    if (!Array.isArray(steps) || !steps.length) problems.push(`${where}: no steps`);
    (steps ?? []).forEach((step, i) => {
      const at = `${where}.steps[${i}]`;
      problems.push(...keysWithin(at, step, STEP_KEYS));
      if ("uses" in step === "run" in step) problems.push(`${at}: needs exactly one of uses and run`);
      if ("run" in step && (typeof step.run !== "string" || !step.run.trim()))
        problems.push(`${at}: empty run`);
      if ("uses" in step) problems.push(...checkUses(at, step, steps.slice(0, i)));
    });
  }
  for (const s of strings(wf)) {
    // docker/metadata-action's own placeholders ({{version}}) are not expressions.
    const e = s.replace(/(?<!\$)\{\{\s*[\w.]+\s*\}\}/g, "");
    if ((e.match(/\$\{\{/g) ?? []).length !== (e.match(/\}\}/g) ?? []).length)
      problems.push(`${file}: unbalanced \${{ }} in ${JSON.stringify(s)}`);
  }
  return problems;
}

function strings(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (v && typeof v === "object") return Object.values(v).flatMap(strings);
  return [];
}

function runsOf(job: Obj): string[] {
  return ((job.steps as Obj[]) ?? []).map((s) => String(s.run ?? ""));
}

function checkUses(at: string, step: Obj, before: Obj[]): string[] {
  const uses = step.uses as string;
  const problems: string[] = [];
  const isDotops = uses === "./action" || /^[\w.-]+\/dotops\/action@v\d+$/.test(uses);
  if (!isDotops) {
    if (!/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[\w.-]+$/.test(uses)) problems.push(`${at}: uses ${uses}`);
    return problems;
  }
  const checkout = before.find((s) => typeof s.uses === "string" && s.uses.startsWith("actions/checkout@"));
  if (!checkout) problems.push(`${at}: the dotops action needs actions/checkout before it`);
  else if ((checkout.with as Obj | undefined)?.["fetch-depth"] !== 0)
    problems.push(`${at}: checkout needs fetch-depth: 0 (base and head commits)`);
  for (const [k, v] of Object.entries((step.with as Obj) ?? {})) {
    if (!(k in action.inputs)) problems.push(`${at}: with.${k} is not an input of action/action.yml`);
    const allowed = ALLOWED_VALUES[k];
    if (allowed && !allowed.includes(String(v))) problems.push(`${at}: with.${k}: ${v}`);
  }
  return problems;
}

describe("workflows", () => {
  const files = workflowFiles();
  const load = (f: string) => parse(readFileSync(f, "utf8")) as Obj;

  it("are valid YAML with the workflow syntax's keys, and use the action as action.yml declares it", () => {
    expect(files.map((f) => f.slice(ROOT.length))).toEqual(
      expect.arrayContaining([
        ".github/workflows/ci.yml",
        ".github/workflows/release.yml",
        "config-examples/minimal/.github/workflows/dotops.yml",
      ]),
    );
    for (const f of files) expect(validate(f.slice(ROOT.length), load(f))).toEqual([]);
  });

  it("the example workflow plans linux hosts on Linux, applies darwin hosts on a throwaway Mac, and can apply on push", () => {
    const wf = load(join(ROOT, "config-examples/minimal/.github/workflows/dotops.yml"));
    expect(Object.keys(wf.on as Obj)).toEqual(expect.arrayContaining(["pull_request", "push"]));
    const jobs = Object.values(wf.jobs as Record<string, Obj>);
    const dotopsStep = (job: Obj) =>
      (job.steps as Obj[]).find((s) => /\/dotops\/action@v\d+$/.test(String(s.uses))) as Obj;
    const onPr = jobs.filter((j) => String(j.if).includes("pull_request"));
    const byRunner = Object.fromEntries(onPr.map((j) => [runnersOf(j).join(","), j]));
    expect(Object.keys(byRunner).sort()).toEqual(["macos-latest", "ubuntu-latest"]);
    for (const j of onPr)
      expect(j.permissions).toEqual({ contents: "read", "pull-requests": "write", statuses: "write" });
    expect(dotopsStep(byRunner["ubuntu-latest"] as Obj).with).toMatchObject({ mode: "plan" });
    // darwin hosts are proven on a Mac before merge, and the comment shows it.
    const mac = dotopsStep(byRunner["macos-latest"] as Obj).with as Obj;
    expect(mac).toMatchObject({ mode: "ephemeral" });
    expect(mac.comment).not.toBe(false);
    const apply = jobs.find((j) => String(j.if).includes("push")) as Obj;
    expect(dotopsStep(apply).with).toMatchObject({ mode: "ephemeral", comment: false });
    expect(String(apply.if)).toContain("vars.DOTOPS_EPHEMERAL_APPLY");
    // Weekly: dotops update, one pull request whose plan the Action posts (test/action-update.test.ts).
    expect(Object.keys(wf.on as Obj)).toEqual(expect.arrayContaining(["schedule", "workflow_dispatch"]));
    const update = jobs.find((j) => String(j.if).includes("schedule")) as Obj;
    expect(dotopsStep(update).with).toMatchObject({ mode: "update" });
    expect(update.permissions).toEqual({ contents: "write", "pull-requests": "write", statuses: "write" });
  });

  it("CI runs the Action in mode ephemeral on a real Mac against its proof config, and checks it with the real tools", async () => {
    const jobs = load(join(ROOT, ".github/workflows/ci.yml")).jobs as Record<string, Obj>;
    const job = jobs["action-macos"] as Obj;
    expect(job["runs-on"]).toBe("macos-latest");
    expect(job.needs).toBe("check-dist");
    const step = (job.steps as Obj[]).find((s) => s.uses === "./action") as Obj;
    expect(step.with).toMatchObject({ "config-path": "config-examples/macos-ci", mode: "ephemeral" });
    const outputs = `\${{ steps.${step.id}.outputs.plan-json }}`;

    // What the job checks is what the proof config asks for.
    const dir = join(ROOT, "config-examples/macos-ci");
    const yaml = (f: string) => parse(readFileSync(join(dir, f), "utf8")) as Obj;
    expect((yaml("dotops.yaml").hosts as Record<string, Obj>)["ci-mac"]).toEqual({ platform: "darwin" });
    expect((yaml("system/packages.yaml").homebrew as Obj).brews).toEqual(["hello"]);
    expect(yaml("system/macos-defaults.yaml").defaults).toEqual({ "dev.dotops.ci": { answer: 42 } });
    const [service] = yaml("home/services.yaml").services as Obj[];
    expect(service).toMatchObject({
      label: "dev.dotops.ci.echo",
      program: ["/bin/echo", "dotops ci agent ran"],
    });
    const [file] = yaml("home/files.yaml").files as Obj[];
    expect(file).toMatchObject({ target: "~/.dotops-ci" });

    const script = runsOf(job).join("\n");
    expect(script).toContain(outputs);
    for (const id of [
      "~/.dotops-ci",
      "brew/hello",
      "defaults/dev.dotops.ci/answer",
      "launchd/dev.dotops.ci.echo",
    ])
      expect(script).toContain(`"${id}"`);
    for (const check of [
      'test -L "$HOME/.dotops-ci"',
      "brew list hello",
      'test "$(defaults read dev.dotops.ci answer)" = 42',
      'test "$(defaults read-type dev.dotops.ci answer)" = "Type is integer"',
      'launchctl print "gui/$(id -u)/dev.dotops.ci.echo"',
    ])
      expect(script).toContain(check);

    // And dotops itself takes the config: valid, one darwin host.
    const repo = await ConfigRepo.fromExample("macos-ci");
    const r = await dotops(["check"], { home: sandbox().home, cwd: repo.dir });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("ci-mac (darwin)");
  });

  it("CI lints, type checks and tests on Linux and macOS, and checks action/dist", () => {
    const wf = load(join(ROOT, ".github/workflows/ci.yml"));
    const jobs = wf.jobs as Record<string, Obj>;
    const runs = (job: Obj | undefined) => ((job?.steps as Obj[]) ?? []).map((s) => String(s.run ?? ""));
    const linux = Object.values(jobs).find(
      (j) => j["runs-on"] === "ubuntu-latest" && runs(j).includes("npm test"),
    );
    expect(runs(linux)).toEqual(
      expect.arrayContaining(["npx biome ci .", "npx tsc --noEmit -p .", "npm test"]),
    );
    // The provider tests against the real macOS tools, not the simulators.
    const mac = jobs.macos as Obj;
    expect(mac["runs-on"]).toBe("macos-latest");
    expect(mac.env).toMatchObject({ DOTOPS_REAL_MACOS_TOOLS: "1" });
    expect(runs(mac)).toContain("npm test");
    expect(runs(jobs["check-dist"])).toContain("npm run build:action");
  });

  it("CI tests every Node LTS major from engines' minimum to the Action's runtime, and nothing else", () => {
    const engines = (
      JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } }
    ).engines.node;
    const min = minVersion(engines);
    const actionMajor = Number(action.runs.using.replace(/^node/, ""));
    const lts: number[] = [];
    for (let m = Number(min.split(".")[0]); m <= actionMajor; m++) if (m % 2 === 0) lts.push(m);
    expect(lts.length).toBeGreaterThan(1);

    const jobs = load(join(ROOT, ".github/workflows/ci.yml")).jobs as Record<string, Obj>;
    const versionsOf = (job: Obj): number[] =>
      ((job.steps as Obj[]) ?? [])
        .filter((s) => String(s.uses).startsWith("actions/setup-node@"))
        .flatMap((s) => {
          const v = String((s.with as Obj)?.["node-version"]);
          const m = v.match(/^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$/);
          return m ? (((job.strategy as Obj)?.matrix as Obj)?.[m[1] as string] as number[]) : [Number(v)];
        });
    const linux = jobs.test as Obj;
    expect(versionsOf(linux)).toEqual(lts);
    expect(runsOf(linux)).toEqual(
      expect.arrayContaining(["npx biome ci .", "npx tsc --noEmit -p .", "npm test"]),
    );
    // Every other job runs on a version the test matrix covers.
    for (const [id, job] of Object.entries(jobs))
      for (const v of versionsOf(job)) expect(lts, id).toContain(v);
    // And engines admits each of them.
    for (const m of lts) expect(satisfies(`${m}.99.0`, engines), `node ${m}`).toBe(true);
  });

  it("every locked dependency supports the oldest Node engines admits, and each major CI tests", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean }>;
    };
    const versions = [minVersion(pkg.engines.node), "20.99.0", "22.99.0", "24.99.0"];
    const unsupported: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (!path || !range) continue;
      for (const v of versions)
        if (!satisfies(v, range))
          unsupported.push(`${path.replace(/^node_modules\//, "")} wants node ${range}, not ${v}`);
    }
    // npm ci warns EBADENGINE for each; fix with a compatible version or an override in package.json.
    expect(unsupported).toEqual([]);
  });

  it("action.yml runs the bundle on node24 and every input and output is wired", () => {
    expect(action.runs).toEqual({ using: "node24", main: "dist/index.js" });
    expect(existsSync(join(ROOT, "action", action.runs.main))).toBe(true);
    const input = readFileSync(join(ROOT, "action/src/input.ts"), "utf8");
    const main = readFileSync(join(ROOT, "action/src/main.ts"), "utf8");
    for (const name of Object.keys(action.inputs)) expect(input).toContain(`getInput("${name}")`);
    for (const name of Object.keys(action.outputs))
      expect(main).toMatch(new RegExp(`setOutput\\(\\s*"${name}"`));
    expect(Object.keys(action.inputs).sort()).toEqual(
      ["comment", "config-path", "fail-on", "github-token", "hosts", "mode", "update-branch"].sort(),
    );
    expect(action.inputs["github-token"]?.default).toBe(`$\{{ github.token }}`);
  });
});

describe("release workflow", () => {
  const wf = parse(readFileSync(join(ROOT, ".github/workflows/release.yml"), "utf8")) as Obj;
  const jobs = wf.jobs as Record<string, Obj>;
  const steps = (id: string) => ((jobs[id] as Obj).steps as Obj[]) ?? [];
  const uses = (id: string, action: string) =>
    steps(id).find((s) => String(s.uses).startsWith(`${action}@`)) as Obj | undefined;
  /** Every job a job waits for, directly or through others. */
  const upstream = (id: string, seen = new Set<string>()): Set<string> => {
    for (const n of ([] as string[]).concat((jobs[id]?.needs as string) ?? []))
      if (!seen.has(n)) upstream(n, seen.add(n));
    return seen;
  };
  /** A run: script as the runner's bash runs it, with only the given environment. */
  const bash = (script: string, cwd: string, env: Record<string, string>) =>
    execa("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
      cwd,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        GIT_CONFIG_GLOBAL: "/dev/null",
        GIT_CONFIG_NOSYSTEM: "1",
        ...env,
      },
      extendEnv: false,
      reject: false,
    });

  it("runs on version tags only, not on the major tags it moves", () => {
    expect(wf.on).toEqual({ push: { tags: ["v*.*.*"] } });
    // GitHub's filter glob: * is any run of characters but /.
    const glob = (p: string) => new RegExp(`^${p.replace(/\./g, "\\.").replace(/\*/g, "[^/]*")}$`);
    const tags = (wf.on as { push: { tags: string[] } }).push.tags.map(glob);
    const matches = (t: string) => tags.some((re) => re.test(t));
    for (const t of ["v0.1.0", "v1.2.3", "v1.2.3-rc.1"]) expect(matches(t), t).toBe(true);
    for (const t of ["v1", "v12", "latest"]) expect(matches(t), t).toBe(false);
    expect(wf.permissions).toEqual({ contents: "read" });
  });

  it("tests (lint, types, npm test on every Node CI tests) and verifies before it publishes anything", () => {
    const test = jobs.test as Obj;
    expect(runsOf(test)).toEqual(
      expect.arrayContaining([
        "npm ci --no-audit --no-fund",
        "npx biome ci .",
        "npx tsc --noEmit -p .",
        "npm test",
      ]),
    );
    const ci = parse(readFileSync(join(ROOT, ".github/workflows/ci.yml"), "utf8")).jobs as Record<
      string,
      Obj
    >;
    expect(((test.strategy as Obj).matrix as Obj).node).toEqual(
      (((ci.test as Obj).strategy as Obj).matrix as Obj).node,
    );
    expect(runsOf(jobs.verify as Obj)).toEqual(expect.arrayContaining(["npm run check-dist"]));
    expect(runsOf(jobs.verify as Obj).join("\n")).toContain("node scripts/changelog.mjs");
    for (const id of ["npm", "action-tag", "image", "github-release", "formula"]) {
      expect(Object.keys(jobs), id).toContain(id);
      expect([...upstream(id)], id).toEqual(expect.arrayContaining(["test", "verify"]));
    }
    expect([...upstream("github-release")]).toEqual(expect.arrayContaining(["npm", "action-tag", "image"]));
    expect([...upstream("formula")]).toContain("npm");
  });

  it("refuses a tag that is not package.json's version or has no CHANGELOG.md entry", async () => {
    const step = steps("verify").find((s) => String(s.run).includes("scripts/changelog.mjs")) as Obj;
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    const ok = await bash(String(step.run), ROOT, { GITHUB_REF_NAME: `v${version}` });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).not.toBe("");
    const wrong = await bash(String(step.run), ROOT, { GITHUB_REF_NAME: "v999.0.0" });
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stdout).toContain("is not package.json's version");
  });

  it("publishes to npm with provenance, the OIDC token and the token from a secret, in that job alone", () => {
    const npm = jobs.npm as Obj;
    expect(npm.permissions).toEqual({ contents: "read", "id-token": "write" });
    const setup = uses("npm", "actions/setup-node") as Obj;
    expect((setup.with as Obj)["registry-url"]).toBe("https://registry.npmjs.org");
    const publish = steps("npm").find((s) => String(s.run).startsWith("npm publish")) as Obj;
    expect(publish.run).toContain("npm publish --provenance --access public");
    expect((publish.env as Obj).NODE_AUTH_TOKEN).toMatch(/^\$\{\{ secrets\.\w+ \}\}$/);
    for (const [id, job] of Object.entries(jobs))
      if (id !== "npm") expect((job.permissions as Obj | undefined)?.["id-token"], id).toBeUndefined();
  });

  it("pushes the image to GHCR from the Dockerfile, with an SBOM and max provenance, tagged by version", () => {
    const image = jobs.image as Obj;
    expect(image.permissions).toEqual({ contents: "read", packages: "write" });
    expect((uses("image", "docker/login-action") as Obj).with).toMatchObject({ registry: "ghcr.io" });
    const meta = uses("image", "docker/metadata-action") as Obj;
    expect((meta.with as Obj).images).toBe(`ghcr.io/\${{ github.repository }}`);
    expect(String((meta.with as Obj).tags)).toContain("type=semver,pattern={{major}}");
    expect(uses("image", "docker/setup-buildx-action")).toBeDefined(); // attestations need the buildx builder
    const build = (uses("image", "docker/build-push-action") as Obj).with as Obj;
    expect(build).toMatchObject({ context: ".", push: true, sbom: true, provenance: "mode=max" });
    expect(build.tags).toBe(`\${{ steps.${meta.id}.outputs.tags }}`);
    expect(existsSync(join(ROOT, "Dockerfile"))).toBe(true);
  });

  it("moves the Action's major tag to the major of the pushed tag, and leaves it for a prerelease", async () => {
    const step = steps("action-tag").find((s) => String(s.run).includes("git push")) as Obj;
    expect((jobs["action-tag"] as Obj).permissions).toEqual({ contents: "write" });
    const script = String(step.run);
    expect(script).not.toContain("${{"); // the tag comes from the runner's environment, not an expression

    // A real clone of a real remote, as actions/checkout leaves it.
    const origin = join(tempDir("dotops-origin-"), "origin.git");
    await execa("git", ["init", "-q", "--bare", origin]);
    const repo = await ConfigRepo.create({ "README.md": "one\n" });
    await git(repo.dir, "remote", "add", "origin", origin);
    await git(repo.dir, "push", "-q", "origin", "main");
    const tagsAt = async () =>
      Object.fromEntries(
        (await git(repo.dir, "ls-remote", "--tags", "origin"))
          .split("\n")
          .filter(Boolean)
          .map((l) => l.split("\t").reverse() as [string, string])
          .map(([ref, sha]) => [ref.replace("refs/tags/", ""), sha]),
      );
    const release = (tag: string, sha: string) =>
      bash(script, repo.dir, { GITHUB_REF_NAME: tag, GITHUB_SHA: sha, HOME: repo.dir });

    const a = await repo.head();
    expect((await release("v1.4.2", a)).exitCode).toBe(0);
    expect(await tagsAt()).toEqual({ v1: a });
    const b = await repo.commit({ "README.md": "two\n" });
    expect((await release("v1.5.0", b)).exitCode).toBe(0);
    expect(await tagsAt()).toEqual({ v1: b }); // moved, not a second tag
    const c = await repo.commit({ "README.md": "three\n" });
    expect((await release("v2.0.0", c)).exitCode).toBe(0);
    expect(await tagsAt()).toEqual({ v1: b, v2: c });
    const d = await repo.commit({ "README.md": "four\n" });
    const rc = await release("v2.1.0-rc.1", d);
    expect(rc.exitCode, rc.stderr).toBe(0);
    expect(rc.stdout).toContain("prerelease");
    expect(await tagsAt()).toEqual({ v1: b, v2: c });
    expect((await release("nightly", d)).exitCode).not.toBe(0);
    expect(await tagsAt()).toEqual({ v1: b, v2: c });
  });

  it("makes the version's CHANGELOG.md entry the GitHub release, and points the formula at the published tarball", () => {
    const notes = runsOf(jobs["github-release"] as Obj).join("\n");
    expect(notes).toContain('node scripts/changelog.mjs "$GITHUB_REF_NAME"');
    expect(notes).toContain("gh release create");
    expect((jobs["github-release"] as Obj).permissions).toEqual({ contents: "write" });
    const formula = runsOf(jobs.formula as Obj).join("\n");
    expect(formula).toContain('npm pack "dotops@$version"');
    expect(formula).toContain("node scripts/formula.mjs");
    expect(formula).toContain("gh pr create");
  });
});

describe("the Homebrew formula in CI", () => {
  it("the macOS job audits it from a local tap (brew refuses a path) and installs and tests it", () => {
    const jobs = parse(readFileSync(join(ROOT, ".github/workflows/ci.yml"), "utf8")).jobs as Record<
      string,
      Obj
    >;
    const script = runsOf(jobs.macos as Obj).join("\n");
    expect(script).toContain("brew tap-new --no-git local/dotops");
    expect(script).toContain('cp Formula/dotops.rb "$(brew --repository local/dotops)/Formula/"');
    expect(script).toContain("brew audit --strict --formula local/dotops/dotops");
    expect(script).not.toMatch(/brew audit [^\n]*Formula\//);
    expect(script).toContain("brew install --build-from-source local/dotops/dotops");
    expect(script).toContain("brew test local/dotops/dotops");
  });
});
