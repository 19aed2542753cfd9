import { execFileSync } from "node:child_process";
import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Recorded {
  method: string;
  path: string;
  body: Record<string, unknown>;
  auth: string | undefined;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

/** A commit status as GitHub keeps it: the latest per commit and context wins. */
export interface HeldStatus {
  context: string;
  state: string;
  description: string | null;
  createdAt: string;
}

/** A GitHub App the fake knows: its public key checks the JWTs, its installation hands out tokens. */
export interface FakeApp {
  appId: number;
  publicKey: string | KeyObject;
  installationId: number;
}

/**
 * A GitHub REST API stand-in on 127.0.0.1. It checks each request's method,
 * path and body against the documented shapes and answers like GitHub; tests
 * can queue failures (500, 401, rate limits) for the next calls, or make it
 * `silent`: it accepts every connection, reads the request and never answers.
 */
export class FakeGitHub {
  readonly calls: Recorded[] = [];
  readonly problems: string[] = [];
  private readonly failures: Reply[] = [];
  private server: Server | undefined;
  private nextId = 7;
  url = "";
  /** Latest status per commit and context, as the combined status and GraphQL's Commit.status give them. */
  readonly statuses = new Map<string, Map<string, HeldStatus>>();
  /** When a status is created: tests set it to stamp reports in the past. */
  clock: () => Date = () => new Date();
  /** A repo whose branches the API serves (commit history for GraphQL). */
  repoDir: string | undefined;
  app: FakeApp | undefined;
  /** Installation tokens handed out, in order. */
  readonly issued: string[] = [];

  constructor(readonly silent = false) {}

  failNext(...replies: Reply[]) {
    this.failures.push(...replies);
  }

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const body = await readBody(req);
      const [path = "", search = ""] = (req.url ?? "").split("?");
      const query = new URLSearchParams(search);
      this.calls.push({ method: req.method ?? "", path, body, auth: req.headers.authorization });
      if (this.silent) return; // the response stays open until stop()
      const reply =
        this.failures.shift() ?? this.route(req.method ?? "", path, body, req.headers.authorization, query);
      res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
      res.end(JSON.stringify(reply.body ?? {}));
    });
    await new Promise<void>((r) => this.server?.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((r) => {
      this.server?.close(() => r());
      this.server?.closeAllConnections(); // a silent server's requests are still open
    });
  }

  private invalid(msg: string): Reply {
    this.problems.push(msg);
    return { status: 422, body: { message: "Validation Failed", errors: [msg] } };
  }

  private route(
    method: string,
    path: string,
    body: Record<string, unknown>,
    auth?: string,
    query = new URLSearchParams(),
  ): Reply {
    let m = /^\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-f]{40})$/.exec(path);
    if (m && method === "POST") {
      if (!["error", "failure", "pending", "success"].includes(body.state as string))
        return this.invalid(`bad state ${body.state}`);
      if (typeof body.context !== "string") return this.invalid("context missing");
      if (typeof body.description === "string" && body.description.length > 140)
        return this.invalid("description > 140");
      const sha = m[3] as string;
      const held = this.statuses.get(sha) ?? new Map<string, HeldStatus>();
      held.set(body.context, {
        context: body.context,
        state: body.state as string,
        description: typeof body.description === "string" ? body.description : null,
        createdAt: this.clock().toISOString(),
      });
      this.statuses.set(sha, held);
      return { status: 201, body: { id: this.nextId++, state: body.state, context: body.context } };
    }
    m = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/status$/.exec(path);
    if (m && method === "GET") {
      // The combined status: the latest status per context, newest first, 100 a page.
      const sha = m[3] as string;
      const all = [...(this.statuses.get(sha)?.values() ?? [])].sort((a, b) =>
        b.createdAt.localeCompare(a.createdAt),
      );
      const page = Number(query.get("page") ?? 1);
      const per = Number(query.get("per_page") ?? 30);
      const statuses = all.slice((page - 1) * per, page * per).map((st) => ({
        context: st.context,
        state: st.state,
        description: st.description,
        created_at: st.createdAt,
        updated_at: st.createdAt,
      }));
      const state = all.some((x) => x.state === "failure" || x.state === "error")
        ? "failure"
        : all.length && all.every((x) => x.state === "success")
          ? "success"
          : "pending";
      return { status: 200, body: { state, sha, total_count: all.length, statuses } };
    }
    m = /^\/repos\/([^/]+)\/([^/]+)\/installation$/.exec(path);
    if (m && method === "GET") {
      const bad = this.checkJwt(auth);
      if (bad) return bad;
      return { status: 200, body: { id: this.app?.installationId, app_id: this.app?.appId } };
    }
    m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (m && method === "POST") {
      const bad = this.checkJwt(auth);
      if (bad) return bad;
      if (Number(m[1]) !== this.app?.installationId) return { status: 404, body: { message: "Not Found" } };
      const token = `ghs_fake${this.nextId++}installationtoken`;
      this.issued.push(token);
      return {
        status: 201,
        body: { token, expires_at: new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, "Z") },
      };
    }
    if (path === "/graphql" && method === "POST") return this.graphql(body);
    m = /^\/repos\/([^/]+)\/([^/]+)\/deployments$/.exec(path);
    if (m && method === "POST") {
      if (typeof body.ref !== "string" || typeof body.environment !== "string")
        return this.invalid("ref/environment");
      if (!Array.isArray(body.required_contexts)) return this.invalid("required_contexts must be an array");
      return { status: 201, body: { id: this.nextId++, ref: body.ref, environment: body.environment } };
    }
    m = /^\/repos\/([^/]+)\/([^/]+)\/deployments\/(\d+)\/statuses$/.exec(path);
    if (m && method === "POST") {
      const states = ["error", "failure", "inactive", "in_progress", "queued", "pending", "success"];
      if (!states.includes(body.state as string)) return this.invalid(`bad deployment state ${body.state}`);
      return { status: 201, body: { id: this.nextId++, state: body.state } };
    }
    this.problems.push(`unexpected ${method} ${path}`);
    return { status: 404, body: { message: "Not Found" } };
  }

  /** GitHub's answer to a JWT: 401 unless it is RS256, signed by the App's key, issued by it and not expired. */
  private checkJwt(auth: string | undefined): Reply | null {
    const deny = (why: string): Reply => {
      this.problems.push(`JWT refused: ${why}`);
      return { status: 401, body: { message: `A JSON web token could not be decoded (${why})` } };
    };
    if (!this.app) return deny("no app");
    const jwt = /^Bearer (.+)$/.exec(auth ?? "")?.[1];
    const parts = jwt?.split(".") ?? [];
    if (parts.length !== 3) return deny("not a JWT");
    const [head, payload, sig] = parts as [string, string, string];
    const header = JSON.parse(Buffer.from(head, "base64url").toString("utf8"));
    if (header.alg !== "RS256") return deny(`alg ${header.alg}`);
    const key =
      typeof this.app.publicKey === "string" ? createPublicKey(this.app.publicKey) : this.app.publicKey;
    if (!verify("sha256", Buffer.from(`${head}.${payload}`), key, Buffer.from(sig, "base64url")))
      return deny("bad signature");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    const now = Date.now() / 1000;
    if (String(claims.iss) !== String(this.app.appId)) return deny(`iss ${claims.iss}`);
    if (!(claims.exp > now) || claims.exp - claims.iat > 600) return deny("expired or too long");
    if (claims.iat > now + 60) return deny("issued in the future");
    return null;
  }

  /**
   * The one GraphQL query dotops asks (dotops fleet): a branch's history,
   * newest first, with each commit's latest status per context, from
   * `repoDir` and the statuses posted here.
   */
  private graphql(body: Record<string, unknown>): Reply {
    const query = String(body.query ?? "");
    const v = (body.variables ?? {}) as {
      owner?: string;
      name?: string;
      ref?: string;
      first?: number;
      after?: string;
    };
    if (!/history\(first: \$first, after: \$after\)/.test(query) || !/contexts \{/.test(query))
      return this.invalid(`unexpected GraphQL query ${query}`);
    if (!v.owner || !v.name || typeof v.first !== "number" || v.first > 100)
      return this.invalid(`bad GraphQL variables ${JSON.stringify(v)}`);
    if (!this.repoDir) return { status: 200, body: { data: { repository: null } } };
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", this.repoDir as string, ...args], { encoding: "utf8" }).trim();
    const ref = query.includes("defaultBranchRef") ? git("symbolic-ref", "HEAD") : (v.ref ?? "");
    let lines: string[];
    try {
      lines = git("log", "--format=%H %cI", ref).split("\n");
    } catch {
      return { status: 200, body: { data: { repository: { branch: null } } } };
    }
    const start = v.after ? Number(v.after) : 0;
    const page = lines.slice(start, start + v.first);
    const nodes = page.map((l) => {
      const [oid, committedDate] = l.split(" ") as [string, string];
      const held = this.statuses.get(oid);
      return { oid, committedDate, status: held ? { contexts: [...held.values()] } : null };
    });
    const end = start + page.length;
    return {
      status: 200,
      body: {
        data: {
          repository: {
            branch: {
              name: ref.replace(/^refs\/heads\//, ""),
              target: {
                history: { pageInfo: { hasNextPage: end < lines.length, endCursor: String(end) }, nodes },
              },
            },
          },
        },
      },
    };
  }
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}
