import type { Path } from "../../config/yaml.js";
import type { GitIni, GitOptions } from "./git.schema.js";
import { header, lines, type ProgramContext } from "./program.js";

type Scalar = string | number | boolean;

/** One `[section "subsection"]` with its keys in order; `from` says which option set each key. */
interface Section {
  name: string;
  sub?: string;
  entries: { key: string; value: Scalar; from: Path }[];
}

/**
 * programs.git → ~/.config/git/config (git reads it beside ~/.gitconfig),
 * ~/.config/git/ignore and ~/.config/git/attributes (git's defaults for
 * core.excludesFile and core.attributesFile, so nothing has to point at them).
 */
export function gitProgram(p: ProgramContext, options: GitOptions): void {
  const o = p.render(options);
  const sections: Section[] = [];
  const section = (name: string, sub?: string): Section => {
    const found = sections.find((s) => s.name.toLowerCase() === name.toLowerCase() && s.sub === sub);
    if (found) return found;
    const s: Section = { name, sub, entries: [] };
    sections.push(s);
    return s;
  };
  const set = (name: string, sub: string | undefined, key: string, value: Scalar, from: Path) =>
    section(name, sub).entries.push({ key, value, from });

  // Identity: the user-config defaults give way to extraConfig's user.name; options do not.
  const userName = o.userName ?? p.config.user.name;
  const userEmail = o.userEmail ?? p.config.user.email;
  const defaults = new Set<string>();
  if (userName !== undefined) {
    set("user", undefined, "name", userName, ["userName"]);
    if (o.userName === undefined) defaults.add("user.name");
  }
  if (userEmail !== undefined) {
    set("user", undefined, "email", userEmail, ["userEmail"]);
    if (o.userEmail === undefined) defaults.add("user.email");
  }

  if (o.signing) {
    const s = o.signing;
    const format = s.format ?? "openpgp";
    if (s.key) set("user", undefined, "signingKey", s.key, ["signing", "key"]);
    if (s.format) set("gpg", undefined, "format", s.format, ["signing", "format"]);
    if (s.signer) {
      if (format === "openpgp") set("gpg", undefined, "program", s.signer, ["signing", "signer"]);
      else set("gpg", format, "program", s.signer, ["signing", "signer"]);
    }
    if (s.signByDefault !== undefined) {
      set("commit", undefined, "gpgSign", s.signByDefault, ["signing", "signByDefault"]);
      set("tag", undefined, "gpgSign", s.signByDefault, ["signing", "signByDefault"]);
    }
  }

  for (const [name, command] of Object.entries(o.aliases ?? {})) {
    if (!validKey(name)) {
      p.problem(`git alias "${name}" is not a valid name: letters, digits and -, starting with a letter`, [
        "aliases",
        name,
      ]);
      continue;
    }
    set("alias", undefined, name, command, ["aliases", name]);
  }

  const includes: Section[] = [];
  o.includes?.forEach((inc, i) => {
    const at: Path = ["includes", i];
    if (inc.condition !== undefined && !validSubsection(inc.condition)) {
      p.problem("an include condition cannot hold a newline or NUL", [...at, "condition"]);
      return;
    }
    includes.push(
      inc.condition === undefined
        ? { name: "include", entries: [{ key: "path", value: inc.path, from: [...at, "path"] }] }
        : {
            name: "includeIf",
            sub: inc.condition,
            entries: [{ key: "path", value: inc.path, from: [...at, "path"] }],
          },
    );
  });

  let rawExtra: string | undefined;
  if (typeof o.extraConfig === "string") rawExtra = o.extraConfig;
  else if (o.extraConfig) addIni(p, o.extraConfig, set, sections, defaults);

  for (const s of [...sections, ...includes]) checkValues(p, s);

  const body = [...sections, ...includes]
    .filter((s) => s.entries.length)
    .map((s) => {
      const head = s.sub === undefined ? `[${s.name}]` : `[${s.name} "${escapeSubsection(s.sub)}"]`;
      return [head, ...s.entries.map((e) => `\t${e.key} = ${formatValue(e.value)}`)].join("\n");
    });
  p.link("~/.config/git/config", lines([header("#", "programs.git"), ...body, rawExtra]));

  if (o.ignores?.length) p.link("~/.config/git/ignore", listFile(p, o.ignores, "ignores"), ["ignores"]);
  if (o.attributes?.length)
    p.link("~/.config/git/attributes", listFile(p, o.attributes, "attributes"), ["attributes"]);
}

/** extraConfig's sections; a key an option already sets is a problem naming both (a user-config default gives way). */
function addIni(
  p: ProgramContext,
  ini: GitIni,
  set: (name: string, sub: string | undefined, key: string, value: Scalar, from: Path) => void,
  sections: Section[],
  defaults: Set<string>,
): void {
  const add = (name: string, sub: string | undefined, key: string, value: Scalar | Scalar[], from: Path) => {
    if (!validKey(key)) {
      p.problem(
        `"${key}" is not a valid git config key: letters, digits and -, starting with a letter`,
        from,
      );
      return;
    }
    const s = sections.find((x) => x.name.toLowerCase() === name.toLowerCase() && x.sub === sub);
    const taken = s?.entries.find((e) => e.key.toLowerCase() === key.toLowerCase());
    if (taken && s) {
      const dotted = `${name}.${sub === undefined ? "" : `${sub}.`}${key}`.toLowerCase();
      if (defaults.has(dotted)) s.entries = s.entries.filter((e) => e !== taken);
      else {
        p.problem(
          `extraConfig sets ${dotted}, which programs.git.${taken.from.join(".")} sets too: set it in one place`,
          from,
        );
        return;
      }
    }
    for (const v of Array.isArray(value) ? value : [value]) set(name, sub, key, v, from);
  };
  for (const [name, keys] of Object.entries(ini)) {
    if (!/^[A-Za-z0-9-]+$/.test(name)) {
      p.problem(
        `"${name}" is not a valid git config section: letters, digits and - (a subsection is a nested map)`,
        ["extraConfig", name],
      );
      continue;
    }
    for (const [key, value] of Object.entries(keys)) {
      const from: Path = ["extraConfig", name, key];
      if (typeof value === "object" && !Array.isArray(value)) {
        if (!validSubsection(key)) {
          p.problem("a git config subsection cannot hold a newline or NUL", from);
          continue;
        }
        for (const [k, v] of Object.entries(value)) add(name, key, k, v, [...from, k]);
      } else add(name, undefined, key, value, from);
    }
  }
}

function checkValues(p: ProgramContext, s: Section): void {
  for (const e of s.entries)
    if (typeof e.value === "string" && e.value.includes("\0"))
      p.problem("a git config value cannot hold a NUL byte", e.from);
}

function listFile(p: ProgramContext, items: string[], option: string): string {
  items.forEach((item, i) => {
    if (/[\n\r]/.test(item)) p.problem("one pattern per entry: no newlines", [option, i]);
  });
  return lines([header("#", `programs.git.${option}`), ...items]);
}

/** Git's variable names: alphanumerics and -, starting with a letter. */
const validKey = (key: string) => /^[A-Za-z][A-Za-z0-9-]*$/.test(key);
const validSubsection = (sub: string) => !/[\n\0]/.test(sub);
const escapeSubsection = (sub: string) => sub.replace(/[\\"]/g, (c) => `\\${c}`);

/**
 * A value as git reads it back byte for byte: bare when it can be, else
 * double-quoted with \ " and control characters escaped (git's own rules:
 * quotes keep leading/trailing space and the comment characters # and ;).
 */
export function formatValue(value: Scalar): string {
  if (typeof value !== "string") return String(value);
  const escaped = value.replace(/[\\"\n\t\b]/g, (c) =>
    c === "\n" ? "\\n" : c === "\t" ? "\\t" : c === "\b" ? "\\b" : `\\${c}`,
  );
  const needsQuotes = value === "" || /^\s|\s$|[#;]/.test(value) || escaped !== value;
  return needsQuotes ? `"${escaped}"` : value;
}
