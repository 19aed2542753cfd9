import type { Plan } from "../../src/engine/plan.js";
import type { Origin } from "../../src/errors.js";
import { planJson, renderPlanMarkdown, summaryLine } from "../../src/report/render-plan.js";
import type { EphemeralResult, ResourceStatus } from "./ephemeral.js";
import type { StatusState } from "./github.js";
import type { Failure, HostReport } from "./hosts.js";
import type { FailOn, Mode } from "./input.js";

/** The outcome of one host: its commit status, and why it fails the step (if it does). */
export interface Verdict {
  state: StatusState;
  description: string;
  failure?: string;
}

export function verdict(r: HostReport, failOn: FailOn): Verdict {
  if (r.error) {
    const first = r.error.problems[0];
    const description = first ? `${r.error.message}: ${first}` : r.error.message;
    return { state: "failure", description, failure: `${r.host}: ${description}` };
  }
  const plan = r.plan as Plan;
  const counts = countsLine(plan);
  if (r.runner?.kind === "failed") {
    const first = r.runner.message.split("\n")[0] ?? "";
    return { state: "failure", description: `on the runner: ${first}`, failure: `${r.host}: ${first}` };
  }
  if (r.runner?.kind === "ephemeral" && r.runner.failedCheck) {
    const d = `health check failed after apply: ${r.runner.failedCheck}`;
    return { state: "failure", description: d, failure: `${r.host}: ${d}` };
  }
  if (r.runner?.kind === "ephemeral") {
    const notProven = r.runner.resources.filter((x) => x.status !== "applied");
    if (notProven.length || r.runner.stopped) {
      const d = `on the runner: ${ephemeralCounts(r.runner)}`;
      const lines = notProven
        .filter((x) => x.status === "failed" || x.status === "refused")
        .slice(0, 10)
        .map((x) => `  ${x.id} ${x.status}: ${oneLine(x.reason ?? "")}`);
      const why = [d, ...lines, ...(r.runner.stopped ? [`  stopped: ${oneLine(r.runner.stopped)}`] : [])];
      return { state: "failure", description: d, failure: `${r.host}: ${why.join("\n")}` };
    }
  }
  if (failOn === "destructive" && plan.summary.destructive) {
    const d = `${plan.summary.destructive} destructive step(s) (fail-on: destructive)`;
    return { state: "failure", description: `${counts}; ${d}`, failure: `${r.host}: ${d}` };
  }
  if (failOn === "changes" && plan.changes.length) {
    const d = `${plan.changes.length} change(s) (fail-on: changes)`;
    return { state: "failure", description: `${counts}; ${d}`, failure: `${r.host}: ${d}` };
  }
  return { state: "success", description: counts };
}

function countsLine(plan: Plan): string {
  if (!plan.changes.length) return "no changes";
  const s = plan.summary;
  return `${s.create} to create, ${s.update} to update, ${s.delete} to delete${s.destructive ? `, ${s.destructive} destructive` : ""}`;
}

export const short = (sha: string | null | undefined) => (sha ? sha.slice(0, 7) : "nothing");

export interface SectionContext {
  base: string | null;
  head: string;
  mode: Mode;
  runner: string;
  runUrl?: string;
  /** Where the config's files are on GitHub: the repository's page, and the config's folder in it. */
  files?: { repoUrl: string; prefix: string };
}

/** A host's collapsible block, at most `budget` characters. */
export function renderHostSection(r: HostReport, v: Verdict, ctx: SectionContext, budget: number): string {
  const icon =
    v.state !== "success" ? "❌" : r.plan?.summary.destructive ? "⚠️" : r.plan?.changes.length ? "📝" : "✅";
  const about = [r.platform, r.wave && `wave ${r.wave.n} of ${r.wave.of}`].filter(Boolean).join(", ");
  const platform = about ? ` (${about})` : "";
  const open = v.state !== "success" || Boolean(r.plan?.summary.destructive);
  const title = r.error ? r.error.message : v.description;
  const head = `<details${open ? " open" : ""}><summary>${icon} <b>${escapeHtml(r.host)}</b>${platform}: ${escapeHtml(title)}</summary>\n\n`;
  const run = ctx.runUrl ? ` ([run](${ctx.runUrl}))` : "";
  const foot = `\n_${short(ctx.base)} → ${short(ctx.head)} · mode ${ctx.mode} on a ${ctx.runner} runner${run}_\n\n</details>`;
  const room = budget - head.length - foot.length;
  return `${head}${fitBody((maxDiffChars) => hostBody(r, ctx, maxDiffChars), room)}${foot}`;
}

function hostBody(r: HostReport, ctx: SectionContext, maxDiffChars: number): string {
  if (r.error) return failureBlock(r.error);
  const out: string[] = [];
  if (r.baseNote) out.push(`> ${r.baseNote}`, "");
  out.push(withoutHeadline(renderPlanMarkdown(withLocations(r.plan as Plan, ctx), { maxDiffChars })));
  const runner = r.runner;
  if (runner?.kind === "skipped") out.push(`_Not planned against a machine: ${runner.reason}._`);
  if (runner?.kind === "failed")
    out.push("**On this runner it failed:**", "", "```text", runner.message, "```");
  if (runner?.kind === "plan")
    out.push(
      `<details><summary>${escapeHtml(`Against this runner: ${summaryLine(runner.plan)}`)}</summary>`,
      "",
      runner.plan.changes.length ? renderPlanMarkdown(withLocations(withoutDiffs(runner.plan), ctx)) : "",
      "</details>",
    );
  if (runner?.kind === "ephemeral") out.push(renderEphemeral(runner));
  return `${out.join("\n")}\n`;
}

const STATUS_ICON: Record<ResourceStatus, string> = {
  applied: "✅",
  failed: "❌",
  refused: "🚫",
  undone: "↩️",
};
const STATUS_TEXT: Record<ResourceStatus, string> = {
  applied: "applied",
  failed: "failed",
  refused: "refused",
  undone: "undone, not proven",
};

/** "5 applied, 1 failed, 2 undone, 3 unchanged": the ephemeral apply in one line. */
export function ephemeralCounts(e: EphemeralResult): string {
  const n = (s: ResourceStatus) => e.resources.filter((x) => x.status === s).length;
  const parts = (["applied", "failed", "refused", "undone"] as const)
    .filter((s) => n(s))
    .map((s) => `${n(s)} ${s}`);
  if (e.unchanged) parts.push(`${e.unchanged} unchanged`);
  return parts.join(", ") || "nothing to change";
}

/** The per-resource result of mode ephemeral: failures first, each with what the tool said. */
function renderEphemeral(e: EphemeralResult): string {
  const bad = e.resources.some((x) => x.status !== "applied") || e.stopped || e.failedCheck;
  const where =
    e.generation === null
      ? "nothing applied"
      : `generation ${e.generation}, ${e.applies} ${e.applies === 1 ? "apply" : "applies"}`;
  const title = `Ephemeral apply on this runner (${where}): ${ephemeralCounts(e)}`;
  const out = [`<details${bad ? " open" : ""}><summary>${escapeHtml(title)}</summary>`, ""];
  if (e.resources.length) {
    out.push("| | resource | kind | result |", "|---|---|---|---|");
    for (const x of e.resources) {
      const result = `${STATUS_TEXT[x.status]}${x.action !== "create" ? ` (${x.action}${x.destructive ? ", destructive" : ""})` : ""}`;
      const reason = x.reason && x.status !== "applied" ? `: ${cell(x.reason)}` : "";
      out.push(`| ${STATUS_ICON[x.status]} | \`${x.id}\` | ${x.kind} | ${result}${reason} |`);
    }
    out.push("");
  }
  if (e.failedCheck)
    out.push(
      `**A health check failed after the apply** (${escapeHtml(e.failedCheck)})${e.rolledBackTo !== null ? `: rolled back to generation ${e.rolledBackTo}` : ""}.`,
      "",
    );
  if (e.stopped) out.push(`**Stopped:** ${cell(e.stopped)}`, "");
  if (e.applies > 1 || e.resources.some((x) => x.status === "undone"))
    out.push(
      "_Each apply is one transaction: a failure undoes it all. The failing resource was set aside and the rest applied again; a resource marked undone never went through in an apply that held._",
      "",
    );
  out.push("</details>");
  return out.join("\n");
}

/** A reason inside a table cell: one line, no pipes, HTML escaped, bounded. */
function cell(s: string): string {
  const t = oneLine(s);
  const cut = t.length > 400 ? `${t.slice(0, 399)}…` : t;
  return escapeHtml(cut).replace(/\|/g, "\\|");
}

function oneLine(s: string): string {
  return s.trim().replace(/\s*\n\s*/g, " ⏎ ");
}

function failureBlock(f: Failure): string {
  if (!f.problems.length) return `**${escapeHtml(f.message)}**\n`;
  const text = f.problems.join("\n").replace(/```/g, "`\u200b``");
  return `**${escapeHtml(f.message)}:**\n\n\`\`\`text\n${text}\n\`\`\`\n`;
}

/** The whole-config failure (dotops.yaml itself invalid), which names no host. */
export function renderConfigSection(f: Failure, ctx: SectionContext): string {
  return `<details open><summary>❌ <b>dotops.yaml</b>: ${escapeHtml(f.message)}</summary>\n\n${failureBlock(f)}\n_${short(ctx.base)} → ${short(ctx.head)}_\n\n</details>`;
}

/**
 * Renders with as much diff as fits in `room`; failing that, without diffs;
 * failing that, cut at a line with a note (tables of thousands of files).
 */
export function fitBody(render: (maxDiffChars: number) => string, room: number): string {
  const bare = render(0);
  if (bare.length > room) return truncateMarkdown(bare, room);
  const full = render(Math.max(0, room - bare.length - 200));
  return full.length <= room ? full : bare;
}

export const TRUNCATED_NOTE =
  "_… truncated to stay under GitHub's 65,536-character comment limit; the whole plan is in the job summary and the `plan-json` output._";

/** Cuts markdown at a line boundary, closing an open code fence and `<details>`, and says so. */
export function truncateMarkdown(md: string, max: number): string {
  if (md.length <= max) return md;
  const room = Math.max(0, max - TRUNCATED_NOTE.length - 40);
  const kept: string[] = [];
  let used = 0;
  for (const line of md.split("\n")) {
    if (used + line.length + 1 > room) break;
    kept.push(line);
    used += line.length + 1;
  }
  const text = kept.join("\n");
  const tail: string[] = [];
  if ((text.match(/^```/gm) ?? []).length % 2) tail.push("```");
  const opened = (text.match(/<details/g) ?? []).length - (text.match(/<\/details>/g) ?? []).length;
  for (let i = 0; i < opened; i++) tail.push("</details>");
  return `${text}\n${[...tail, "", TRUNCATED_NOTE].join("\n")}\n`;
}

function withoutHeadline(md: string): string {
  return md.startsWith("#### ") ? md.slice(md.indexOf("\n") + 1).replace(/^\n/, "") : md;
}

/**
 * Each change's config entry, named (and linked) at the commit that holds
 * it. A deleted resource's entry is only in the plan's starting commit (the
 * PR's base), at a line the head's file may no longer have or give to
 * something else; the others' entries are in the head. Rendered in the notes
 * column, where the plain `file:line:col` origin goes.
 */
export function withLocations(plan: Plan, ctx: SectionContext): Plan {
  const changes = plan.changes.map((c) => {
    if (!c.origin) return c;
    const deleted = c.action === "delete";
    const where = locate(c.origin, deleted ? (plan.from?.commit ?? null) : plan.to.commit, deleted, ctx);
    return { ...c, origin: undefined, note: c.note ? `${c.note} · ${where}` : where };
  });
  return { ...plan, changes };
}

function locate(o: Origin, commit: string | null, named: boolean, ctx: SectionContext): string {
  // No commit (a work tree): no line to trust, only the file.
  if (!commit) return `\`${o.file}\``;
  const text = `\`${o.file}:${o.line}:${o.col}\`${named ? ` in ${short(commit)}` : ""}`;
  if (!ctx.files) return text;
  const path = `${ctx.files.prefix}${o.file}`.split("/").map(encodeURIComponent).join("/");
  return `[${text}](${ctx.files.repoUrl}/blob/${commit}/${path}#L${o.line})`;
}

function withoutDiffs(plan: Plan): Plan {
  return { ...plan, changes: plan.changes.map(({ diff: _d, ...c }) => c) };
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The `plan-json` output file: every host's plans in SPEC §3's shape. */
export function planReport(
  reports: HostReport[],
  verdicts: Verdict[],
  ctx: SectionContext & { configError?: Failure },
) {
  return {
    base: ctx.base,
    head: ctx.head,
    mode: ctx.mode,
    runner: ctx.runner,
    ok: !ctx.configError && verdicts.every((v) => !v.failure),
    ...(ctx.configError ? { configError: ctx.configError } : {}),
    hosts: reports.map((r, i) => ({
      host: r.host,
      platform: r.platform ?? null,
      status: verdicts[i]?.state,
      description: verdicts[i]?.description,
      error: r.error ?? null,
      baseNote: r.baseNote ?? null,
      plan: r.plan ? planJson(r.plan) : null,
      runner: runnerJson(r),
    })),
  };
}

function runnerJson(r: HostReport) {
  const x = r.runner;
  if (!x) return null;
  if (x.kind === "plan") return { ...x, plan: planJson(x.plan) };
  return x;
}
