import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigRepo, dotops, ROOT, sandbox } from "./helpers.js";
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
  for (const s of strings(wf))
    if ((s.match(/\$\{\{/g) ?? []).length !== (s.match(/\}\}/g) ?? []).length)
      problems.push(`${file}: unbalanced \${{ }} in ${JSON.stringify(s)}`);
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
