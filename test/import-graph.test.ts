import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

/*
 * DESIGN §7's dependency rule, read from the source: cli → agent → engine →
 * resources → host, config and modules pure, nothing imports cli; and no
 * module that, when loaded, loads itself back (a runtime import cycle).
 */

interface Edge {
  from: string;
  to: string;
  /** `import type`, or every name imported is `type`: erased by tsc, nothing loaded. */
  typeOnly: boolean;
}

/**
 * Known layering exceptions, each "from -> to" (files relative to the repo).
 * Only for code being moved elsewhere by a refactor in flight; remove the
 * entry with the import. Empty: the layering holds.
 */
const KNOWN_LAYERING_EXCEPTIONS: string[] = [];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .sort();
}

/** Relative imports of `file`: static, re-exports, side-effect only, and `import("…")`. */
function importsOf(file: string, text: string): Edge[] {
  const edges: Edge[] = [];
  // Comments that open a line could name a module in an example; strings ("**/*.yaml") are left alone.
  const code = text.replace(/^\s*\/\*[\s\S]*?\*\//gm, "").replace(/^\s*\/\/.*$/gm, "");
  const statement =
    /(?:^|[\n;])\s*(import|export)\s+(type\s+)?([\w*${},\s]*?)\s*from\s*["']([^"']+)["']|(?:^|[\n;])\s*import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;
  for (const m of code.matchAll(statement)) {
    const spec = m[4] ?? m[5] ?? m[6];
    if (!spec?.startsWith(".")) continue;
    const names = m[3]?.trim() ?? "";
    const braced = /^\{([\s\S]*)\}$/.exec(names);
    const typeOnly =
      Boolean(m[2]) ||
      (braced !== null &&
        braced[1]
          ?.split(",")
          .map((s) => s.trim())
          .filter(Boolean)
          .every((s) => s.startsWith("type ")) === true);
    const to = relative(ROOT, resolve(ROOT, dirname(file), spec)).replace(/\.js$/, ".ts");
    edges.push({ from: file, to, typeOnly });
  }
  return edges;
}

const files = [...sourceFiles("src"), ...sourceFiles("action/src")];
const edges = files.flatMap((f) => importsOf(f, readFileSync(join(ROOT, f), "utf8")));

/** Every cycle of runtime imports, each as the path of files around it. */
function runtimeCycles(): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) if (!e.typeOnly) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (n: string) => {
    state.set(n, "open");
    path.push(n);
    for (const m of next.get(n) ?? []) {
      if (state.get(m) === "open") cycles.push([...path.slice(path.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    path.pop();
    state.set(n, "done");
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return cycles;
}

const area = (file: string) =>
  /^src\/([^/]+)\//.exec(file)?.[1] ?? (file.startsWith("action/") ? "action" : "");

/** What each area may not import (type imports included: a dependency is one either way). */
const FORBIDDEN: Record<string, string[]> = {
  config: ["host", "engine", "agent", "cli"],
  modules: ["host", "engine", "agent", "cli"],
  resources: ["engine", "agent", "cli"],
  engine: ["agent", "cli"],
};

function layeringViolations(): string[] {
  return edges
    .filter((e) => {
      const from = area(e.from);
      const to = area(e.to);
      if (to === "cli" && from !== "cli") return true; // nothing imports cli
      return FORBIDDEN[from]?.includes(to) ?? false;
    })
    .map((e) => `${e.from} -> ${e.to}${e.typeOnly ? " (type)" : ""}`);
}

describe("the import graph", () => {
  it("reads the imports the scan must see", () => {
    const found = importsOf(
      "src/cli/x.ts",
      [
        'import { a, type B } from "./a.js";',
        'import type { C } from "../engine/c.js";',
        'import { type D } from "./d.js";',
        'import * as e from "./e.js";',
        'export { f } from "./f.js";',
        'import "./g.js";',
        'const { h } = await import("./h.js");',
        'import { x } from "node:fs";',
        '// import { y } from "./commented.js";',
        '/** loaded by `await import("./commented.js")` */',
      ].join("\n"),
    );
    expect(found.map((e) => [e.to, e.typeOnly])).toEqual([
      ["src/cli/a.ts", false],
      ["src/engine/c.ts", true],
      ["src/cli/d.ts", true],
      ["src/cli/e.ts", false],
      ["src/cli/f.ts", false],
      ["src/cli/g.ts", false],
      ["src/cli/h.ts", false],
    ]);
    expect(edges.length).toBeGreaterThan(100);
    // The one that used to close a cycle is seen, as a runtime (dynamic) import.
    expect(edges).toContainEqual({ from: "src/cli/agent.ts", to: "src/cli/agent-pass.ts", typeOnly: false });
  });

  it("has no runtime import cycle", () => {
    expect(runtimeCycles().map((c) => c.join(" -> "))).toEqual([]);
  });

  it("keeps the layers: cli → agent → engine → resources → host, config and modules pure, nothing imports cli", () => {
    const violations = layeringViolations();
    expect(violations.filter((v) => !KNOWN_LAYERING_EXCEPTIONS.includes(v))).toEqual([]);
    // An exception whose import is gone is stale: drop it from the list.
    expect(KNOWN_LAYERING_EXCEPTIONS.filter((x) => !violations.includes(x))).toEqual([]);
  });
});
