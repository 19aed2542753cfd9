import type { Octokit } from "@octokit/rest";
import { DotopsError } from "../errors.js";
import type { HostReport } from "../rollout/gate.js";
import { type FleetOutcome, readReport } from "./github.js";
import { callWithRetry, fetchWithTimeout, GitHubCallError } from "./github-retry.js";

/*
 * `dotops fleet`: every host's deploys, read back from the commit statuses
 * `dotops/<host>` its agent posts. One GraphQL query returns a page of the
 * branch's history (100 commits, newest first) with each commit's latest
 * status per context, for every host at once. The REST ways cost more and
 * grow with the fleet: a combined status per commit is one call per commit
 * and per 100 hosts, deployments two calls per host (and are opt-in). The
 * query also spends GraphQL's budget, apart from the REST one the agents
 * report with. A host that has not reported within the pages read (at most
 * `depth` commits) shows as never reported.
 */

/** What fleet needs to know of one host, from its merged agent config. */
export interface FleetHost {
  name: string;
  /** owner/name */
  repo: string;
  apiUrl?: string;
  /** agent.branch; undefined: the repository's default branch. */
  branch?: string;
  /** agent.interval in ms: a host behind for 3 × this without reporting is stale. */
  intervalMs: number;
}

export interface FleetRow {
  host: string;
  repo: string;
  branch: string | null;
  /** The branch tip on GitHub. */
  tip: string | null;
  /** The newest commit the host reported on (its agent's last attempt); null: none within the commits read. */
  commit: string | null;
  outcome: FleetOutcome | null;
  generation: number | null;
  description: string | null;
  reportedAt: string | null;
  ageSeconds: number | null;
  /** The newest commit the host reported applied (success); its machine runs it unless a later one is applying. */
  appliedCommit: string | null;
  /** Commits on the branch after `commit` (reachable from the tip, not from it). */
  behind: number | null;
  intervalSeconds: number;
  stale: boolean;
}

export interface FleetOptions {
  token: string | (() => Promise<string>);
  timeoutMs?: number;
  /** Most commits read per branch, newest first (100 a query). */
  depth?: number;
  baseDelayMs?: number;
  /** Exact count from the local clone when it has both commits; null: it has not. */
  behind?: (from: string, to: string) => Promise<number | null>;
  now?: Date;
}

interface Commit {
  oid: string;
  committedDate: string;
  status: {
    contexts: { context: string; state: string; description: string | null; createdAt: string }[];
  } | null;
}

/** A commit of the branch, newest first, with each host's report on it (for a staged rollout's view). */
export interface FleetCommit {
  oid: string;
  reports: Map<string, HostReport>;
}

/**
 * The rows of `hosts`, in their order, and the commits read with the reports
 * on them; one query per branch (per 100 commits read).
 */
export async function readFleet(
  hosts: FleetHost[],
  o: FleetOptions,
): Promise<{ rows: FleetRow[]; commits: FleetCommit[] }> {
  const groups = new Map<string, FleetHost[]>();
  for (const h of hosts) {
    const key = JSON.stringify([h.apiUrl ?? "", h.repo, h.branch ?? null]);
    groups.set(key, [...(groups.get(key) ?? []), h]);
  }
  const rows = new Map<string, FleetRow>();
  const commits = new Map<string, FleetCommit>();
  for (const group of groups.values()) {
    const read = await readGroup(group, o);
    for (const row of read.rows) rows.set(row.host, row);
    for (const c of read.history) {
      const known = commits.get(c.oid) ?? { oid: c.oid, reports: new Map() };
      for (const st of c.status?.contexts ?? [])
        if (st.context.startsWith("dotops/"))
          known.reports.set(st.context.slice("dotops/".length), {
            state: st.state,
            description: st.description,
            at: Date.parse(st.createdAt),
          });
      commits.set(c.oid, known);
    }
  }
  return { rows: hosts.map((h) => rows.get(h.name) as FleetRow), commits: [...commits.values()] };
}

async function readGroup(
  hosts: FleetHost[],
  o: FleetOptions,
): Promise<{ rows: FleetRow[]; history: Commit[] }> {
  const first = hosts[0] as FleetHost;
  const now = (o.now ?? new Date()).getTime();
  const contexts = new Set(hosts.map((h) => `dotops/${h.name}`));
  const history: Commit[] = [];
  let branch: string | null = first.branch ?? null;
  let after: string | null = null;
  const found = new Set<string>();
  const depth = o.depth ?? 300;
  while (history.length < depth) {
    const page = await historyPage(first, o, Math.min(100, depth - history.length), after);
    branch = page.name;
    history.push(...page.nodes);
    for (const c of page.nodes) for (const s of c.status?.contexts ?? []) found.add(s.context);
    if (!page.hasNextPage || [...contexts].every((c) => found.has(c))) break;
    after = page.endCursor;
  }
  const tip = history[0]?.oid ?? null;
  // When a commit became known to the fleet: the first report any host made on it.
  const firstSeen = history.map((c) => {
    const times = (c.status?.contexts ?? [])
      .filter((s) => s.context.startsWith("dotops/"))
      .map((s) => Date.parse(s.createdAt));
    return times.length ? Math.min(...times) : null;
  });
  const rows = await Promise.all(
    hosts.map(async (h): Promise<FleetRow> => {
      const context = `dotops/${h.name}`;
      const at = history.findIndex((c) => c.status?.contexts.some((s) => s.context === context));
      const report = at < 0 ? undefined : history[at]?.status?.contexts.find((s) => s.context === context);
      const applied = history.find((c) =>
        c.status?.contexts.some((s) => s.context === context && s.state === "success"),
      );
      const read = report ? readReport(report.state, report.description) : null;
      const commit = at < 0 ? null : (history[at]?.oid ?? null);
      const behind = commit && tip ? ((await o.behind?.(commit, tip)) ?? at) : null;
      return {
        host: h.name,
        repo: h.repo,
        branch,
        tip,
        commit,
        outcome: read?.outcome ?? null,
        generation: read?.generation ?? null,
        description: report?.description ?? null,
        reportedAt: report?.createdAt ?? null,
        ageSeconds: report ? Math.max(0, Math.round((now - Date.parse(report.createdAt)) / 1000)) : null,
        appliedCommit: applied?.oid ?? null,
        behind,
        intervalSeconds: h.intervalMs / 1000,
        stale: isStale(at, history, firstSeen, now, h.intervalMs),
      };
    }),
  );
  return { rows, history };
}

/**
 * Stale: newer commits have been on the branch for 3 × the host's interval
 * and it has not reported on them. Agents report once per applied commit,
 * not per poll, so a host at the tip is never stale however old its report.
 * A newer commit counts from the first report any host made on it (it was
 * pushed by then), else from its commit date; a host with no report among
 * the commits read is stale.
 */
function isStale(
  at: number,
  history: Commit[],
  firstSeen: (number | null)[],
  now: number,
  intervalMs: number,
): boolean {
  if (at < 0) return history.length > 0;
  if (at === 0) return false;
  const seen = firstSeen.slice(0, at).filter((t): t is number => t !== null);
  const since = seen.length ? Math.min(...seen) : Date.parse(history[at - 1]?.committedDate ?? "");
  return now - since > 3 * intervalMs;
}

const QUERY = (
  ref: string,
) => `query($owner: String!, $name: String!, $ref: String!, $first: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    branch: ${ref} {
      name
      target {
        ... on Commit {
          history(first: $first, after: $after) {
            pageInfo { hasNextPage endCursor }
            nodes { oid committedDate status { contexts { context state description createdAt } } }
          }
        }
      }
    }
  }
}`;

interface GraphqlAnswer {
  errors?: { message: string }[];
  repository: {
    branch: {
      name: string;
      target: { history: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Commit[] } };
    } | null;
  } | null;
}

interface Page {
  name: string;
  nodes: Commit[];
  hasNextPage: boolean;
  endCursor: string | null;
}

const clients = new Map<string, Promise<Octokit>>();

function octokit(apiUrl: string | undefined, timeoutMs: number): Promise<Octokit> {
  const baseUrl = (apiUrl ?? "https://api.github.com").replace(/\/$/, "");
  let client = clients.get(baseUrl);
  if (!client) {
    client = import("@octokit/rest").then(
      ({ Octokit }) =>
        new Octokit({
          baseUrl,
          userAgent: "dotops-fleet",
          request: { fetch: fetchWithTimeout(timeoutMs) },
          log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
        }),
    );
    clients.set(baseUrl, client);
  }
  return client;
}

async function historyPage(
  h: FleetHost,
  o: FleetOptions,
  first: number,
  after: string | null,
): Promise<Page> {
  const [owner, name] = h.repo.split("/") as [string, string];
  const client = await octokit(h.apiUrl, o.timeoutMs ?? 10_000);
  const token = typeof o.token === "string" ? o.token : await o.token();
  const where = `${h.repo}${h.branch ? ` branch ${h.branch}` : ""}`;
  let data: GraphqlAnswer;
  try {
    data = await callWithRetry(
      () =>
        client
          .graphql<GraphqlAnswer>(QUERY(h.branch ? "ref(qualifiedName: $ref)" : "defaultBranchRef"), {
            owner,
            name,
            ref: h.branch ? `refs/heads/${h.branch}` : "",
            first,
            after,
            headers: { authorization: `token ${token}` },
          })
          // An answer with errors (no such repository, no access) is an answer: not retried.
          .catch((e: { errors?: { message: string }[]; data?: GraphqlAnswer }) => {
            if (!e.errors) throw e;
            return { repository: e.data?.repository ?? null, errors: e.errors };
          }),
      { baseDelayMs: o.baseDelayMs, attempts: 3, maxDelayMs: 10_000 },
    );
  } catch (err) {
    if (err instanceof GitHubCallError)
      throw new DotopsError(
        `cannot read the commit statuses of ${where} from GitHub (${err.answer}: ${err.detail})`,
        1,
        err.status === 401
          ? "the token is invalid or expired"
          : "check agent.github.repo and apiUrl, and that the token can read the repository (contents and commit statuses: read)",
      );
    throw err;
  }
  if (!data.repository)
    throw new DotopsError(
      `GitHub has no repository ${h.repo}, or the token cannot see it${data.errors ? ` (${data.errors.map((e) => e.message).join("; ")})` : ""}`,
      1,
      "check agent.github.repo, and that the token can read it",
    );
  const branch = data.repository.branch;
  if (!branch) throw new DotopsError(`${where}: no such branch on GitHub`, 1, "check agent.branch");
  const history = branch.target.history;
  return {
    name: branch.name,
    nodes: history.nodes,
    hasNextPage: history.pageInfo.hasNextPage,
    endCursor: history.pageInfo.endCursor,
  };
}
