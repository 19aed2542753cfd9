/**
 * Config blocks of the docs, by the convention of docs/README.md ("Writing these
 * docs"), and `dotops check` of each: used by test/docs.test.ts.
 *
 * - a ```yaml block whose first line is the comment `# dotops.yaml` is a
 *   complete entry config: it starts a new repo for its page;
 * - a ```yaml block whose first line is `# file: <repo-relative path>.yaml` is
 *   a fragment written to that path in the repo of the nearest preceding
 *   `# dotops.yaml` block of the same page (so a page can show dotops.yaml with
 *   `imports:` and the files it imports);
 * - every other block (workflows, one key on its own, plan output) is not config
 *   and is not checked.
 */
import { normalize } from "node:path";
import { isMap, isScalar, isSeq, parseAllDocuments } from "yaml";
import { ConfigRepo, dotops, sandbox } from "./helpers.js";

/** One config repo a page shows: its files by repo path, and where it starts. */
export interface PageRepo {
  page: string;
  line: number;
  files: Map<string, string>;
}

const ENTRY = /^#\s*dotops\.yaml\s*$/;
const FRAGMENT = /^#\s*file:\s*(\S+)\s*$/;

/** The fenced ```yaml blocks of a markdown text, with the line each starts on (1-based) and its text. */
export function yamlBlocks(markdown: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = (lines[i] as string).match(/^(\s*)(`{3,}|~{3,})\s*([\w-]*)/);
    if (!open) continue;
    const [, indent = "", fence = "", lang = ""] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j] as string;
      if (l.trim().startsWith(fence) && l.trim().replace(/[`~]/g, "") === "") break;
      body.push(l.startsWith(indent) ? l.slice(indent.length) : l.trimStart());
    }
    if (lang === "yaml" || lang === "yml") out.push({ line: i + 1, text: `${body.join("\n")}\n` });
    i = j;
  }
  return out;
}

/** The config repos a page shows, by the convention above; a fragment with no entry before it is an error. */
export function extractConfigs(markdown: string, page: string): PageRepo[] {
  const repos: PageRepo[] = [];
  for (const block of yamlBlocks(markdown)) {
    const first = block.text.split("\n")[0]?.trim() ?? "";
    if (ENTRY.test(first)) {
      repos.push({ page, line: block.line, files: new Map([["dotops.yaml", block.text]]) });
      continue;
    }
    const fragment = first.match(FRAGMENT);
    if (!fragment) continue;
    const path = fragment[1] as string;
    const where = `${page}:${block.line}`;
    if (!/\.ya?ml$/.test(path) || path.startsWith("/") || normalize(path).startsWith(".."))
      throw new Error(`${where}: "# file: ${path}" must name a .yaml path inside the repo`);
    const repo = repos.at(-1);
    if (!repo)
      throw new Error(`${where}: "# file: ${path}" comes before any "# dotops.yaml" block of the page`);
    if (repo.files.has(path)) throw new Error(`${where}: ${path} is shown twice for the same dotops.yaml`);
    repo.files.set(path, block.text);
  }
  return repos;
}

/**
 * Repo files the config names but the page does not show (the dotfiles behind
 * `source:`, a script, nvim's init.lua, a zsh plugin, a flake, an imported
 * file it leaves out): a page shows
 * the YAML and rarely the dotfile itself, and check reads the commit, where a
 * missing source is an error. So each becomes a small placeholder: a
 * directory (with one file in it) when the config treats it as one, else a file.
 */
export function placeholders(files: Map<string, string>): Record<string, string> {
  const files_: string[] = [];
  const dirs: string[] = [];
  const flakes: string[] = [];
  const imports: string[] = [];
  const visit = (node: unknown): void => {
    if (isSeq(node)) for (const item of node.items) visit(item);
    if (!isMap(node)) return;
    const keys = new Map<string, unknown>();
    for (const pair of node.items) if (isScalar(pair.key)) keys.set(String(pair.key.value), pair.value);
    const str = (k: string) => {
      const v = keys.get(k);
      return isScalar(v) && typeof v.value === "string" ? v.value : undefined;
    };
    // `target: ~` is YAML's null: HOME itself, so its source is a tree.
    const target = keys.get("target");
    const home = isScalar(target) && (target.value === null || target.value === "~");
    const treeEntry = home || keys.has("exact") || keys.has("ignore") || keys.has("symlinks");
    const source = str("source");
    if (source) (treeEntry ? dirs : files_).push(source);
    for (const k of ["script", "initLua"]) {
      const v = str(k);
      if (v) files_.push(v);
    }
    // A zsh plugin: a directory of the repo (unless it is on the machine) holding the script it sources.
    const src = str("src");
    if (src && !src.startsWith("~") && !src.startsWith("/"))
      files_.push(`${src}/${str("file") ?? `${str("name")}.plugin.zsh`}`);
    // An imported file the page does not show (e.g. the one `dotops init` wrote): an empty fragment.
    const imported = keys.get("imports");
    if (isSeq(imported))
      for (const i of imported.items) if (isScalar(i) && typeof i.value === "string") imports.push(i.value);
    const watch = keys.get("watch");
    if (isSeq(watch)) for (const w of watch.items) if (isScalar(w)) files_.push(String(w.value));
    for (const k of ["flake", "packagesFrom"]) {
      const v = str(k)?.split("#")[0];
      if (v === "." || v?.startsWith("./")) flakes.push(v);
    }
    for (const [, v] of keys) visit(v);
  };
  for (const text of files.values())
    for (const doc of parseAllDocuments(text, { logLevel: "silent" })) visit(doc.contents);

  const clean = (p: string) => normalize(p).replace(/\/+$/, "");
  const inRepo = (p: string) => p !== "." && p !== "" && !p.startsWith("inputs.") && !p.startsWith("..");
  const shown = [...files.keys()];
  const all = [...files_, ...dirs].map(clean);
  const out: Record<string, string> = {};
  for (const d of dirs.map(clean).filter(inRepo))
    if (!shown.some((s) => s.startsWith(`${d}/`))) out[`${d}/placeholder`] = "placeholder\n";
  for (const f of files_.map(clean).filter(inRepo)) {
    if (files.has(f) || out[`${f}/placeholder`]) continue;
    // A path another one lives under is a directory.
    if (all.some((p) => p.startsWith(`${f}/`)) || shown.some((s) => s.startsWith(`${f}/`))) continue;
    out[f] = f.endsWith(".sh") ? "#!/bin/sh\necho placeholder\n" : "placeholder\n";
  }
  for (const f of imports.filter((i) => !/[*?[{]/.test(i)).map(clean))
    if (inRepo(f) && !files.has(f)) out[f] = "{}\n";
  for (const f of flakes.map(clean)) {
    const path = f === "." ? "flake.nix" : `${f}/flake.nix`;
    out[path] ??= "{ outputs = { self }: { }; }\n";
  }
  return out;
}

/** Writes the repo to a temp dir, commits it, and runs `dotops check` there. */
export async function checkRepo(repo: PageRepo) {
  const files = Object.fromEntries(repo.files);
  const r = await ConfigRepo.create({ ...placeholders(repo.files), ...files }, "docs example");
  return dotops(["--repo", r.dir, "check"], { home: sandbox().home });
}
