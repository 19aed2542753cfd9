import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Recorded {
  method: string;
  path: string;
  body: Record<string, unknown>;
  auth: string | undefined;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

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

  constructor(readonly silent = false) {}

  failNext(...replies: Reply[]) {
    this.failures.push(...replies);
  }

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const body = await readBody(req);
      const path = (req.url ?? "").split("?")[0] as string;
      this.calls.push({ method: req.method ?? "", path, body, auth: req.headers.authorization });
      if (this.silent) return; // the response stays open until stop()
      const reply = this.failures.shift() ?? this.route(req.method ?? "", path, body);
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

  private route(method: string, path: string, body: Record<string, unknown>): Reply {
    let m = /^\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-f]{40})$/.exec(path);
    if (m && method === "POST") {
      if (!["error", "failure", "pending", "success"].includes(body.state as string))
        return this.invalid(`bad state ${body.state}`);
      if (typeof body.context !== "string") return this.invalid("context missing");
      if (typeof body.description === "string" && body.description.length > 140)
        return this.invalid("description > 140");
      return { status: 201, body: { id: this.nextId++, state: body.state, context: body.context } };
    }
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
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}
