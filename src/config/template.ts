import { Liquid, LiquidError } from "liquidjs";
import { ConfigError, type Origin } from "../errors.js";
import { isSecretRef } from "./secret.js";

export type TemplateContext = Record<string, unknown>;

/** What one render may cost (see the engine below). */
export const TEMPLATE_LIMITS = {
  /** liquidjs memory units: range elements (so loop iterations) and characters through filters. */
  memory: 250_000,
  /** Characters a render may produce (a loop repeats its body: 500 × 500 × 1 KB is 250 MB). */
  outputChars: 16 * 1024 * 1024,
  /** Milliseconds of rendering: far beyond any dotfile's few, short of a stuck apply. */
  renderMs: 5_000,
} as const;

/**
 * What templates may ask of the machine. Modules are pure, so these never do
 * I/O themselves: a MachineFacts store (machine.ts) answers what it knows and
 * records the rest for the next round, like `!secret` files; without a machine
 * (`check`, `plan --from --to`) they answer placeholders.
 */
export interface TemplateFunctions {
  /** `{{ "EDITOR" | env }}`: the variable, or nil when unset. */
  env(name: string): string | null;
  /** `{{ "nvim" | lookPath }}`: where the command is on PATH, or nil. */
  lookPath(name: string): string | null;
  /** `{{ "uname" | output: "-s" }}`: what the command prints, trailing newlines trimmed; throws when it fails. */
  output(cmd: string, args: string[]): string;
  /** `{{ hostname }}`: this machine's short hostname. */
  hostname(): string;
}

/**
 * Liquid (Shopify's template language, the liquidjs engine): `{{ user.email }}`
 * as before, plus `{% if %}`, `{% for %}`, filters and the functions above.
 * Strict: an undefined name or filter is an error (a missing name in an `if`
 * or before `| default:` is false/nil, so optional values can be tested).
 * A literal `{{` is written `{{ "{{" }}` or inside `{% raw %}…{% endraw %}`.
 */
const engine = new Liquid({
  strictVariables: true,
  strictFilters: true,
  lenientIf: true,
  ownPropertyOnly: true,
  cache: false,
  // A config repo is untrusted input (`check` runs on pull requests from forks): liquidjs's
  // own DoS limits. Ranges and filters are charged against memoryLimit, so `(1..1000000000)`
  // is refused before it is built; renderLimit (ms) stops any other loop that runs away.
  memoryLimit: TEMPLATE_LIMITS.memory,
  renderLimit: TEMPLATE_LIMITS.renderMs,
});

/**
 * Liquid's include, render and layout read template files from the file system,
 * relative to the working directory: `{% include "../../.ssh/id_ed25519" %}`
 * would put a machine's file into a plan (a PR comment). Templates read no files;
 * the tags are refused where they stand.
 */
for (const tag of ["include", "render", "layout"])
  engine.registerTag(tag, {
    parse() {
      throw new OwnError(
        `{% ${tag} %} is not supported: templates cannot read other files; put shared text in vars, or give it a file entry of its own`,
      );
    },
    render() {},
  });

/** The functions in effect for the render in progress (rendering is synchronous). */
let active: TemplateFunctions | undefined;
const fn = (): TemplateFunctions => {
  if (!active) throw new Error("template functions are not available here");
  return active;
};
/** An error of ours (a function's, an unavailable secret): its message is the whole story. */
class OwnError extends Error {}
const own =
  <A extends unknown[], R>(f: (...args: A) => R) =>
  (...args: A): R => {
    try {
      return f(...args);
    } catch (err) {
      throw new OwnError((err as Error).message);
    }
  };
engine.registerFilter(
  "env",
  own((name: unknown) => fn().env(String(name))),
);
engine.registerFilter(
  "lookPath",
  own((name: unknown) => fn().lookPath(String(name))),
);
engine.registerFilter(
  "output",
  own((cmd: unknown, ...args: unknown[]) => fn().output(String(cmd), args.map(String))),
);

/** Placeholders where no machine is involved (`check`, a plan between two commits), as for secrets. */
export const placeholderFunctions: TemplateFunctions = {
  env: (name) => `«env ${name}»`,
  lookPath: (name) => `«lookPath ${name}»`,
  output: (cmd, args) => `«output ${[cmd, ...args].join(" ")}»`,
  hostname: () => "«hostname»",
};

/**
 * Renders a Liquid template. An undefined name is an error pointing at its
 * `{{` (file:line:col), never an empty string. Context values that are
 * `!secret` references are resolved through `secret` only when the template
 * reads them. `os` is the host's platform, `hostname` the machine's name.
 */
export function renderTemplate(
  text: string,
  ctx: TemplateContext,
  where: Origin,
  /** Gives a `!secret` value (or a placeholder for it); undefined when it cannot be found. */
  secret?: (ref: string) => string | undefined,
  functions: TemplateFunctions = placeholderFunctions,
): string {
  const scope = withSecrets(ctx, secret);
  const platform = (ctx.host as { platform?: string } | undefined)?.platform;
  const globals: Record<string, unknown> = {};
  if (platform !== undefined) globals.os = platform;
  Object.defineProperty(globals, "hostname", { enumerable: true, get: () => functions.hostname() });
  const before = active;
  active = functions;
  try {
    const out: string = engine.parseAndRenderSync(text, scope, { globals });
    // Checked before anything reads the text: until then a repeated body is a cheap rope of references.
    if (out.length > TEMPLATE_LIMITS.outputChars)
      throw new ConfigError([
        {
          message: `template renders ${out.length} characters; the limit is ${TEMPLATE_LIMITS.outputChars} (a loop repeating a large body?)`,
          origin: where,
        },
      ]);
    return out;
  } catch (err) {
    throw templateError(err, text, ctx, where);
  } finally {
    active = before;
  }
}

/** A copy of `ctx` whose `!secret` values are getters: only secrets the template reads are looked up. */
function withSecrets(
  ctx: TemplateContext,
  secret?: (ref: string) => string | undefined,
  prefix = "",
): TemplateContext {
  const out: TemplateContext = {};
  for (const [key, value] of Object.entries(ctx)) {
    if (isSecretRef(value)) {
      Object.defineProperty(out, key, {
        enumerable: true,
        get() {
          let v: string | undefined;
          try {
            v = secret?.(value.$secret);
          } catch (err) {
            throw new OwnError((err as Error).message); // a refused secret: its message is the whole story
          }
          if (v !== undefined) return v;
          throw new OwnError(
            secret
              ? `secret ${value.$secret} (for {{ ${prefix}${key} }}) is not available on this machine: ${
                  value.$secret.startsWith("env:") ? "set the environment variable" : "create the file"
                }`
              : `secret ${value.$secret} cannot be used here`,
          );
        },
      });
    } else if (typeof value === "object" && value !== null && !Array.isArray(value))
      out[key] = withSecrets(value as TemplateContext, secret, `${prefix}${key}.`);
    else out[key] = value;
  }
  return out;
}

function templateError(err: unknown, text: string, ctx: TemplateContext, where: Origin): unknown {
  if (!(err instanceof LiquidError)) return err;
  const [line = 1, col = 1] = err.token?.getPosition() ?? [];
  const cause = innermost(err);
  const origin = tagStart(text, line, col, where);
  const undefinedName = /^undefined variable: (.+)$/.exec(cause.message)?.[1];
  let message = cause.message.replace(/, line:\d+, col:\d+$/, "");
  if (undefinedName)
    message = `undefined template value {{ ${undefinedName} }} (known: ${knownNames(ctx).join(", ") || "none"})`;
  else if (/^(memory alloc|template render) limit exceeded$/.test(message))
    message = `template: ${message === "memory alloc limit exceeded" ? `it builds more than ${TEMPLATE_LIMITS.memory} values or characters` : `it renders for more than ${TEMPLATE_LIMITS.renderMs / 1000} s`} (a loop over a huge range?): refused`;
  else if (/^undefined filter: /.test(message))
    message = `${message} (functions: env, lookPath, output; and Liquid's own filters)`;
  // Liquid's own (syntax) errors say so; a function's or secret's error speaks for itself.
  else if (!(cause instanceof OwnError)) message = `template: ${message}`;
  return new ConfigError([{ message, origin }]);
}

/** The error a Liquid error wraps (a filter's or getter's own), else the Liquid error itself. */
function innermost(err: LiquidError): Error {
  let e: Error = err;
  for (let i = 0; i < 8; i++) {
    const inner: unknown = (e as LiquidError).originalError;
    if (!(inner instanceof Error)) break;
    e = inner;
  }
  return e;
}

/**
 * Where the `{{` or `{%` holding line:col starts (Liquid points at the name
 * inside), relative to where the text starts. Every line starts at
 * `where.col`: column 1 for a file, the indentation for a YAML block scalar.
 */
function tagStart(text: string, line: number, col: number, where: Origin): Origin {
  const lines = text.split("\n");
  let offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + col - 1;
  const open = Math.max(text.lastIndexOf("{{", offset), text.lastIndexOf("{%", offset));
  const close = Math.max(text.lastIndexOf("}}", offset - 1), text.lastIndexOf("%}", offset - 1));
  if (open >= 0 && open > close) offset = open;
  const before = text.slice(0, offset).split("\n");
  const l = before.length;
  const c = (before[before.length - 1]?.length ?? 0) + 1;
  return { file: where.file, line: where.line + l - 1, col: where.col + c - 1 };
}

function knownNames(ctx: TemplateContext, prefix = ""): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(ctx)) {
    if (typeof v === "object" && v !== null && !isSecretRef(v) && !Array.isArray(v))
      out.push(...knownNames(v as TemplateContext, `${prefix}${k}.`));
    else out.push(`${prefix}${k}`);
  }
  return out.sort();
}
