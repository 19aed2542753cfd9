/**
 * `dotops perf` on real state: 30 generations, each a real apply of a real
 * commit through the built CLI in a sandbox HOME; the HTML report opened in a
 * real headless Chromium.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigRepo, dotops, sandbox, tempDir } from "./helpers.js";

const GENERATIONS = 30;
const PHASES = ["source", "config", "modules", "plan", "build", "apply", "record"];

/** Each commit adds five files under ~/.config/gen (five links to create) and edits a copied file. */
const commitFiles = (i: number): Record<string, string> =>
  Object.fromEntries([
    ...["a", "b", "c", "d", "e"].map((x) => [`files/gen/${i}-${x}`, `${i}${x}\n`]),
    ["files/copied", `edit ${i}\n`],
  ]);

const chromium = (() => {
  try {
    return execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
})();

describe("dotops perf", () => {
  const { home, state } = sandbox();
  let repo: ConfigRepo;
  const run = (...args: string[]) => dotops(["--repo", repo.dir, ...args], { home });
  const ok = async (...args: string[]) => {
    const r = await run(...args);
    expect(r.exitCode, `dotops ${args.join(" ")}\n${r.stderr}`).toBe(0);
    return r;
  };
  const gen = (n: number, file: string) => join(state, "generations", String(n), file);

  beforeAll(async () => {
    repo = await ConfigRepo.create({
      "dotops.yaml": "version: 1\nimports: [home/*.yaml]\nhosts:\n  box:\n    platform: linux\n",
      "home/files.yaml": [
        "files:",
        "  - { target: ~/.config/gen, source: files/gen }",
        "  - { target: ~/.copied, source: files/copied, mode: copy }",
        "",
      ].join("\n"),
      ...commitFiles(1),
    });
    for (let i = 1; i <= GENERATIONS; i++) {
      if (i > 1) await repo.commit(commitFiles(i), `generation ${i}`);
      await ok("apply");
    }
  }, 300_000);

  it("records how long each resource's steps took, only those that ran, with the generation", async () => {
    const timings = JSON.parse(readFileSync(gen(GENERATIONS, "timings.json"), "utf8"));
    expect(Object.keys(timings)).toEqual(["resources"]);
    const ids = timings.resources.map((r: { id: string }) => r.id).sort();
    expect(ids).toEqual([
      "~/.config/gen/30-a",
      "~/.config/gen/30-b",
      "~/.config/gen/30-c",
      "~/.config/gen/30-d",
      "~/.config/gen/30-e",
      "~/.copied",
    ]);
    for (const r of timings.resources) {
      expect(r.kind).toBe(r.id === "~/.copied" ? "file" : "link");
      expect(r.ms).toBeGreaterThanOrEqual(0);
    }
    // Slowest first.
    const ms = timings.resources.map((r: { ms: number }) => r.ms);
    expect(ms).toEqual([...ms].sort((a, b) => b - a));
    // A no-op apply records nothing.
    await ok("apply");
    expect(existsSync(gen(GENERATIONS + 1, "meta.json"))).toBe(false);
  });

  it("prints the last apply's slowest phases and resources and a sparkline per phase", async () => {
    const r = await ok("perf");
    const out = r.stdout;
    expect(out).toMatch(
      new RegExp(`^Generation ${GENERATIONS} \\([0-9a-f]{7}, .*, applied\\): [\\d.]+ (ms|s) in all$`, "m"),
    );
    const section = (title: string) => {
      const lines = out.split("\n");
      const start = lines.indexOf(title);
      expect(start, `${title} in\n${out}`).toBeGreaterThanOrEqual(0);
      const end = lines.indexOf("", start);
      return lines.slice(start + 1, end === -1 ? undefined : end);
    };
    expect(section("Slowest phases:").map((l) => l.trim().split(/\s+/)[0])).toEqual(
      expect.arrayContaining(["source", "config", "modules", "plan", "build", "apply"]),
    );
    const slowest = section("Slowest resources:");
    expect(slowest).toHaveLength(5);
    for (const line of slowest)
      expect(line).toMatch(/^ +[\d.]+ (ms|s) +(link|file) +~\/(\.config\/gen\/30-[a-e]|\.copied)$/);
    const trend = section(`Trend of the last ${GENERATIONS} generation(s) (1–${GENERATIONS}), oldest first:`);
    expect(trend.map((l) => l.trim().split(/\s+/)[0])).toEqual([...PHASES, "total"]);
    for (const line of trend) {
      const spark = /^ {2}\S+ +([▁▂▃▄▅▆▇█ ]+?) {2}/.exec(line)?.[1];
      expect(spark, line).toHaveLength(GENERATIONS);
    }
    expect(out).not.toContain("\u001b[");
    expect(r.stderr).toBe("");
  });

  it("is the perf-analyze alias, takes --generation and --last, and honours NO_COLOR and --no-color", async () => {
    const first = (await ok("perf-analyze", "--generation", "1", "--last", "5")).stdout;
    expect(first).toMatch(/^Generation 1 /m);
    expect(first).toContain(
      `Trend of the last 5 generation(s) (${GENERATIONS - 4}–${GENERATIONS}), oldest first:`,
    );
    const colored = await dotops(["--repo", repo.dir, "perf"], {
      home,
      env: { NO_COLOR: "", FORCE_COLOR: "1" },
    });
    expect(colored.stdout).toContain("\u001b[");
    const plain = await dotops(["--repo", repo.dir, "--no-color", "perf"], {
      home,
      env: { NO_COLOR: "", FORCE_COLOR: "1" },
    });
    expect(plain.stdout).not.toContain("\u001b[");
    for (const bad of [
      ["--last", "0"],
      ["--generation", "x"],
    ])
      expect((await run("perf", ...bad)).exitCode).toBe(2);
    const missing = await run("perf", "--generation", "99");
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("there is no generation 99");
  });

  it("--json has a stable shape and --csv one row per generation", async () => {
    const j = JSON.parse((await ok("--json", "perf")).stdout);
    expect(Object.keys(j)).toEqual(["generation", "trend", "skipped"]);
    expect(j.generation).toMatchObject({
      number: GENERATIONS,
      commit: expect.stringMatching(/^[0-9a-f]{40}$/),
      outcome: "applied",
      totalMs: expect.any(Number),
    });
    expect(Object.keys(j.generation)).toEqual([
      "number",
      "commit",
      "createdAt",
      "outcome",
      "totalMs",
      "phases",
      "slowestResources",
    ]);
    expect(j.generation.phases.map((p: { name: string }) => p.name).sort()).toEqual([...PHASES].sort());
    expect(j.generation.slowestResources).toHaveLength(5);
    for (const r of j.generation.slowestResources) expect(Object.keys(r)).toEqual(["id", "kind", "ms"]);
    expect(j.trend.phases).toEqual(PHASES);
    expect(j.trend.generations.map((g: { number: number }) => g.number)).toEqual(
      Array.from({ length: GENERATIONS }, (_, i) => i + 1),
    );
    expect(Object.keys(j.trend.generations[0])).toEqual([
      "number",
      "commit",
      "createdAt",
      "outcome",
      "phases",
      "totalMs",
    ]);
    expect(j.skipped).toEqual([]);

    const csv = (await ok("perf", "--csv")).stdout.trimEnd().split("\n");
    expect(csv[0]).toBe(["generation", "createdAt", "outcome", ...PHASES, "total"].join(","));
    expect(csv).toHaveLength(GENERATIONS + 1);
    csv.slice(1).forEach((line, i) => {
      const cells = line.split(",");
      expect(cells).toHaveLength(PHASES.length + 4);
      expect(cells[0]).toBe(String(i + 1));
      expect(cells[2]).toBe("applied");
      for (const v of cells.slice(3)) expect(Number.isFinite(Number(v)) && v !== "").toBe(true);
    });
  });

  it.skipIf(!chromium && !process.env.CI)(
    "--html writes one self-contained page that renders in headless Chromium with one point per generation",
    async () => {
      const dir = tempDir("dotops-perf-html-");
      const page = join(dir, "report.html");
      const r = await ok("perf", "--html", page);
      expect(r.stdout).toBe(`wrote ${page} (${GENERATIONS} generation(s))`);
      const html = readFileSync(page, "utf8");
      // Nothing to fetch when viewed: no external script, stylesheet or image.
      expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
      const dom = await execa(
        "chromium",
        [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          `--user-data-dir=${join(dir, "profile")}`,
          "--virtual-time-budget=10000",
          "--dump-dom",
          `file://${page}`,
        ],
        { env: { HOME: home }, timeout: 120_000, reject: false },
      );
      expect(dom.exitCode, dom.stderr).toBe(0);
      const body = /<body[^>]*>/.exec(dom.stdout)?.[0] ?? "";
      const error = /<pre id="error">([\s\S]*?)<\/pre>/.exec(dom.stdout)?.[1];
      expect(error, "the page's script failed").toBe("");
      expect(body).toContain('data-rendered="ok"');
      expect(body).toContain(`data-points="${GENERATIONS}"`);
      expect(body).toContain('data-charts="2"');
    },
    180_000,
  );

  // Last: it breaks records the other tests read.
  it("skips a generation whose meta.json or timings.json is corrupt, with a warning naming it", async () => {
    writeFileSync(gen(7, "meta.json"), "{ not json");
    writeFileSync(gen(12, "timings.json"), JSON.stringify({ resources: "nope" }));
    writeFileSync(gen(GENERATIONS, "timings.json"), "");
    const r = await ok("perf");
    expect(r.stderr).toMatch(/generation 7 is corrupt: .*meta\.json is not valid JSON/);
    expect(r.stderr).toMatch(/generation 12: timings\.json is not a list of resource timings/);
    expect(r.stderr).toMatch(/generation 30 is corrupt: .*timings\.json/);
    // The newest readable one is analysed; the trend has one point per readable generation.
    expect(r.stdout).toMatch(/^Generation 29 /m);
    expect(r.stdout).toContain(`Trend of the last ${GENERATIONS - 3} generation(s) (1–29), oldest first:`);
    const j = JSON.parse((await ok("--json", "perf")).stdout);
    expect(j.skipped.map((s: { generation: number }) => s.generation)).toEqual([7, 12, 30]);
    expect(j.trend.generations).toHaveLength(GENERATIONS - 3);
    const csv = (await ok("perf", "--csv")).stdout.trimEnd().split("\n");
    expect(csv).toHaveLength(GENERATIONS - 3 + 1);
    const explicit = await run("perf", "--generation", "7");
    expect(explicit.exitCode).toBe(1);
    expect(explicit.stderr).toContain("cannot analyse generation 7");
  });
});
