/**
 * Every dotops config shown in docs/ passes `dotops check` (issue 18), and the
 * relative links of docs/ and README.md lead to files that exist. Which blocks
 * are config, and how a page's repo is built from them: test/docs-blocks.ts.
 * Each repo is written to a temp dir, committed, and checked with the built CLI
 * (`check` validates every host, darwin ones too, on any machine).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { checkRepo, extractConfigs, type PageRepo, placeholders } from "./docs-blocks.js";
import { ROOT } from "./helpers.js";

const DOCS = join(ROOT, "docs");

function markdownFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? markdownFiles(p) : name.endsWith(".md") ? [p] : [];
    });
}

const PAGES = markdownFiles(DOCS);
const REPOS = PAGES.flatMap((p) => extractConfigs(readFileSync(p, "utf8"), relative(ROOT, p)));

describe("config in docs/ passes dotops check", () => {
  it("finds the config blocks of the docs", () => {
    expect(PAGES.length).toBeGreaterThan(5);
    expect(REPOS.length).toBeGreaterThan(10);
  });

  it.each(REPOS.map((r) => [`${r.page}:${r.line}`, r] as const))("%s", async (_where, repo) => {
    const r = await checkRepo(repo);
    expect(r.exitCode, `${repo.page}:${repo.line} (${[...repo.files.keys()].join(", ")}):\n${r.stderr}`).toBe(
      0,
    );
  });
});

describe("the extractor", () => {
  const page = (entry: string, ...fragments: string[]) =>
    [
      "# A page",
      "",
      "```yaml",
      entry,
      "```",
      ...fragments.flatMap((f) => ["", "Some text.", "", "```yaml", f, "```"]),
      "",
      "```yaml",
      "# not config: one key on its own",
      "files: 3",
      "```",
    ].join("\n");
  const ENTRY_OK = "# dotops.yaml\nversion: 1\nimports: [home/*.yaml]\nhosts:\n  box: { platform: linux }";

  it("takes an entry and its fragments, placeholders for sources, and skips other blocks", async () => {
    const repos = extractConfigs(
      page(ENTRY_OK, "# file: home/files.yaml\nfiles:\n  - { target: ~/.zshrc, source: files/zshrc }"),
      "t.md",
    );
    expect(repos).toHaveLength(1);
    expect([...(repos[0] as PageRepo).files.keys()]).toEqual(["dotops.yaml", "home/files.yaml"]);
    expect(placeholders((repos[0] as PageRepo).files)).toEqual({ "files/zshrc": "placeholder\n" });
    expect((await checkRepo(repos[0] as PageRepo)).exitCode).toBe(0);
  });

  it("fails on a broken block: the same path the docs take", async () => {
    const [repo] = extractConfigs(
      page(
        ENTRY_OK,
        "# file: home/files.yaml\nfiles:\n  - { target: ~/.zshrc, source: files/zshrc, mode: cpy }",
      ),
      "bad.md",
    );
    const r = await checkRepo(repo as PageRepo);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("home/files.yaml:3:");
    expect(r.stderr).toContain("files[0].mode");
  });

  it("refuses a fragment with no dotops.yaml before it, and a path out of the repo", () => {
    expect(() => extractConfigs("```yaml\n# file: home/x.yaml\nfiles: []\n```\n", "p.md")).toThrow(
      /p\.md:1: "# file: home\/x\.yaml" comes before any "# dotops\.yaml"/,
    );
    expect(() => extractConfigs(page(ENTRY_OK, "# file: ../x.yaml\nfiles: []"), "p.md")).toThrow(
      /inside the repo/,
    );
  });

  it("reads fences inside list items, and a tree source as a directory", () => {
    const md = `1. Step\n\n   \`\`\`yaml\n   ${ENTRY_OK.replace(/\n/g, "\n   ")}\n   files:\n     - { target: ~, source: home }\n   \`\`\`\n`;
    const [repo] = extractConfigs(md, "list.md");
    expect(repo?.files.get("dotops.yaml")).toContain("version: 1\n");
    expect(placeholders((repo as PageRepo).files)).toEqual({ "home/placeholder": "placeholder\n" });
  });
});

/**
 * Links between pages stay true as pages move. The reference and migration
 * pages are written on another branch; until they land they may be missing,
 * and once they exist they are checked like any other.
 */
const LANDING = new Set([
  "docs/reference/configuration.md",
  "docs/reference/commands.md",
  "docs/migrate/from-stow.md",
  "docs/migrate/from-chezmoi.md",
  "docs/migrate/from-home-manager.md",
  "docs/migrate/from-brewfile.md",
]);

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as dashes. */
function headingSlugs(path: string): Set<string> {
  const text = readFileSync(path, "utf8").replace(/```[\s\S]*?```/g, "");
  const slugs = new Set<string>();
  for (const m of text.matchAll(/^#{1,6}\s+(.+?)\s*$/gm)) {
    const base = (m[1] as string)
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    let slug = base;
    for (let n = 1; slugs.has(slug); n++) slug = `${base}-${n}`;
    slugs.add(slug);
  }
  return slugs;
}

describe("links in docs/ and README.md", () => {
  it.each([...PAGES, join(ROOT, "README.md")].map((p) => [relative(ROOT, p), p] as const))(
    "%s",
    (_name, path) => {
      const text = readFileSync(path, "utf8").replace(/```[\s\S]*?```/g, "");
      const broken: string[] = [];
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const [target = "", anchor] = (m[1] as string).split("#");
        if (/^[a-z]+:/i.test(target)) continue;
        const abs = target ? join(dirname(path), decodeURIComponent(target)) : path;
        const rel = relative(ROOT, abs);
        if (!existsSync(abs)) {
          if (!LANDING.has(rel)) broken.push(m[1] as string);
        } else if (anchor && abs.endsWith(".md") && !headingSlugs(abs).has(anchor))
          broken.push(m[1] as string);
      }
      expect(broken).toEqual([]);
    },
  );
});
