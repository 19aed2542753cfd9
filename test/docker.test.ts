import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "./helpers.js";
import { satisfies } from "./node-range.js";

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  const out: { op: string; args: string }[] = [];
  let current = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#") || (!line && !current)) continue;
    current += `${line.replace(/\\$/, "")} `;
    if (line.endsWith("\\")) continue;
    const m = current.trim().match(/^(\w+)\s+([\s\S]*)$/);
    if (m) out.push({ op: (m[1] as string).toUpperCase(), args: m[2] as string });
    current = "";
  }
  return out;
}

describe("Dockerfile", () => {
  const text = readFileSync(join(ROOT, "Dockerfile"), "utf8");
  const ins = instructions(text);

  it("follows hadolint's rules (checked by inspection, as no hadolint runs here)", () => {
    const froms = ins.filter((i) => i.op === "FROM").map((i) => i.args);
    const arg = "$" + "{NODE_IMAGE}"; // Dockerfile syntax, not a template
    expect(froms).toEqual([`${arg} AS build`, `${arg} AS runtime`]);
    const image = text.match(/^ARG NODE_IMAGE=(\S+)$/m)?.[1];
    expect(image).toMatch(/^node:\d+[\w.-]*-bookworm-slim$/); // DL3006/DL3007: tagged, never latest
    for (const run of ins.filter((i) => i.op === "RUN").map((i) => i.args)) {
      expect(run).not.toMatch(/(^|&&\s*)cd\s/); // DL3003: WORKDIR, not cd
      expect(run).not.toMatch(/\bsudo\b/); // DL3004
      if (/apt-get install/.test(run)) {
        expect(run).toMatch(/apt-get install -y --no-install-recommends/); // DL3014, DL3015
        const pkgs = run.split("--no-install-recommends")[1]?.split("&&")[0]?.trim().split(/\s+/) ?? [];
        expect(pkgs.length).toBeGreaterThan(0);
        for (const p of pkgs) expect(p).toMatch(/^[a-z0-9.+-]+=\S+$/); // DL3008: pinned
        expect(run).toMatch(/rm -rf \/var\/lib\/apt\/lists\/\*/); // DL3009
        expect(run).toMatch(/apt-get update/);
      }
      expect(run).not.toMatch(/apt-get upgrade|dist-upgrade/); // DL3005
    }
    for (const w of ins.filter((i) => i.op === "WORKDIR")) expect(w.args).toMatch(/^\//); // DL3000
    const copiesFrom = ins.filter((i) => i.op === "COPY" && i.args.startsWith("--from="));
    for (const c of copiesFrom) expect(c.args).toMatch(/^--from=build /); // DL3022: a named stage
    const runtime = ins.slice(ins.findIndex((i) => i.op === "FROM" && i.args.endsWith("AS runtime")));
    const users = runtime.filter((i) => i.op === "USER").map((i) => i.args);
    expect(users.at(-1)).toBe("node"); // DL3002: not root
    expect(runtime.at(-2)).toEqual({ op: "ENTRYPOINT", args: '["dotops"]' });
    expect(runtime.at(-1)?.op).toBe("CMD");
    expect(runtime.some((i) => i.op === "RUN" && /apt-get install[\s\S]*\bgit=/.test(i.args))).toBe(true);
    expect(ins.some((i) => i.op === "RUN" && /npm prune --omit=dev/.test(i.args))).toBe(true);
  });

  it("runs a Node that package.json's engines admits, CI tests, and the Action runs on", () => {
    const major = Number(text.match(/^ARG NODE_IMAGE=node:(\d+)/m)?.[1]);
    const engines = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).engines.node as string;
    expect(satisfies(`${major}.0.0`, engines), `node ${major} vs engines ${engines}`).toBe(true);
    const ci = parse(readFileSync(join(ROOT, ".github/workflows/ci.yml"), "utf8")) as {
      jobs: { test: { strategy: { matrix: { node: number[] } } } };
    };
    expect(ci.jobs.test.strategy.matrix.node).toContain(major);
    const action = parse(readFileSync(join(ROOT, "action/action.yml"), "utf8")) as {
      runs: { using: string };
    };
    expect(action.runs.using).toBe(`node${major}`);
  });

  it("its runtime stage's steps work on this machine (scripts/verify-docker-runtime.sh)", async () => {
    const r = await execa("bash", [join(ROOT, "scripts/verify-docker-runtime.sh")], {
      reject: false,
      all: true,
    });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).toMatch(/ok: commit [0-9a-f]{12} is valid for 1 host\(s\)/);
    expect(r.all).toMatch(/ok: the runtime stage works \(dotops \d+\.\d+\.\d+\)/);
  }, 180_000);
});
