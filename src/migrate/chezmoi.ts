import { globToRegExp } from "../config/glob.js";
import { repoPathFor } from "./adopt.js";
import type { OutputFile, TreeEntry, TreeImporter, TreeImportResult } from "./importer.js";
import { appendEntries } from "./yaml-edit.js";

/**
 * A chezmoi source state → dotops files and scripts. Source-state names
 * carry the attributes (chezmoi's reference, "Source state attributes"):
 * files are copied into `files/` under their target path (without the
 * leading dot, as `dotops adopt` does) and listed one entry each; `run_`
 * scripts are copied into `scripts/` and listed under `scripts:`. What has no
 * dotops equivalent is listed with the reason, never dropped silently.
 */

const DIR_PREFIXES = ["remove_", "external_", "exact_", "private_", "readonly_", "dot_"] as const;
const FILE_PREFIXES = ["encrypted_", "private_", "readonly_", "empty_", "executable_", "dot_"] as const;

interface Attrs {
  name: string;
  has: Set<string>;
}

/** Strips the attribute prefixes in chezmoi's order; `literal_` stops the parsing. */
function parseName(raw: string, prefixes: readonly string[]): Attrs {
  const has = new Set<string>();
  let name = raw;
  for (const p of prefixes) {
    if (name.startsWith("literal_")) return { name: name.slice("literal_".length), has };
    if (name.startsWith(p)) {
      has.add(p);
      name = name.slice(p.length);
    }
  }
  if (name.startsWith("literal_")) name = name.slice("literal_".length);
  if (has.has("dot_")) name = `.${name}`;
  return { name, has };
}

/** chezmoi template data → dotops template names. */
const KNOWN: Record<string, string> = {
  "chezmoi.hostname": "host.name",
  "chezmoi.os": "host.platform",
  name: "user.name",
  email: "user.email",
  editor: "user.editor",
};

/** Literal text for a Liquid template: a `{%` (zsh's `%{%}`) written so Liquid prints it. */
const liquidLiteral = (text: string) => text.replaceAll("{%", '{{ "{%" }}');

/**
 * A template dotops can render as it is once names are translated: only
 * `{{ .name }}` actions. Conditionals, pipes and functions are not.
 */
function translateTemplate(text: string): { text: string; vars: string[] } | { why: string } {
  const vars: string[] = [];
  let bad: string | undefined;
  let out = "";
  let at = 0;
  for (const action of text.matchAll(/\{\{(-?)\s*([^}]*?)\s*(-?)\}\}/g)) {
    const [match, l, body, r] = action as unknown as [string, string, string, string];
    // Text around the actions is literal to Go's templates; in Liquid `{%` opens a tag.
    out += liquidLiteral(text.slice(at, action.index));
    at = (action.index ?? 0) + match.length;
    const m = /^\.([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)$/.exec(body);
    const name = m?.[1];
    const mapped =
      name === undefined
        ? undefined
        : (KNOWN[name] ?? (name.startsWith("chezmoi.") ? undefined : `vars.${name}`));
    if (!mapped || l || r) {
      bad ??= match;
      out += match;
      continue;
    }
    if (mapped.startsWith("vars.")) vars.push(mapped);
    out += `{{ ${mapped} }}`;
  }
  out += liquidLiteral(text.slice(at));
  if (bad) return { why: `the template uses ${bad}, which has no dotops equivalent: convert it by hand` };
  return { text: out, vars };
}

export const chezmoiImporter: TreeImporter = {
  convertTree(all): TreeImportResult {
    const result: TreeImportResult = { files: {}, skipped: [], counts: {}, notes: [] };
    const skip = (path: string, reason: string) => result.skipped.push({ path, reason });
    const count = (k: string) => {
      result.counts[k] = (result.counts[k] ?? 0) + 1;
    };
    // .chezmoiroot moves the source state into a subdirectory.
    const rootFile = all.find((e) => e.path === ".chezmoiroot");
    const root = rootFile ? rootFile.data.toString("utf8").trim().replace(/\/+$/, "") : "";
    const entries = root
      ? all
          .filter((e) => e.path.startsWith(`${root}/`))
          .map((e) => ({ ...e, path: e.path.slice(root.length + 1) }))
      : all;
    const ignore = ignoreList(entries, skip);
    const fileEntries: Record<string, unknown>[] = [];
    const scriptEntries: Record<string, unknown>[] = [];
    const vars = new Set<string>();
    /** Target dirs per source dir (attributes stripped), and which are exact_. */
    const targetDir = new Map<string, string>([["", ""]]);
    const skippedDirs = new Set<string>();

    for (const e of entries) {
      const slash = e.path.lastIndexOf("/");
      const parent = slash < 0 ? "" : e.path.slice(0, slash);
      const base = e.path.slice(slash + 1);
      if ([...skippedDirs].some((d) => parent === d || parent.startsWith(`${d}/`))) continue;
      if (base.startsWith(".")) {
        if (parent === "" && base === ".chezmoiscripts" && e.type === "dir") {
          targetDir.set(e.path, "\0scripts");
          continue;
        }
        if (base.startsWith(".chezmoi")) {
          if (![".chezmoiignore", ".chezmoiroot"].includes(base))
            skip(e.path, `${base}: chezmoi's own ${specialWhat(base)}, not imported`);
        } else skip(e.path, "chezmoi ignores names starting with a dot in the source state");
        if (e.type === "dir") skippedDirs.add(e.path);
        continue;
      }
      const dir = targetDir.get(parent);
      if (dir === undefined) continue;
      if (e.type === "dir") {
        const a = parseName(base, DIR_PREFIXES);
        if (a.has.has("remove_") || a.has.has("external_")) {
          skip(
            e.path,
            a.has.has("remove_")
              ? "remove_ (chezmoi deletes it): dotops never deletes what it does not manage"
              : "external_: fetched from elsewhere by chezmoi, not imported",
          );
          skippedDirs.add(e.path);
          continue;
        }
        const t = dir === "" ? a.name : `${dir}/${a.name}`;
        targetDir.set(e.path, t);
        if (a.has.has("exact_"))
          result.notes?.push(
            `~/${t}: exact_ (remove unmanaged files) is not carried over; its files are imported`,
          );
        if (a.has.has("private_") || a.has.has("readonly_"))
          result.notes?.push(
            `~/${t}: directory permissions (${[...a.has].filter((x) => x !== "dot_" && x !== "exact_").join(", ")}) are not carried over`,
          );
        continue;
      }
      if (dir === "\0scripts" || base.startsWith("run_")) {
        script(e, base, dir === "\0scripts");
        continue;
      }
      convertFile(e, base, dir);
    }
    if (vars.size)
      result.notes?.push(
        `templates use ${[...vars].sort().join(", ")}: define them under vars: in user-config.yaml (chezmoi kept them in its data)`,
      );
    const header = "# Imported from a chezmoi source directory by `dotops import chezmoi`.\n";
    let yaml = appendEntries(header, "home/chezmoi.yaml", "files", fileEntries);
    if (scriptEntries.length) yaml = appendEntries(yaml, "home/chezmoi.yaml", "scripts", scriptEntries);
    result.files["home/chezmoi.yaml"] = yaml;
    return result;

    function convertFile(e: TreeEntry, base: string, dir: string) {
      for (const p of ["modify_", "create_", "remove_", "before_", "after_"]) {
        if (!base.startsWith(p)) continue;
        const why: Record<string, string> = {
          modify_:
            "modify_ scripts edit a file chezmoi does not own; use a managed block or manage the whole file",
          create_:
            "create_ (only created when missing) has no dotops equivalent: dotops keeps the content it manages",
          remove_: "remove_ (chezmoi deletes it): dotops never deletes what it does not manage",
          before_: "not a recognised chezmoi name",
          after_: "not a recognised chezmoi name",
        };
        skip(e.path, why[p] as string);
        return;
      }
      const symlink = base.startsWith("symlink_");
      const a = symlink ? parseName(base.slice("symlink_".length), ["dot_"]) : parseName(base, FILE_PREFIXES);
      let name = a.name;
      const tmpl = name.endsWith(".tmpl");
      if (tmpl) name = name.slice(0, -".tmpl".length);
      if (name.endsWith(".literal")) name = name.slice(0, -".literal".length);
      const target = dir === "" ? name : `${dir}/${name}`;
      const id = `~/${target}`;
      if (a.has.has("encrypted_")) {
        // chezmoi names the ciphertext with its tool's suffix; the target has none.
        const plain = id.replace(/\.(age|asc)$/, "");
        skip(
          e.path,
          `encrypted (age/gpg): dotops does not decrypt; decrypt it to ${plain} and \`dotops adopt\` it, or keep the secret out of Git with !secret`,
        );
        return;
      }
      if (ignore(target)) {
        skip(e.path, `${id} is ignored by .chezmoiignore`);
        return;
      }
      if (e.type === "symlink") {
        skip(e.path, "a symlink in the source state (chezmoi would follow it); commit the file itself");
        return;
      }
      let text = e.data.toString("utf8");
      if (tmpl) {
        const t = translateTemplate(text);
        if ("why" in t) {
          skip(e.path, t.why);
          return;
        }
        text = t.text;
        for (const v of t.vars) vars.add(v);
      }
      const source = repoPathFor(id);
      if (symlink) {
        const to = text.trim();
        if (!to.startsWith("/")) {
          skip(
            e.path,
            `symlink_ to a relative path (${to}): dotops keeps links out of the repo by absolute path only`,
          );
          return;
        }
        result.files[source] = { data: Buffer.from(to), mode: 0o777, symlink: true };
        fileEntries.push({ target: id, source, symlinks: "keep" });
        count("symlinks");
        return;
      }
      if (!e.data.length && !a.has.has("empty_")) {
        skip(e.path, "empty, and not empty_: chezmoi removes the target, dotops leaves it alone");
        return;
      }
      const executable = a.has.has("executable_");
      const priv = a.has.has("private_");
      const perms =
        (executable ? (priv ? 0o700 : 0o755) : priv ? 0o600 : 0o644) &
        (a.has.has("readonly_") ? ~0o222 : 0o777);
      const special = a.has.has("private_") || a.has.has("readonly_");
      const out: OutputFile = { data: tmpl ? Buffer.from(text) : e.data, mode: executable ? 0o755 : 0o644 };
      result.files[source] = out;
      fileEntries.push({
        target: id,
        source,
        ...(tmpl
          ? { mode: "template" }
          : special
            ? { mode: "copy", permissions: `0${perms.toString(8)}` }
            : {}),
      });
      if (tmpl && special)
        result.notes?.push(
          `${id}: a template is linked, so its ${[...a.has].filter((x) => x === "private_" || x === "readonly_").join(", ")} permissions are not kept`,
        );
      count(tmpl ? "templates" : "files");
    }

    function script(e: TreeEntry, base: string, inScriptsDir: boolean) {
      if (e.type !== "file") return;
      let rest = base.startsWith("run_") ? base.slice("run_".length) : base;
      if (!base.startsWith("run_") && inScriptsDir) {
        skip(e.path, "not a run_ script (only run_ scripts may live in .chezmoiscripts)");
        return;
      }
      let run: "once" | "onchange" | "always" = "always";
      if (rest.startsWith("once_")) [run, rest] = ["once", rest.slice(5)];
      else if (rest.startsWith("onchange_")) [run, rest] = ["onchange", rest.slice(9)];
      if (rest.startsWith("before_")) {
        rest = rest.slice(7);
        result.notes?.push(`script ${rest}: before_ — dotops runs every script after the files are in place`);
      } else if (rest.startsWith("after_")) rest = rest.slice(6);
      if (rest.endsWith(".tmpl")) {
        skip(e.path, "a script template: dotops runs scripts as they are committed; render it by hand");
        return;
      }
      const name = rest.replace(/[^\w.@+-]/g, "_").replace(/^[^A-Za-z0-9]+/, "") || "script";
      const path = `scripts/${name}`;
      result.files[path] = { data: e.data, mode: 0o755 };
      scriptEntries.push({ name, run, script: path });
      count("scripts");
    }
  },
};

function specialWhat(base: string): string {
  if (base.startsWith(".chezmoidata") || base === ".chezmoitemplates") return "template data";
  if (base.startsWith(".chezmoiexternal")) return "list of externals";
  if (base === ".chezmoiremove") return "list of files to remove";
  if (base.startsWith(".chezmoi.")) return "config template";
  return "file";
}

/** `.chezmoiignore`: target patterns (`!` excludes); lines with templates are listed, not applied. */
function ignoreList(
  entries: TreeEntry[],
  skip: (path: string, reason: string) => void,
): (target: string) => boolean {
  const file = entries.find((e) => e.path === ".chezmoiignore");
  if (!file) return () => false;
  const include: RegExp[] = [];
  const exclude: RegExp[] = [];
  for (const raw of file.data.toString("utf8").split("\n")) {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (!line) continue;
    if (line.includes("{{")) {
      skip(
        ".chezmoiignore",
        `template line "${line}" not applied: the ignore list is read as plain patterns`,
      );
      continue;
    }
    const neg = line.startsWith("!");
    const pattern = (neg ? line.slice(1) : line).replace(/^\/+/, "");
    const re = globToRegExp(pattern);
    const under = globToRegExp(`${pattern}/**`);
    (neg ? exclude : include).push(re, under);
  }
  return (target) => include.some((r) => r.test(target)) && !exclude.some((r) => r.test(target));
}
