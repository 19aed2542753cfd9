import { stringify } from "yaml";
import type { HomebrewConfig } from "../resources/homebrew/schema.js";
import type { Importer, ImportResult } from "./importer.js";

/*
 * A Brewfile is Ruby (Homebrew Bundle's DSL). The lines `brew bundle dump`
 * writes are calls with literal arguments: `tap "u/r"`, `brew "x", args:
 * ["HEAD"], restart_service: :changed, link: false`, `cask "y", args: {
 * appdir: "~/Applications" }`, `mas "Xcode", id: 497799835`. Those map to
 * `homebrew:`; anything else (other package managers, Ruby conditionals and
 * code, options dotops has no field for) is listed with its line, never
 * dropped silently.
 */

type Value = string | number | boolean | Value[] | { [k: string]: Value };

class Unparsable extends Error {}

/** Reads the Ruby literals a Brewfile uses: strings, symbols, numbers, true/false, arrays, hashes. */
class LiteralReader {
  i = 0;
  constructor(readonly s: string) {}

  ws() {
    while (this.i < this.s.length && /\s/.test(this.s[this.i] as string)) this.i++;
  }
  peek() {
    this.ws();
    return this.s[this.i];
  }
  eat(ch: string): boolean {
    if (this.peek() !== ch) return false;
    this.i++;
    return true;
  }
  done() {
    this.ws();
    return this.i >= this.s.length;
  }
  string(): string {
    const q = this.s[this.i] as string;
    let out = "";
    for (this.i++; this.i < this.s.length; this.i++) {
      const ch = this.s[this.i] as string;
      if (ch === "\\") out += this.s[++this.i] ?? "";
      else if (ch === q) {
        this.i++;
        return out;
      } else if (q === '"' && ch === "#" && this.s[this.i + 1] === "{")
        throw new Unparsable("string interpolation");
      else out += ch;
    }
    throw new Unparsable("unterminated string");
  }
  value(): Value {
    const ch = this.peek();
    if (ch === '"' || ch === "'") return this.string();
    if (ch === "[") {
      this.i++;
      const items: Value[] = [];
      while (!this.eat("]")) {
        items.push(this.value());
        if (!this.eat(",") && this.peek() !== "]") throw new Unparsable("malformed array");
      }
      return items;
    }
    if (ch === "{") {
      this.i++;
      const hash: Record<string, Value> = {};
      while (!this.eat("}")) {
        const [k, v] = this.pair();
        hash[k] = v;
        if (!this.eat(",") && this.peek() !== "}") throw new Unparsable("malformed hash");
      }
      return hash;
    }
    const m = /^(:?[A-Za-z_]\w*[?!]?|-?\d+(?:\.\d+)?)/.exec(this.s.slice(this.i));
    if (!m) throw new Unparsable(`unexpected ${JSON.stringify(this.s.slice(this.i, this.i + 12))}`);
    this.i += m[0].length;
    const word = m[0];
    if (word === "true" || word === "false") return word === "true";
    if (/^-?\d/.test(word)) return Number(word);
    if (word.startsWith(":")) return word.slice(1);
    throw new Unparsable(`Ruby code (${word})`);
  }
  /** `key: value`, `:key => value` or `"key" => value`. */
  pair(): [string, Value] {
    this.ws();
    const rest = this.s.slice(this.i);
    const m = /^([A-Za-z_]\w*):(?!:)/.exec(rest);
    if (m) {
      this.i += m[0].length;
      return [m[1] as string, this.value()];
    }
    const key = this.value();
    this.ws();
    if (typeof key !== "string" || !this.s.startsWith("=>", this.i)) throw new Unparsable("malformed option");
    this.i += 2;
    return [key, this.value()];
  }
}

/** One call: `brew "x", key: v, ...` (parentheses allowed) → its name, positional values and options. */
function parseCall(text: string): { verb: string; args: Value[]; opts: Record<string, Value> } {
  const m = /^([a-z_]+)\s*(\(?)(.*?)(\)?)\s*$/.exec(text);
  if (!m?.[1]) throw new Unparsable("not a Brewfile entry");
  if ((m[2] === "(") !== (m[4] === ")")) throw new Unparsable("unbalanced parentheses");
  const r = new LiteralReader(m[3] ?? "");
  const args: Value[] = [];
  const opts: Record<string, Value> = {};
  while (!r.done()) {
    r.ws();
    if (/^([A-Za-z_]\w*):(?!:)|^:[A-Za-z_]\w*\s*=>/.test(r.s.slice(r.i))) {
      const [k, v] = r.pair();
      opts[k] = v;
    } else args.push(r.value());
    if (!r.eat(",") && !r.done()) throw new Unparsable("expected a comma");
  }
  return { verb: m[1], args, opts };
}

/** Strips a trailing `# comment` outside strings. */
function stripComment(line: string): string {
  let q: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) {
      if (ch === "\\") i++;
      else if (ch === q) q = null;
    } else if (ch === '"' || ch === "'") q = ch;
    else if (ch === "#") return line.slice(0, i);
  }
  return line;
}

const OTHER_MANAGERS: Record<string, string> = {
  vscode: "a VS Code extension",
  whalebrew: "a whalebrew image",
  go: "a Go package",
  cargo: "a Rust crate",
  uv: "a uv tool",
  npm: "an npm package",
  flatpak: "a Flatpak",
  krew: "a kubectl plugin",
};

/** Brewfile args (`["HEAD", "with-x"]` or `{ appdir: "~/Apps" }`) → `brew install` flags. */
function installFlags(v: Value): string[] {
  const flag = (k: string) => (k.startsWith("-") ? k : `--${k}`);
  if (Array.isArray(v)) return v.map((x) => flag(String(x)));
  // Hash keys are Ruby symbols: `no_quarantine: true` is `--no-quarantine`.
  const key = (k: string) => flag(k.replace(/_/g, "-"));
  if (typeof v === "object")
    return Object.entries(v).flatMap(([k, x]) =>
      x === true ? [key(k)] : x === false ? [] : [`${key(k)}=${x}`],
    );
  return [flag(String(v))];
}

type Entry = Exclude<NonNullable<HomebrewConfig["brews"]>[number], string>;
type CaskEntry = Exclude<NonNullable<HomebrewConfig["casks"]>[number], string>;

/**
 * rcmdnk/brew-file writes its Brewfile without Ruby: `brew bash`, `tap
 * homebrew/core`, `appstore 497799835 Xcode (10.0)`. Such a line becomes the
 * Homebrew Bundle line it means (extra words of a brew are install
 * arguments); other lines are left to the Ruby reader.
 */
function fromBrewFileTool(line: string): string | { skip: string } | undefined {
  const store = /^appstore\s+(?:(\d+)\s+)?(.+?)(?:\s+\([^()]*\))?$/.exec(line);
  if (store) {
    const [, id, name] = store;
    if (!id) return { skip: "appstore entry without an App Store id: find it with `mas search`" };
    return `mas ${JSON.stringify(name)}, id: ${id}`;
  }
  const m = /^(tap|brew|cask)\s+([\w@.+/-]+)((?:\s+--?[\w-]+(?:=\S+)?)*)\s*$/.exec(line);
  if (!m) return undefined;
  const [, verb, name, rest] = m;
  const args = (rest ?? "").trim().split(/\s+/).filter(Boolean);
  return `${verb} ${JSON.stringify(name)}${args.length ? `, args: ${JSON.stringify(args)}` : ""}`;
}

function convert(text: string): ImportResult {
  const hb: Required<Pick<HomebrewConfig, "taps" | "brews" | "casks">> & { mas: Record<string, number> } = {
    taps: [],
    brews: [],
    casks: [],
    mas: {},
  };
  const skipped: ImportResult["skipped"] = [];
  const skip = (line: number, t: string, reason: string): void => {
    skipped.push({ line, text: t, reason });
  };
  /** Open Ruby blocks (`if OS.mac?` … `end`): their entries depend on code dotops does not run. */
  const blocks: { line: number; text: string }[] = [];
  const lines = text.split(/\r?\n/);
  /** Converts one line into `hb`; returns why it was not converted, if it was not. */
  const entry = (raw: string, n: number): string | undefined => {
    const line = stripComment(raw).trim();
    if (!line) return undefined;
    if (/^end\b/.test(line)) {
      return blocks.pop() ? undefined : "Ruby code: an `end` without a block";
    }
    if (/^(if|unless|case|while|until|begin)\b|\bdo(\s*\|[^|]*\|)?\s*$/.test(line)) {
      blocks.push({ line: n, text: line });
      return "Ruby conditional or block: dotops config has no code; put host-specific entries in a host's imports";
    }
    if (/^(else|elsif|when)\b/.test(line)) return "Ruby conditional branch";
    const inBlock = blocks.at(-1);
    if (inBlock)
      return `inside the Ruby block at line ${inBlock.line} (${inBlock.text}): left out, decide where it belongs`;
    if (/\s(if|unless)\s/.test(line))
      return "Ruby conditional: dotops config has no code; put host-specific entries in a host's imports";
    const bare = fromBrewFileTool(line);
    if (typeof bare === "object") return bare.skip;
    let call: ReturnType<typeof parseCall>;
    try {
      call = parseCall(bare ?? line);
    } catch (err) {
      return err instanceof Unparsable ? `not converted: ${err.message}` : String(err);
    }
    const { verb, args, opts } = call;
    const name = args[0];
    /** Options dotops has no field for: listed, the entry itself is imported. */
    const unknownOpts = (known: string[]): undefined => {
      for (const k of Object.keys(opts))
        if (!known.includes(k))
          skip(n, raw, `option ${k}: no dotops equivalent (the entry is imported without it)`);
      return undefined;
    };
    if (OTHER_MANAGERS[verb]) return `${OTHER_MANAGERS[verb]}: not managed by dotops' homebrew`;
    if (verb === "cask_args")
      return "cask_args: add the flags to each cask's args (dotops has no global cask arguments)";
    if (!["tap", "brew", "cask", "mas"].includes(verb)) return `unknown Brewfile entry "${verb}"`;
    if (typeof name !== "string") return `${verb} needs a name in quotes`;
    if (verb === "tap") {
      const url =
        typeof args[1] === "string"
          ? args[1]
          : typeof opts.clone_target === "string"
            ? opts.clone_target
            : undefined;
      hb.taps.push(url ? { name, url } : name);
      return unknownOpts(["clone_target"]);
    }
    if (verb === "brew") {
      const e: Entry = { name };
      if (opts.args !== undefined) e.args = installFlags(opts.args);
      if (opts.restart_service !== undefined)
        e.restartService = opts.restart_service === "changed" ? "changed" : opts.restart_service === true;
      if (typeof opts.link === "boolean") e.link = opts.link;
      hb.brews.push(Object.keys(e).length > 1 ? e : name);
      return unknownOpts(["args", "restart_service", "link"]);
    }
    if (verb === "cask") {
      const e: CaskEntry = { name };
      if (opts.args !== undefined) e.args = installFlags(opts.args);
      if (typeof opts.greedy === "boolean") e.greedy = opts.greedy;
      hb.casks.push(Object.keys(e).length > 1 ? e : name);
      return unknownOpts(["args", "greedy"]);
    }
    const id = opts.id;
    if (typeof id !== "number" || !Number.isInteger(id) || id <= 0) return "mas needs id: <App Store id>";
    hb.mas[name] = id;
    return unknownOpts(["id"]);
  };
  lines.forEach((raw, idx) => {
    const why = entry(raw, idx + 1);
    if (why) skip(idx + 1, raw, why);
  });
  for (const b of blocks) skip(b.line, b.text, "Ruby block without its `end`");
  skipped.sort((a, b) => a.line - b.line);

  const homebrew: Record<string, unknown> = {};
  for (const k of ["taps", "brews", "casks"] as const) if (hb[k].length) homebrew[k] = hb[k];
  if (Object.keys(hb.mas).length) homebrew.mas = hb.mas;
  const yaml = `# Imported from a Brewfile (dotops import brewfile). cleanup: none leaves what is not listed installed.\n${stringify(
    { homebrew: { ...homebrew, cleanup: "none" } },
    { lineWidth: 0 },
  )}`;
  return {
    files: { "system/homebrew.yaml": yaml },
    skipped,
    counts: {
      taps: hb.taps.length,
      brews: hb.brews.length,
      casks: hb.casks.length,
      "mas apps": Object.keys(hb.mas).length,
    },
  };
}

/** A Brewfile (Homebrew Bundle) → system/homebrew.yaml. */
export const brewfileImporter: Importer = {
  convert: (text) => convert(text),
};

const q = (s: string) => JSON.stringify(s);

/** `brew install` flags → a Brewfile `args:` value (the dashes dropped, as Homebrew Bundle writes them). */
function brewfileArgs(flags: string[], asHash: boolean): string {
  const bare = flags.map((f) => f.replace(/^--?/, ""));
  if (!asHash) return `[${bare.map(q).join(", ")}]`;
  const pairs = bare.map((f) => {
    const [k, ...v] = f.split("=");
    return `${(k as string).replace(/-/g, "_")}: ${v.length ? q(v.join("=")) : "true"}`;
  });
  return `{ ${pairs.join(", ")} }`;
}

/** The config's `homebrew:` as a Brewfile, in `brew bundle dump`'s order (taps, brews, casks, mas). */
export function toBrewfile(hb: HomebrewConfig): string {
  const out: string[] = [];
  for (const t of hb.taps ?? [])
    out.push(typeof t === "string" ? `tap ${q(t)}` : `tap ${q(t.name)}${t.url ? `, ${q(t.url)}` : ""}`);
  for (const b of hb.brews ?? []) {
    if (typeof b === "string") {
      out.push(`brew ${q(b)}`);
      continue;
    }
    const opts = [
      b.args?.length ? `args: ${brewfileArgs(b.args, false)}` : "",
      b.restartService === "changed"
        ? "restart_service: :changed"
        : b.restartService !== undefined
          ? `restart_service: ${b.restartService}`
          : "",
      b.link !== undefined ? `link: ${b.link}` : "",
    ].filter(Boolean);
    out.push([`brew ${q(b.name)}`, ...opts].join(", "));
  }
  for (const c of hb.casks ?? []) {
    if (typeof c === "string") {
      out.push(`cask ${q(c)}`);
      continue;
    }
    const opts = [
      c.args?.length ? `args: ${brewfileArgs(c.args, true)}` : "",
      c.greedy !== undefined ? `greedy: ${c.greedy}` : "",
    ].filter(Boolean);
    out.push([`cask ${q(c.name)}`, ...opts].join(", "));
  }
  for (const [name, id] of Object.entries(hb.mas ?? {})) out.push(`mas ${q(name)}, id: ${id}`);
  const cleanup =
    hb.cleanup && hb.cleanup !== "none"
      ? [
          `# cleanup: ${hb.cleanup} — run \`brew bundle --cleanup${hb.cleanup === "zap" ? " --zap" : ""}\` for the same effect`,
        ]
      : [];
  return `${["# Written by dotops export brewfile from the config's homebrew: section", ...cleanup, ...out].join("\n")}\n`;
}
