import { parse as parsePlist } from "plist";
import { Document } from "yaml";
import { PLIST_TYPES, PlistError, type TypedPlist } from "../format/plist.js";
import { parseTypedPlist } from "../format/plist-xml.js";
import { canonicalDomain } from "../resources/defaults/resource.js";
import { typedFromConfig, ValueError } from "../resources/defaults/value.js";
import type { Importer, ImportResult } from "./importer.js";

/*
 * A `.macos`-style shell script (mathiasbynens/dotfiles and its many forks)
 * → system/macos-defaults.yaml. Every `defaults write` becomes a typed key
 * (the type flag it was written with, so `-float 1` stays a float); `killall
 * Dock` becomes restartOnChange when the script writes that app's domain.
 * The script is read, never run: anything else (pmset, chflags, osascript,
 * loops, functions, `defaults delete`) is listed with its line number.
 */

const OUT = "system/macos-defaults.yaml";

/** Processes a .macos script restarts, and the domain whose changes they read. */
const APP_DOMAINS: Record<string, string> = {
  Dock: "com.apple.dock",
  Finder: "com.apple.finder",
  SystemUIServer: "com.apple.systemuiserver",
  Safari: "com.apple.Safari",
  Mail: "com.apple.mail",
  Terminal: "com.apple.Terminal",
  "Activity Monitor": "com.apple.ActivityMonitor",
  Calendar: "com.apple.iCal",
  Contacts: "com.apple.AddressBook",
  Messages: "com.apple.iChat",
  Photos: "com.apple.Photos",
  TextEdit: "com.apple.TextEdit",
  "Google Chrome": "com.google.Chrome",
  Transmission: "org.m0k.transmission",
  ControlCenter: "com.apple.controlcenter",
  cfprefsd: "",
};

/** One shell command as words, with the line it starts on and its text. */
interface Command {
  line: number;
  text: string;
  words: string[];
  /** Why the words are not what the shell would see (a `$var` that is not $HOME), if so. */
  unsure?: string;
}

class Skip extends Error {}

/**
 * Logical lines (backslash continuations joined), each with the number of its
 * first line. A here-document (`osascript <<EOD … EOD`) belongs to its
 * command: its body is not lines of the script, so the command is listed once.
 */
function logicalLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let pending: { line: number; text: string } | null = null;
  let heredoc: { end: string; dash: boolean; entry: { line: number; text: string } } | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    if (heredoc) {
      if ((heredoc.dash ? raw.replace(/^\t+/, "") : raw) === heredoc.end) {
        heredoc.entry.text += ` (here-document to line ${i + 1})`;
        heredoc = null;
      }
      return;
    }
    const cont = /(^|[^\\])(\\\\)*\\$/.test(raw);
    const part = cont ? raw.slice(0, -1) : raw;
    pending = pending
      ? { line: pending.line, text: `${pending.text} ${part.trim()}` }
      : { line: i + 1, text: part };
    if (!cont) {
      out.push(pending);
      const m = /<<(-?)\s*(['"]?)([\w-]+)\2/.exec(pending.text.replace(/#.*$/, ""));
      if (m && !/^\s*#/.test(pending.text))
        heredoc = { end: m[3] as string, dash: m[1] === "-", entry: pending };
      pending = null;
    }
  });
  if (pending) out.push(pending);
  return out;
}

/**
 * Splits a line into commands (at unquoted `;`, `&&`, `||`, `|`, `&`) of
 * shell words, with quotes removed as the shell does; `# comments` dropped.
 */
function commandsOf(line: number, text: string): Command[] {
  const cmds: Command[] = [];
  let words: string[] = [];
  let word: string | null = null;
  let start = 0;
  let unsure: string | undefined;
  const endWord = () => {
    if (word !== null) words.push(word);
    word = null;
  };
  const endCommand = (at: number) => {
    endWord();
    const t = text.slice(start, at).trim();
    if (words.length) cmds.push({ line, text: t, words, unsure });
    words = [];
    unsure = undefined;
  };
  const variable = (i: number): number => {
    const m = /^\$(\{[^}]*\}|[A-Za-z_]\w*|[0-9@*#?$!-]|\(\(?)/.exec(text.slice(i));
    // $HOME too: a default holds the path itself, and ~ is not expanded by the apps that read it.
    unsure = `uses ${m?.[0] ?? "$"}, which only the shell knows: write the value out in the config`;
    word = `${word ?? ""}${m?.[0] ?? "$"}`;
    return (m?.[0].length ?? 1) - 1;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Skip("unterminated quote");
      word = `${word ?? ""}${text.slice(i + 1, end)}`;
      i = end;
    } else if (c === '"') {
      word = word ?? "";
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === "\\" && /["\\$`]/.test(text[i + 1] ?? "")) word += text[++i];
        else if (text[i] === "$") i += variable(i);
        else if (text[i] === "`") unsure = "uses a command substitution";
        else word += text[i];
      }
      if (i >= text.length) throw new Skip("unterminated quote");
    } else if (c === "\\") {
      word = `${word ?? ""}${text[++i] ?? ""}`;
    } else if (c === "$") {
      i += variable(i);
    } else if (c === "`") {
      unsure = "uses a command substitution";
      word = `${word ?? ""}${c}`;
    } else if (c === "~" && word === null && /^~(\/|\s|$)/.test(text.slice(i))) {
      unsure = "uses ~, which the shell expands: write the path out in the config";
      word = "~";
    } else if (c === "#" && word === null) {
      break;
    } else if (/\s/.test(c)) {
      endWord();
    } else if (c === ";" || c === "|" || c === "&") {
      // `2>&1`, `&>`: part of a redirection, not a separator.
      if (c === "&" && (text[i - 1] === ">" || text[i + 1] === ">")) {
        word = `${word ?? ""}${c}`;
        continue;
      }
      endCommand(i);
      if ((c === "&" || c === "|") && text[i + 1] === c) i++;
      start = i + 1;
    } else {
      word = `${word ?? ""}${c}`;
    }
  }
  endCommand(text.length);
  return cmds.map((cmd) => ({ ...cmd, words: withoutRedirections(cmd.words) }));
}

/** `> /dev/null`, `2>&1`, `&>/dev/null` change where output goes, not what the command does. */
function withoutRedirections(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (/^(\d*|&)>>?&?\d*$/.test(w) || /^\d*<$/.test(w)) {
      if (!/&\d$/.test(w)) i++; // the target is the next word
    } else if (!/^(\d*|&)>>?&?\S+$/.test(w)) out.push(w);
  }
  return out;
}

const boolOf = (s: string) =>
  /^(true|yes|1)$/i.test(s) ? true : /^(false|no|0)$/i.test(s) ? false : undefined;

/** A value rep without a type flag, as `defaults` reads it: an XML or old-style plist, else a string. */
function valueRep(text: string): TypedPlist {
  const t = text.trim();
  if (t.startsWith("<")) {
    try {
      return parseTypedPlist(`<plist version="1.0">${t}</plist>`);
    } catch (err) {
      if (!(err instanceof PlistError)) throw err;
      throw new Skip(`its value is not a valid XML property list (${err.message})`);
    }
  }
  if (t.startsWith("(") || t.startsWith("{")) {
    try {
      // Old-style plists have no numbers or booleans: everything in them is a string.
      return typedFromConfig(parsePlist(t), "value");
    } catch {
      return { type: "string", value: text };
    }
  }
  return { type: "string", value: text };
}

/** Typed by flag (`-int 2`), or a value rep; returns the value and how many words it took. */
function typedValue(words: string[], i: number): [TypedPlist, number] {
  const flag = words[i] as string;
  const arg = words[i + 1];
  const need = () => {
    if (arg === undefined) throw new Skip(`${flag} has no value`);
    return arg;
  };
  switch (flag) {
    case "-bool":
    case "-boolean": {
      const b = boolOf(need());
      if (b === undefined) throw new Skip(`-bool ${arg} is not true/false/yes/no`);
      return [{ type: "bool", value: b }, 2];
    }
    case "-int":
    case "-integer": {
      if (!/^[-+]?\d+$/.test(need())) throw new Skip(`-int ${arg} is not an integer`);
      return [{ type: "int", value: Number(arg) }, 2];
    }
    case "-float": {
      const n = Number(need());
      if (!Number.isFinite(n) || (arg as string).trim() === "")
        throw new Skip(`-float ${arg} is not a number`);
      return [{ type: "float", value: n }, 2];
    }
    case "-string":
      return [{ type: "string", value: need() }, 2];
    case "-date": {
      const v = typedOrSkip({ type: "date", value: need() });
      return [v, 2];
    }
    case "-data":
      return [typedOrSkip({ type: "data", value: need() }), 2];
    default:
      return [valueRep(flag), 1];
  }
}

function typedOrSkip(spec: { type: string; value: unknown }): TypedPlist {
  try {
    return typedFromConfig(spec, "value");
  } catch (err) {
    if (err instanceof ValueError) throw new Skip(err.message.replace(/^value: /, ""));
    throw err;
  }
}

function elements(words: string[]): TypedPlist[] {
  const out: TypedPlist[] = [];
  for (let i = 0; i < words.length; ) {
    const [v, used] = typedValue(words, i);
    out.push(v);
    i += used;
  }
  return out;
}

/** A typed value as the config spells it: plain YAML where that is unambiguous, `{ type, value }` elsewhere. */
function configValue(v: TypedPlist): unknown {
  switch (v.type) {
    case "bool":
    case "string":
      return v.value;
    case "int":
      return v.value;
    case "float":
      return Number.isInteger(v.value) ? { type: "float", value: v.value } : v.value;
    case "date":
    case "data":
      return { type: v.type, value: v.value };
    case "array":
      return v.value.map(configValue);
    case "dict": {
      const out = Object.fromEntries(Object.entries(v.value).map(([k, x]) => [k, configValue(x)]));
      // A dict that reads as `{ type, value }` would be taken for a typed value: say it is a dict.
      const keys = Object.keys(out);
      const looksTyped =
        keys.length === 2 &&
        "value" in out &&
        (PLIST_TYPES as readonly unknown[]).includes((out as { type?: unknown }).type);
      return looksTyped ? { type: "dict", value: out } : out;
    }
  }
}

type Section = "defaults" | "currentHostDefaults";

interface Setting {
  section: Section;
  domain: string;
  key: string;
  value: TypedPlist;
  line: number;
}

/** `[sudo] defaults [-currentHost] write <domain> <key> <value…>` → the setting, or Skip with why. */
function defaultsWrite(cmd: Command, settings: Map<string, Setting>): Setting {
  let w = cmd.words[0] === "sudo" ? cmd.words.slice(1) : cmd.words;
  w = w.slice(1); // defaults
  let section: Section = "defaults";
  if (w[0] === "-currentHost") {
    section = "currentHostDefaults";
    w = w.slice(1);
  } else if (w[0] === "-host") throw new Skip("writes another host's defaults (-host)");
  if (w[0] !== "write") throw new Skip("not a defaults write");
  if (cmd.unsure) throw new Skip(cmd.unsure);
  const [, rawDomain, key, ...rest] = w;
  if (!rawDomain || !key) throw new Skip("defaults write without a domain and key");
  if (!rest.length) throw new Skip("writes a whole domain at once; list its keys instead");
  let domain = canonicalDomain(rawDomain).replace(/\.plist$/, "");
  if (domain.startsWith("~/Library/Preferences/")) domain = domain.slice("~/Library/Preferences/".length);
  else if (domain.startsWith("~") || (domain.startsWith("/") && !domain.startsWith("/Library/Preferences/")))
    throw new Skip(`writes the plist file ${rawDomain}, not a preferences domain`);
  const id = `${section}/${domain}/${key}`;
  const [flag, ...args] = rest;
  let value: TypedPlist;
  if (flag === "-array") value = { type: "array", value: elements(args) };
  else if (flag === "-dict" || flag === "-dict-add") {
    const entries: Record<string, TypedPlist> = {};
    for (let i = 0; i < args.length; ) {
      const k = args[i] as string;
      if (i + 1 >= args.length) throw new Skip(`${flag} needs key/value pairs (${k} has no value)`);
      const [v, used] = typedValue(args, i + 1);
      entries[k] = v;
      i += used + 1;
    }
    const before = settings.get(id)?.value;
    if (flag === "-dict-add" && before?.type !== "dict")
      throw new Skip("adds to a dict set before this script ran, which dotops cannot know");
    value = {
      type: "dict",
      value: { ...(flag === "-dict-add" ? (before?.value as object) : {}), ...entries },
    };
  } else if (flag === "-array-add") {
    const before = settings.get(id)?.value;
    if (before?.type !== "array")
      throw new Skip("appends to an array set before this script ran, which dotops cannot know");
    value = { type: "array", value: [...before.value, ...elements(args)] };
  } else {
    const [v, used] = typedValue(rest, 0);
    if (used !== rest.length) throw new Skip(`unexpected ${rest.slice(used).join(" ")} after the value`);
    value = v;
  }
  return { section, domain, key, value, line: cmd.line };
}

/** Why a command that is not a `defaults write` is left out. */
function reasonFor(cmd: Command): string {
  const w = cmd.words[0] === "sudo" && !cmd.words[1]?.startsWith("-") ? cmd.words.slice(1) : cmd.words;
  const [name, sub] = w;
  if (name === "defaults" && (sub === "delete" || w[2] === "delete"))
    return "deletes a key: dotops only sets keys (and deletes the ones it created when they leave the config)";
  if (name === "defaults") return `defaults ${sub ?? ""} does not set anything`;
  if (
    /^(if|then|else|elif|fi|for|while|until|do|done|case|esac|function|\{|\}|\(|\)|return|exit|local)$/.test(
      name ?? "",
    ) ||
    /\(\)$/.test(name ?? "")
  )
    return "shell control flow: dotops config has none";
  if (name === "osascript") return "runs AppleScript: not a setting dotops manages";
  if (name === "killall") return "restarts an app whose domain this script does not write";
  return `${name} is not a defaults write: run it yourself, or manage it another way`;
}

export function convertMacosScript(text: string): ImportResult {
  const skipped: ImportResult["skipped"] = [];
  const settings = new Map<string, Setting>();
  const kills: Command[] = [];
  for (const logical of logicalLines(text)) {
    if (!logical.text.trim() || /^\s*#/.test(logical.text)) continue;
    let cmds: Command[];
    try {
      cmds = commandsOf(logical.line, logical.text);
    } catch (err) {
      if (!(err instanceof Skip)) throw err;
      skipped.push({ line: logical.line, text: logical.text, reason: err.message });
      continue;
    }
    const lineSkips: ImportResult["skipped"] = [];
    let writes = 0;
    for (const cmd of cmds) {
      const w = cmd.words[0] === "sudo" ? cmd.words.slice(1) : cmd.words;
      if (w[0] === "defaults" && (w[1] === "write" || (w[1] === "-currentHost" && w[2] === "write"))) {
        writes++;
        try {
          const s = defaultsWrite(cmd, settings);
          settings.set(`${s.section}/${s.domain}/${s.key}`, s);
        } catch (err) {
          if (!(err instanceof Skip)) throw err;
          skipped.push({ line: cmd.line, text: cmd.text, reason: err.message });
        }
      } else if (w[0] === "killall" && !cmd.unsure) kills.push(cmd);
      else if (w[0] === "true" || w[0] === ":") continue;
      else
        lineSkips.push({
          line: cmd.line,
          text: cmd.text,
          reason: cmd.unsure && w[0] === "killall" ? cmd.unsure : reasonFor(cmd),
        });
    }
    // A line of other commands only (a loop, `a && b`) is listed once, as written.
    if (!writes && lineSkips.length > 1 && lineSkips.length === cmds.length)
      skipped.push({
        line: logical.line,
        text: logical.text.trim(),
        reason: (lineSkips[0] as { reason: string }).reason,
      });
    else skipped.push(...lineSkips);
  }

  const written = new Set([...settings.values()].map((s) => s.domain));
  const restartOnChange: Record<string, string> = {};
  for (const cmd of kills) {
    const names = cmd.words.slice(1).filter((a) => !a.startsWith("-"));
    for (const name of names) {
      const known = APP_DOMAINS[name];
      const guess = [...written].filter((d) => d.toLowerCase().endsWith(`.${name.toLowerCase()}`));
      const domain = known && written.has(known) ? known : guess.length === 1 ? guess[0] : undefined;
      if (domain) restartOnChange[domain] = name;
      else
        skipped.push({
          line: cmd.line,
          text: cmd.text,
          reason:
            known === ""
              ? `${name} is restarted to flush preferences: dotops writes through defaults, nothing to flush`
              : `which domain ${name} reads is not clear (the script writes none that is plainly its)`,
        });
    }
  }

  const out: Record<string, Record<string, Record<string, unknown>>> = {};
  const sorted = [...settings.values()].sort((a, b) => a.line - b.line);
  for (const s of sorted) {
    const section = out[s.section] ?? {};
    section[s.domain] = { ...section[s.domain], [s.key]: configValue(s.value) };
    out[s.section] = section;
  }
  const doc = new Document({ ...out, ...(Object.keys(restartOnChange).length ? { restartOnChange } : {}) });
  doc.commentBefore = " Imported from a .macos script by `dotops import macos-script`.";
  const counts: Record<string, number> = {};
  for (const s of sorted) counts[s.section] = (counts[s.section] ?? 0) + 1;
  if (Object.keys(restartOnChange).length) counts.restartOnChange = Object.keys(restartOnChange).length;
  return {
    files: sorted.length ? { [OUT]: doc.toString({ lineWidth: 0 }) } : {},
    skipped: skipped.sort((a, b) => a.line - b.line),
    counts,
  };
}

/** A `.macos`-style shell script of `defaults write` lines → system/macos-defaults.yaml. */
export const macosScriptImporter: Importer = {
  convert: (text) => convertMacosScript(text),
};
