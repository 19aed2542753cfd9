import type { Plan } from "../engine/plan.js";
import { formatOrigin } from "../errors.js";
import type { Change } from "../resources/change.js";
import type { Palette } from "./color.js";

const SIGN: Record<Change["action"], string> = { create: "+", update: "~", delete: "-" };

/**
 * Which file diffs a rendering shows. "changes" (the default): diffs of
 * updated files only, so a first plan of 1,000 files is 1,000 lines, not
 * their contents; "all" (--diff, -v): created and deleted files' contents too.
 */
export type DiffDetail = "none" | "changes" | "all";

export interface RenderOptions {
  /** --all: list what stays unchanged too. */
  all?: boolean;
  diffs?: DiffDetail;
  /** -q: the summary, and only the changes that need the user (refusals). */
  quiet?: boolean;
}

function showsDiff(ch: Change, detail: DiffDetail = "changes"): boolean {
  if (!ch.diff || detail === "none") return false;
  return detail === "all" || ch.action === "update";
}

/** Paths as a terminal or a PR comment can show them: control characters escaped like `ls -b`. */
export function printable(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping them is the point
  return s.replace(/[\u0000-\u001f\u007f-\u009f\\]/g, (ch) => {
    const named: Record<string, string> = { "\n": "\\n", "\t": "\\t", "\r": "\\r", "\\": "\\\\" };
    return named[ch] ?? `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
}
const short = (sha: string | null | undefined) => (sha ? sha.slice(0, 7) : "work tree");

export function planHeadline(plan: Plan): string {
  const from = !plan.from
    ? "nothing applied yet"
    : plan.from.generation === null
      ? `commit ${short(plan.from.commit)}`
      : `generation ${plan.from.generation} (${short(plan.from.commit)})`;
  const to = `${short(plan.to.commit)}`;
  const rb = plan.rollbackTo
    ? ` — rollback to generation ${plan.rollbackTo.generation} (content of ${short(plan.rollbackTo.commit)})`
    : "";
  return `${plan.host}: ${from} → ${to}${rb}`;
}

export function summaryLine(plan: Plan): string {
  if (!plan.changes.length) return "No changes. The machine matches the configuration.";
  const s = plan.summary;
  const d = s.destructive ? `, ${s.destructive} destructive` : "";
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete${d}.`;
}

/** Terraform-style text for terminals. */
export function renderPlanText(plan: Plan, c: Palette, opts: RenderOptions = {}): string {
  if (opts.quiet)
    return `${[
      ...changeLines(
        plan.changes.filter((ch) => ch.refusal),
        c,
        { diffs: "none" },
      ),
      summaryLine(plan),
    ].join("\n")}\n`;
  const kept = opts.all ? plan.unchanged.map((r) => c.dim(`  = ${r.kind} ${printable(r.id)}`)) : [];
  return `${[c.bold(planHeadline(plan)), ...inputLines(plan).map((l) => `  ${c.cyan(l)}`), ...changeLines(plan.changes, c, opts), ...kept, summaryLine(plan)].join("\n")}\n`;
}

/** A pin as shown: a commit id, or an archive's sha256 without its prefix. */
const pinText = (rev: string | null) => rev?.replace(/^sha256:/, "") ?? null;

/** `input base: 1a2b3c4 → 9f8e7d6 (3 commits), 2 changes from it` for each input the plan moves. */
export function inputLines(plan: Pick<Plan, "inputs">): string[] {
  return (plan.inputs ?? []).map((i) => {
    const range =
      i.from && i.to
        ? `${short(pinText(i.from))} → ${short(pinText(i.to))} (${i.from.startsWith("sha256:") ? "the archive changed" : i.commits === undefined ? "not a descendant: history rewritten" : `${i.commits} commit${i.commits === 1 ? "" : "s"}`})`
        : i.to
          ? `added at ${short(pinText(i.to))}`
          : `removed (was ${short(pinText(i.from))})`;
    const n = i.changes.length;
    return `${i.kind} ${printable(i.key)}: ${range}, ${n ? `${n} change${n === 1 ? "" : "s"} from it: ${i.changes.slice(0, 5).map(printable).join(", ")}${n > 5 ? ", …" : ""}` : "no change to the machine"}`;
  });
}

/** One line per change (plus refusal and diff), as in a plan: also for `diff` and `status`. */
export function changeLines(changes: Change[], c: Palette, opts: RenderOptions = {}): string[] {
  const out: string[] = [];
  for (const ch of changes) {
    const paint = ch.refusal
      ? c.red
      : ch.action === "create"
        ? c.green
        : ch.action === "update"
          ? c.yellow
          : c.red;
    const flags = [ch.destructive ? c.red("destructive") : "", ch.needsRoot ? "needs root" : ""].filter(
      Boolean,
    );
    const note = ch.note ? c.dim(` (${printable(ch.note)})`) : "";
    out.push(
      `  ${paint(`${ch.refusal ? "!" : SIGN[ch.action]} ${ch.kind} ${printable(ch.id)}`)}${note}${flags.length ? ` [${flags.join(", ")}]` : ""}`,
    );
    if (ch.refusal) out.push(`      ${c.red(printable(ch.refusal))}`);
    if (showsDiff(ch, opts.diffs)) out.push(indentDiff(ch.diff as string, c));
  }
  return out;
}

function indentDiff(diff: string, c: Palette, maxLines = 60): string {
  const lines = diff.replace(/\n$/, "").split("\n");
  const shown = lines.slice(0, maxLines).map((l) => {
    const body =
      l.startsWith("+") && !l.startsWith("+++")
        ? c.green(l)
        : l.startsWith("-") && !l.startsWith("---")
          ? c.red(l)
          : l.startsWith("@@")
            ? c.cyan(l)
            : c.dim(l);
    return `      ${body}`;
  });
  if (lines.length > maxLines) shown.push(c.dim(`      … ${lines.length - maxLines} more lines`));
  return shown.join("\n");
}

/** Markdown for PR comments and job summaries. */
export function renderPlanMarkdown(plan: Plan, opts: RenderOptions & { maxDiffChars?: number } = {}): string {
  const budget = { left: opts.maxDiffChars ?? 40_000 };
  const out = [`#### ${planHeadline(plan)}`, "", `**${summaryLine(plan)}**`, ""];
  const inputs = inputLines(plan);
  if (inputs.length) out.push(...inputs.map((l) => `- ${l.replace(/`/g, "'")}`), "");
  if (plan.changes.length) {
    out.push("| | kind | path | notes |", "|---|---|---|---|");
    for (const ch of plan.changes) {
      const notes = [
        ch.destructive ? "⚠️ **destructive**" : "",
        ch.refusal ? `⛔ ${printable(ch.refusal)}` : "",
        printable(ch.note ?? ""),
        ch.origin ? `\`${formatOrigin(ch.origin)}\`` : "",
      ]
        .filter(Boolean)
        .join(" · ");
      out.push(
        `| ${SIGN[ch.action]} ${ch.action} | ${ch.kind} | \`${printable(ch.id).replace(/`/g, "'")}\` | ${notes.replace(/\|/g, "\\|")} |`,
      );
    }
    const diffs = plan.changes.filter((c) => showsDiff(c, opts.diffs));
    if (diffs.length) {
      out.push("", "<details><summary>File diffs</summary>", "");
      for (const ch of diffs) {
        const d = ch.diff as string;
        if (d.length > budget.left) {
          out.push(
            `_Diff of \`${printable(ch.id)}\` omitted (${d.length} characters; comment size limit)._`,
            "",
          );
          continue;
        }
        budget.left -= d.length;
        out.push("```diff", d.replace(/\n$/, ""), "```", "");
      }
      out.push("</details>");
    }
  }
  return `${out.join("\n")}\n`;
}

/** The stable JSON shape of SPEC §3 (steps stay internal). */
export function planJson(plan: Plan, opts: { all?: boolean } = {}) {
  return {
    host: plan.host,
    from: plan.from,
    to: plan.to,
    rollbackTo: plan.rollbackTo?.generation ?? null,
    changes: plan.changes.map(changeJson),
    ...(opts.all ? { unchanged: plan.unchanged } : {}),
    summary: plan.summary,
    ...(plan.inputs ? { inputs: plan.inputs } : {}),
  };
}

/** A change as SPEC §3 shows it (its steps stay internal). */
export function changeJson(c: Change) {
  return {
    action: c.action,
    kind: c.kind,
    id: c.id,
    destructive: c.destructive,
    needsRoot: c.needsRoot,
    ...(c.diff ? { diff: c.diff } : {}),
    ...(c.note ? { note: c.note } : {}),
    ...(c.refusal ? { refusal: c.refusal } : {}),
    ...(c.origin ? { origin: formatOrigin(c.origin) } : {}),
  };
}
