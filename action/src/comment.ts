import { ApiError, type GitHubApi, type IssueComment } from "./github.js";
import { truncateMarkdown } from "./report.js";

/** The hidden marker that finds the one sticky comment. */
export const MARKER = "<!-- dotops-plan -->";
/** GitHub rejects comment bodies longer than this. */
export const COMMENT_LIMIT = 65_536;
/** The section for a dotops.yaml that names no host (invalid or missing). */
export const CONFIG_KEY = "dotops.yaml";
const TITLE = "## dotops plan";

/**
 * The comment holds one section per host between hidden markers, so jobs on
 * different runners (macOS for darwin hosts, Linux for linux hosts) share one
 * comment: each replaces its own sections and keeps the others'.
 */
export function wrapSection(key: string, content: string): string {
  const k = encodeURIComponent(key);
  return `<!-- dotops-host:${k} -->\n${content}\n<!-- /dotops-host:${k} -->`;
}

export function parseSections(body: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of body.matchAll(/<!-- dotops-host:(\S+) -->\n[\s\S]*?\n<!-- \/dotops-host:\1 -->/g)) {
    out.set(decodeURIComponent(m[1] as string), m[0]);
  }
  return out;
}

/**
 * Mine replace theirs; others' are kept when `keep` says so (a host still in
 * the config). The config section comes first, then hosts by name.
 */
export function mergeSections(
  existing: Map<string, string>,
  mine: Map<string, string>,
  keep: (key: string) => boolean,
): Map<string, string> {
  const all = new Map(mine);
  for (const [k, v] of existing) if (!all.has(k) && keep(k)) all.set(k, v);
  const keys = [...all.keys()].sort((a, b) =>
    a === CONFIG_KEY ? -1 : b === CONFIG_KEY ? 1 : a < b ? -1 : 1,
  );
  return new Map(keys.map((k) => [k, all.get(k) as string]));
}

export function composeComment(sections: Map<string, string>): string {
  const body = `${MARKER}\n${TITLE}\n\n${[...sections.values()].join("\n\n")}\n`;
  return body.length <= COMMENT_LIMIT ? body : truncateMarkdown(body, COMMENT_LIMIT);
}

export interface UpsertResult {
  id: number;
  action: "created" | "updated" | "unchanged";
}

/**
 * Finds the sticky comment by its marker and edits it in place, or creates it.
 * Two jobs can race (both create, or both edit from the same copy): after
 * writing, the comment is read back; lost sections are merged again, and a
 * duplicate (this run's, or a leftover the oldest one covers) is deleted.
 */
export async function upsertComment(
  api: GitHubApi,
  issue: number,
  mine: Map<string, string>,
  keep: (key: string) => boolean,
  attempts = 3,
): Promise<UpsertResult> {
  let created: number | undefined;
  let result: UpsertResult | undefined;
  let sticky = (await api.listComments(issue)).filter(isSticky);
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const target = sticky[0];
    const body = composeComment(mergeSections(parseSections(target?.body ?? ""), mine, keep));
    if (!target) {
      const c = await api.createComment(issue, body);
      created = c.id;
      result = { id: c.id, action: "created" };
    } else if (target.body === body) {
      result ??= { id: target.id, action: "unchanged" };
    } else {
      try {
        await api.updateComment(target.id, body);
        result = { id: target.id, action: result?.action === "created" ? "created" : "updated" };
      } catch (err) {
        // Deleted since we listed it: look again (and create a new one).
        if (!(err instanceof ApiError && err.status === 404)) throw err;
      }
    }
    sticky = (await api.listComments(issue)).filter(isSticky);
    const first = sticky[0];
    if (first && [...mine.values()].every((s) => first.body.includes(s))) {
      // Later sticky comments: the one this run created, or leftovers whose hosts the first one covers.
      const covered = parseSections(first.body);
      for (const c of sticky.slice(1))
        if (c.id === created || [...parseSections(c.body).keys()].every((k) => covered.has(k)))
          await api.deleteComment(c.id);
      return { id: first.id, action: result?.action ?? "updated" };
    }
  }
  if (result) return result;
  // GitHub answered every call: other jobs kept rewriting the comment.
  throw new ApiError(
    "write the pull request comment",
    undefined,
    `gave up after ${attempts} attempts, as other jobs kept rewriting it`,
    false,
    true,
  );
}

function isSticky(c: IssueComment): boolean {
  return c.body.includes(MARKER);
}
