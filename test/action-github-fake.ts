import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for the GitHub REST API on 127.0.0.1: the endpoints the action
 * uses, each checked against GitHub's documented shape (method, path, query,
 * headers, JSON body), with issue comments and statuses kept in memory.
 * Anything else is answered 404 and recorded as a violation.
 */
export interface StoredComment {
  id: number;
  issue: number;
  body: string;
  user: string;
}

export interface StoredStatus {
  sha: string;
  state: string;
  context: string;
  description?: string;
  target_url?: string;
}

export interface StoredPull {
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  state: "open" | "closed";
}

export interface Call {
  method: string;
  path: string;
  body?: unknown;
}

type Forbidden = "comments:read" | "comments:write" | "statuses";

export class FakeGitHub {
  readonly calls: Call[] = [];
  readonly violations: string[] = [];
  readonly comments: StoredComment[] = [];
  readonly statuses: StoredStatus[] = [];
  readonly pulls: StoredPull[] = [];
  /** Endpoints that answer 403 "Resource not accessible by integration". */
  readonly forbid = new Set<Forbidden>();
  /** Answer the next N calls with 502 (retry tests). */
  failNext = 0;
  /** Canned answers: the next call whose "METHOD /path" matches takes the first that fits, `times` times. */
  readonly answers: {
    match: RegExp;
    status: number;
    body?: unknown;
    headers?: Record<string, string>;
    times: number;
  }[] = [];
  private nextId = 1000;
  private server!: Server;
  url = "";

  constructor(
    readonly owner = "alice",
    readonly repo = "dotfiles",
    readonly token = "ghs_testtoken",
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        this.violations.push(`handler crashed: ${err}`);
        send(res, 500, { message: String(err) });
      });
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  addComment(issue: number, body: string, user = "someone"): StoredComment {
    const c = { id: this.nextId++, issue, body, user };
    this.comments.push(c);
    return c;
  }

  commentsOn(issue: number): StoredComment[] {
    return this.comments.filter((c) => c.issue === issue);
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", this.url);
    const method = req.method ?? "GET";
    const raw = await readBody(req);
    let body: unknown;
    if (raw.length) {
      if (!/^application\/json/.test(req.headers["content-type"] ?? ""))
        this.violations.push(`${method} ${url.pathname}: body without a JSON content-type`);
      try {
        body = JSON.parse(raw);
      } catch {
        this.violations.push(`${method} ${url.pathname}: body is not JSON`);
        return send(res, 400, { message: "Problems parsing JSON" });
      }
    }
    this.calls.push({ method, path: url.pathname + url.search, ...(body !== undefined ? { body } : {}) });

    if (req.headers.authorization !== `token ${this.token}`) {
      this.violations.push(`${method} ${url.pathname}: authorization header ${req.headers.authorization}`);
      return send(res, 401, { message: "Bad credentials" });
    }
    if (!/application\/vnd\.github/.test(req.headers.accept ?? ""))
      this.violations.push(`${method} ${url.pathname}: accept header ${req.headers.accept}`);
    if (!req.headers["user-agent"]) this.violations.push(`${method} ${url.pathname}: no user-agent`);
    if (this.failNext > 0) {
      this.failNext--;
      return send(res, 502, { message: "Bad Gateway" });
    }
    const canned = this.answers.find((a) => a.times > 0 && a.match.test(`${method} ${url.pathname}`));
    if (canned) {
      canned.times--;
      return send(res, canned.status, canned.body, canned.headers);
    }

    const repoPrefix = `/repos/${this.owner}/${this.repo}`;
    const p = url.pathname;
    const issueComments = p.match(/^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/);
    const oneComment = p.match(/^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/);
    const statuses = p.match(/^\/repos\/([^/]+)\/([^/]+)\/statuses\/([^/]+)$/);

    // GET|POST /repos/{owner}/{repo}/issues/{issue_number}/comments
    if (issueComments) {
      const m = issueComments;
      if (`/repos/${m[1]}/${m[2]}` !== repoPrefix) return this.notFound(res, method, p);
      const issue = Number(m[3]);
      if (method === "GET") {
        if (this.forbid.has("comments:read")) return forbidden(res);
        const allowed = new Set(["per_page", "page", "since"]);
        for (const k of url.searchParams.keys())
          if (!allowed.has(k)) this.violations.push(`GET ${p}: unknown query parameter ${k}`);
        const perPage = Number(url.searchParams.get("per_page") ?? 30);
        const page = Number(url.searchParams.get("page") ?? 1);
        if (!(perPage >= 1 && perPage <= 100)) this.violations.push(`GET ${p}: per_page ${perPage}`);
        const all = this.commentsOn(issue);
        const slice = all.slice((page - 1) * perPage, page * perPage);
        const headers: Record<string, string> = {};
        if (page * perPage < all.length)
          headers.link = `<${this.url}${p}?per_page=${perPage}&page=${page + 1}>; rel="next"`;
        return send(
          res,
          200,
          slice.map((c) => this.commentJson(c)),
          headers,
        );
      }
      if (method === "POST") {
        if (this.forbid.has("comments:write")) return forbidden(res);
        const text = this.checkCommentBody(method, p, body);
        if (text === undefined) return send(res, 422, { message: "Validation Failed" });
        return send(res, 201, this.commentJson(this.addComment(issue, text, "github-actions[bot]")));
      }
      return this.notFound(res, method, p);
    }

    // PATCH|DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}
    if (oneComment) {
      const m = oneComment;
      if (`/repos/${m[1]}/${m[2]}` !== repoPrefix) return this.notFound(res, method, p);
      const c = this.comments.find((x) => x.id === Number(m[3]));
      if (method === "PATCH") {
        if (this.forbid.has("comments:write")) return forbidden(res);
        const text = this.checkCommentBody(method, p, body);
        if (text === undefined) return send(res, 422, { message: "Validation Failed" });
        if (!c) return send(res, 404, { message: "Not Found" });
        c.body = text;
        return send(res, 200, this.commentJson(c));
      }
      if (method === "DELETE") {
        if (this.forbid.has("comments:write")) return forbidden(res);
        if (!c) return send(res, 404, { message: "Not Found" });
        this.comments.splice(this.comments.indexOf(c), 1);
        return send(res, 204, undefined);
      }
      return this.notFound(res, method, p);
    }

    // GET|POST /repos/{owner}/{repo}/pulls, PATCH /repos/{owner}/{repo}/pulls/{pull_number}
    if (p === `${repoPrefix}/pulls` || p.startsWith(`${repoPrefix}/pulls/`))
      return this.pullsCall(res, method, p, url, body);

    // POST /repos/{owner}/{repo}/statuses/{sha}
    if (statuses && method === "POST") {
      const m = statuses;
      if (`/repos/${m[1]}/${m[2]}` !== repoPrefix) return this.notFound(res, method, p);
      if (this.forbid.has("statuses")) return forbidden(res);
      const sha = m[3] as string;
      if (!/^[0-9a-f]{40}$/.test(sha)) this.violations.push(`POST ${p}: sha is not a full SHA`);
      const b = (body ?? {}) as Record<string, unknown>;
      const known = new Set(["state", "target_url", "description", "context"]);
      for (const k of Object.keys(b))
        if (!known.has(k)) this.violations.push(`POST ${p}: unknown field ${k}`);
      if (!["error", "failure", "pending", "success"].includes(b.state as string))
        this.violations.push(`POST ${p}: state ${b.state}`);
      for (const k of ["target_url", "description", "context"])
        if (b[k] !== undefined && b[k] !== null && typeof b[k] !== "string")
          this.violations.push(`POST ${p}: ${k} is not a string`);
      if (typeof b.description === "string" && b.description.length > 140)
        this.violations.push(`POST ${p}: description longer than 140 characters`);
      const status: StoredStatus = {
        sha,
        state: b.state as string,
        context: (b.context as string) ?? "default",
        ...(b.description !== undefined ? { description: b.description as string } : {}),
        ...(b.target_url !== undefined ? { target_url: b.target_url as string } : {}),
      };
      this.statuses.push(status);
      return send(res, 201, {
        id: this.nextId++,
        url: `${this.url}${p}`,
        ...status,
        creator: { login: "github-actions[bot]" },
      });
    }
    return this.notFound(res, method, p);
  }

  private pullsCall(res: ServerResponse, method: string, p: string, url: URL, body: unknown) {
    const b = (body ?? {}) as Record<string, unknown>;
    const only = (allowed: string[]) => {
      for (const k of Object.keys(b))
        if (!allowed.includes(k)) this.violations.push(`${method} ${p}: unknown field ${k}`);
    };
    const json = (x: StoredPull) => ({
      number: x.number,
      state: x.state,
      title: x.title,
      body: x.body,
      head: { ref: x.head, label: `${this.owner}:${x.head}` },
      base: { ref: x.base },
      html_url: `https://github.com/${this.owner}/${this.repo}/pull/${x.number}`,
    });
    const one = p.match(/\/pulls\/(\d+)$/);
    if (one && method === "PATCH") {
      only(["title", "body", "state", "base"]);
      const x = this.pulls.find((q) => q.number === Number(one[1]));
      if (!x) return send(res, 404, { message: "Not Found" });
      if (typeof b.title === "string") x.title = b.title;
      if (typeof b.body === "string") x.body = b.body;
      return send(res, 200, json(x));
    }
    if (!one && method === "GET") {
      for (const k of url.searchParams.keys())
        if (!["head", "state", "base", "per_page", "page"].includes(k))
          this.violations.push(`GET ${p}: unknown query parameter ${k}`);
      const head = url.searchParams.get("head");
      if (head && !head.includes(":"))
        this.violations.push(`GET ${p}: head must be owner:branch, not ${head}`);
      const state = url.searchParams.get("state") ?? "open";
      const found = this.pulls.filter(
        (x) => (state === "all" || x.state === state) && (!head || `${this.owner}:${x.head}` === head),
      );
      return send(res, 200, found.map(json));
    }
    if (!one && method === "POST") {
      only(["title", "head", "base", "body", "draft", "maintainer_can_modify"]);
      for (const k of ["title", "head", "base"])
        if (typeof b[k] !== "string") this.violations.push(`POST ${p}: ${k} is not a string`);
      if (this.pulls.some((x) => x.state === "open" && x.head === b.head))
        return send(res, 422, {
          message: "Validation Failed",
          errors: [{ message: `A pull request already exists for ${this.owner}:${b.head}.` }],
        });
      const x: StoredPull = {
        number: this.nextId++,
        head: b.head as string,
        base: b.base as string,
        title: b.title as string,
        body: (b.body as string) ?? "",
        state: "open",
      };
      this.pulls.push(x);
      return send(res, 201, json(x));
    }
    return this.notFound(res, method, p);
  }

  private checkCommentBody(method: string, p: string, body: unknown): string | undefined {
    const b = (body ?? {}) as Record<string, unknown>;
    for (const k of Object.keys(b))
      if (k !== "body") this.violations.push(`${method} ${p}: unknown field ${k}`);
    if (typeof b.body !== "string") {
      this.violations.push(`${method} ${p}: body.body is not a string`);
      return undefined;
    }
    if (b.body.length > 65_536) {
      this.violations.push(`${method} ${p}: comment body is ${b.body.length} characters (limit 65536)`);
      return undefined;
    }
    return b.body;
  }

  private commentJson(c: StoredComment) {
    return {
      id: c.id,
      node_id: `IC_${c.id}`,
      url: `${this.url}/repos/${this.owner}/${this.repo}/issues/comments/${c.id}`,
      html_url: `https://github.com/${this.owner}/${this.repo}/pull/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${this.url}/repos/${this.owner}/${this.repo}/issues/${c.issue}`,
      body: c.body,
      user: { login: c.user, id: 1, type: c.user.endsWith("[bot]") ? "Bot" : "User" },
      author_association: "NONE",
      created_at: "2026-01-01T00:00:00Z",
      updated_at: "2026-01-01T00:00:00Z",
    };
  }

  private notFound(res: ServerResponse, method: string, path: string) {
    this.violations.push(`unexpected call ${method} ${path}`);
    send(res, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
  }
}

function forbidden(res: ServerResponse) {
  send(res, 403, {
    message: "Resource not accessible by integration",
    documentation_url: "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, {
    ...(body === undefined ? {} : { "content-type": "application/json; charset=utf-8" }),
    "x-ratelimit-remaining": "4999",
    ...headers,
  });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
