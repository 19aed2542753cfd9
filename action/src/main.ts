import { mkdtempSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import type { Engine, Log } from "../../src/engine/engine.js";
import { statePaths } from "../../src/engine/state.js";
import { DotopsError } from "../../src/errors.js";
import { type InputCache, inputCache } from "../../src/git/input-cache.js";
import { DryRunHost } from "../../src/host/dry-run-host.js";
import { RealHost } from "../../src/host/real-host.js";
import { COMMENT_LIMIT, CONFIG_KEY, type UpsertResult, upsertComment, wrapSection } from "./comment.js";
import { type RunContext, readContext, untrustedHead } from "./context.js";
import { type Core, createCore, type Env } from "./core.js";
import type { EphemeralResult } from "./ephemeral.js";
import { ApiError, GitHubApi, permissionHint, type StatusState } from "./github.js";
import {
  type Failure,
  type HostReport,
  hostsOf,
  type Platform,
  planHost,
  type Snapshots,
  selectHosts,
  snapshots,
} from "./hosts.js";
import { type ActionInputs, getInputs, InputError } from "./input.js";
import { type ConfigRepo, configAt, ensureCommit, openRepo } from "./repo.js";
import {
  planReport,
  renderConfigSection,
  renderHostSection,
  type SectionContext,
  type Verdict,
  verdict,
} from "./report.js";
import { openUpdatePull } from "./update.js";

export interface RunResult {
  failed: boolean;
  reports: HostReport[];
  verdicts: Verdict[];
  configError?: Failure;
  comment?: UpsertResult;
  planJsonPath?: string;
}

export interface RunOptions {
  /** The runner's environment (INPUT_*, GITHUB_*, RUNNER_*, HOME). */
  env?: Env;
  /** Where workflow commands and logs go (stdout on a runner). */
  write?: (text: string) => void;
}

/** The action's entry point (actions/typescript-action's `run`): never throws, fails the step instead. */
export async function run(opts: RunOptions = {}): Promise<RunResult> {
  const env = opts.env ?? process.env;
  const core = createCore(env, opts.write);
  try {
    return await runAction(core, env);
  } catch (err) {
    core.setFailed(errorMessage(err));
    if (!(err instanceof DotopsError || err instanceof InputError || err instanceof ApiError))
      core.debug(String((err as Error)?.stack ?? err));
    return { failed: true, reports: [], verdicts: [] };
  }
}

/**
 * The steps, in order (Flux's reconcile as a list): read the commits, choose
 * the hosts, plan them, write the outputs and the job summary, report on
 * GitHub, and only then fail the step if something asks for it.
 */
async function runAction(core: Core, env: Env): Promise<RunResult> {
  const inputs = getInputs(core, env);
  core.setSecret(inputs.githubToken);
  let ctx = readContext(env);
  confineUntrusted(core, inputs, ctx);
  if (inputs.mode === "update") {
    const repo = await openRepo(inputs.configPath);
    const pull = await openUpdatePull(core, env, inputs, ctx, repo, runnerInputs(env, core, repo));
    if (!pull) return { failed: false, reports: [], verdicts: [] };
    // The pull request is planned between commits, as any other (mode check).
    ctx = pull;
    inputs.mode = "check";
  }
  const { repo, snaps } = await readCommits(core, env, inputs, ctx);
  const { known, selected, configError } = chooseHosts(inputs, ctx, snaps);
  const reports = configError ? [] : await planHosts(core, env, inputs, ctx, snaps, known, selected);
  const verdicts = reports.map((r) => verdict(r, inputs.failOn));
  const sctx: SectionContext = {
    base: ctx.base,
    head: ctx.head,
    mode: inputs.mode,
    runner: ctx.runner,
    runUrl: ctx.runUrl,
    files: { repoUrl: ctx.repoUrl, prefix: repo.prefix },
  };
  const planJsonPath = writeOutputs(core, env, reports, verdicts, { ...sctx, configError });
  const result: RunResult = { failed: false, reports, verdicts, configError, planJsonPath };

  if (!configError && !selected.length) {
    const hosts = Object.entries(known).map(([h, p]) => `${h} (${p})`);
    const msg = `no host in dotops.yaml has the runner's platform (${ctx.runner}); hosts: ${hosts.join(", ") || "(none)"}. Run on a matching runner or name hosts in the \`hosts\` input.`;
    core.notice(`dotops: ${msg}`);
    core.appendSummary(`## dotops plan\n\n${msg}\n`);
    return result;
  }

  const sections = (share: (hosts: number) => number) => {
    const m = new Map<string, string>();
    if (configError) m.set(CONFIG_KEY, wrapSection(CONFIG_KEY, renderConfigSection(configError, sctx)));
    const each = share(Object.keys(known).length);
    for (const [i, r] of reports.entries())
      m.set(r.host, wrapSection(r.host, renderHostSection(r, verdicts[i] as Verdict, sctx, each)));
    return m;
  };
  // Each of the config's hosts gets an equal share of the comment, so the
  // sections another runner writes fit beside ours; the summary has room for all.
  const forComment = sections((n) => Math.floor((COMMENT_LIMIT - 1_000) / Math.max(1, n)) - 100);
  const forSummary = sections((n) => Math.floor(900_000 / Math.max(1, n)));
  core.appendSummary(`## dotops plan\n\n${[...forSummary.values()].join("\n\n")}\n`);
  if (configError) annotate(core, repo.prefix, "dotops.yaml", undefined, configError);
  for (const [i, r] of reports.entries()) {
    annotate(core, repo.prefix, r.host, verdicts[i], r.error);
    if (r.runner?.kind === "ephemeral") annotateResources(core, repo.prefix, r.host, r.runner);
  }

  await reportToGitHub(core, inputs, ctx, {
    result,
    sections: forComment,
    // Other runners' hosts stay while the config still has them; a fixed dotops.yaml's section goes.
    keep: (key) => (key === CONFIG_KEY ? false : configError !== undefined || key in known),
    statuses: statusesFor(selected, reports, verdicts, configError),
  });
  const failures = [
    ...(configError ? [`dotops.yaml: ${[configError.message, ...configError.problems].join("\n  ")}`] : []),
    ...verdicts.flatMap((v) => (v.failure ? [v.failure] : [])),
  ];
  if (failures.length) core.setFailed(`dotops: ${failures.join("\n")}`);
  result.failed = core.failed;
  return result;
}

/** A fork's config under pull_request_target is planned between commits only (mode check), never run. */
function confineUntrusted(core: Core, inputs: ActionInputs, ctx: RunContext): void {
  const why = untrustedHead(ctx);
  if (!why || inputs.mode === "check") return;
  if (inputs.mode === "ephemeral")
    throw new InputError(
      `mode ephemeral would apply the fork's config on this runner, but ${why}: run it \`on: pull_request\` (no secrets, a read-only token), or review the change and push it to a branch of this repository`,
    );
  core.warning(
    `dotops: ${why}: the fork's config is planned between the two commits only (as mode check), not against the runner`,
  );
  inputs.mode = "check";
}

/** The config at base and head, fetching either commit when the checkout lacks it. */
async function readCommits(core: Core, env: Env, inputs: ActionInputs, ctx: RunContext) {
  const repo = await openRepo(inputs.configPath);
  for (const sha of [ctx.base, ctx.head]) if (sha) await ensureCommit(repo.root, sha);
  const cache = runnerInputs(env, core, repo);
  const head = await configAt(repo, ctx.head, cache);
  return { repo, snaps: snapshots(ctx.base ? await configAt(repo, ctx.base, cache) : null, head) };
}

/**
 * The head's hosts (the base's when head's dotops.yaml is broken) and those
 * this run covers. An unknown name in the `hosts` input stops the run here.
 */
function chooseHosts(inputs: ActionInputs, ctx: RunContext, snaps: Snapshots) {
  const headHosts = hostsOf(snaps.head);
  const configError = "error" in headHosts ? headHosts.error : undefined;
  const known = "hosts" in headHosts ? headHosts.hosts : baseHosts(snaps);
  const selection = selectHosts(configError ? [] : inputs.hosts, known, ctx.runner);
  if ("error" in selection) throw new InputError(selection.error);
  const selected = configError && inputs.hosts.length ? inputs.hosts : selection.selected;
  return { known, selected, configError };
}

async function planHosts(
  core: Core,
  env: Env,
  inputs: ActionInputs,
  ctx: RunContext,
  snaps: Snapshots,
  known: Record<string, Platform>,
  selected: string[],
): Promise<HostReport[]> {
  const engines = makeEngines(env, core);
  const reports: HostReport[] = [];
  for (const host of selected) {
    core.info(`dotops: ${host} (${known[host]}): ${inputs.mode}`);
    reports.push(
      await planHost(host, known[host], snaps, { mode: inputs.mode, runner: ctx.runner, ...engines }),
    );
  }
  return reports;
}

/** The plan-json file and the step's outputs (from the base → head plans). */
function writeOutputs(
  core: Core,
  env: Env,
  reports: HostReport[],
  verdicts: Verdict[],
  ctx: SectionContext & { configError?: Failure },
): string {
  const dir = mkdtempSync(join(env.RUNNER_TEMP || tmpdir(), "dotops-plan-"));
  const path = join(dir, "plan.json");
  writeFileSync(path, `${JSON.stringify(planReport(reports, verdicts, ctx), null, 2)}\n`);
  const any = (f: (r: HostReport) => boolean) => String(reports.some(f));
  core.setOutput(
    "has-changes",
    any((r) => Boolean(r.plan?.changes.length)),
  );
  core.setOutput(
    "destructive",
    any((r) => Boolean(r.plan?.summary.destructive)),
  );
  core.setOutput("plan-json", path);
  return path;
}

function baseHosts(snaps: Snapshots): Record<string, Platform> {
  if (!snaps.base) return {};
  const b = hostsOf(snaps.base);
  return "hosts" in b ? b.hosts : {};
}

interface StatusSpec {
  context: string;
  state: StatusState;
  description: string;
}

function statusesFor(
  selected: string[],
  reports: HostReport[],
  verdicts: Verdict[],
  configError?: Failure,
): StatusSpec[] {
  if (configError) {
    const description = `invalid dotops.yaml: ${configError.problems[0] ?? configError.message}`;
    const contexts = selected.length ? selected.map((h) => `dotops/${h}`) : ["dotops"];
    return contexts.map((context) => ({ context, state: "failure", description }));
  }
  return reports.map((r, i) => ({
    context: `dotops/${r.host}`,
    state: verdicts[i]?.state ?? "error",
    description: verdicts[i]?.description ?? "",
  }));
}

/**
 * Commit statuses and the sticky comment. A read-only token (fork PR,
 * Dependabot) leaves the job summary as the only report, without failing;
 * a missing permission on the project's own PR fails with the line to add.
 */
async function reportToGitHub(
  core: Core,
  inputs: ActionInputs,
  ctx: RunContext,
  r: {
    result: RunResult;
    sections: Map<string, string>;
    keep: (key: string) => boolean;
    statuses: StatusSpec[];
  },
): Promise<void> {
  if (!inputs.githubToken) {
    core.warning(
      "dotops: no github-token: no PR comment and no commit statuses; the plan is in the job summary",
    );
    return;
  }
  const api = new GitHubApi({
    token: inputs.githubToken,
    apiUrl: ctx.apiUrl,
    owner: ctx.owner,
    repo: ctx.repo,
  });
  const readOnly = (err: unknown) => {
    if (!(ctx.readOnlyToken && err instanceof ApiError && err.forbidden)) return false;
    const msg = `dotops: ${ctx.readOnlyToken}, so the token is read-only: the plan is in the job summary only (no comment, no commit status)`;
    core.notice(msg);
    core.appendSummary(`\n> ${msg}\n`);
    return true;
  };

  if (ctx.pullRequest && inputs.comment) {
    try {
      r.result.comment = await upsertComment(api, ctx.pullRequest.number, r.sections, r.keep);
      core.info(`dotops: PR comment ${r.result.comment.id} ${r.result.comment.action}`);
    } catch (err) {
      if (readOnly(err)) return;
      if (!(err instanceof ApiError)) throw err;
      const msg = `dotops: ${err.message}; ${permissionHint(err, "pull-requests: write")}`;
      core.appendSummary(`\n> ⚠️ ${msg}\n`);
      if (err.status === 401 || err.forbidden) core.setFailed(msg);
      else core.warning(msg);
    }
  }
  for (const s of r.statuses) {
    try {
      await api.createStatus(ctx.head, { ...s, targetUrl: ctx.runUrl });
    } catch (err) {
      if (readOnly(err)) return;
      if (!(err instanceof ApiError)) throw err;
      core.warning(`dotops: ${err.message}; ${permissionHint(err, "statuses: write")}`);
      if (err.status === 401 || err.forbidden) return;
    }
  }
}

/** One line per host; config problems also as annotations on the PR's files. */
function annotate(core: Core, prefix: string, label: string, v: Verdict | undefined, f: Failure | undefined) {
  if (v) core.info(`dotops: ${label}: ${v.description}`);
  for (const p of f?.at ?? [])
    core.error(`${label}: ${p.message}`, { file: `${prefix}${p.file}`, line: p.line, col: p.col });
}

/** Each resource that failed or was refused on the runner, as an annotation on its config entry. */
function annotateResources(core: Core, prefix: string, host: string, e: EphemeralResult) {
  for (const x of e.resources) {
    if (x.status !== "failed" && x.status !== "refused") continue;
    const msg = `${host}: ${x.id} ${x.status} on the runner: ${x.reason ?? ""}`;
    if (x.origin)
      core.error(msg, { file: `${prefix}${x.origin.file}`, line: x.origin.line, col: x.origin.col });
    else core.error(msg);
  }
}

/** Inputs and externals are fetched into the runner's state dir, as an agent would. */
function runnerInputs(env: Env, core: Core, repo: ConfigRepo): InputCache {
  return inputCache(makeEngines(env, core).real, join(repo.root, repo.prefix));
}

function makeEngines(env: Env, core: Core): { pure: Engine; dryRun: Engine; real: Engine } {
  const home = env.HOME || homedir();
  const state = statePaths(
    env.XDG_STATE_HOME ? join(env.XDG_STATE_HOME, "dotops") : join(home, ".local/state/dotops"),
  );
  const log = coreLog(core);
  const real = new RealHost({ home, env: { ...env } });
  return {
    pure: { host: new DryRunHost(real), state, log },
    dryRun: { host: new DryRunHost(real), state, log },
    real: { host: real, state, log },
  };
}

/** The engine's log, as workflow commands. */
function coreLog(core: Core): Log {
  const text = (obj: object | string, msg?: string) =>
    msg ?? (typeof obj === "string" ? obj : JSON.stringify(obj));
  return {
    debug: (o, m) => core.debug(text(o, m)),
    info: (o, m) => core.info(text(o, m)),
    warn: (o, m) => core.warning(text(o, m)),
    error: (o, m) => core.error(text(o, m)),
  };
}

function errorMessage(err: unknown): string {
  if (err instanceof DotopsError) return `dotops: ${err.message}${err.hint ? ` (${err.hint})` : ""}`;
  return `dotops: ${(err as Error)?.message ?? String(err)}`;
}
