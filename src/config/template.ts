import { ConfigError, type Origin } from "../errors.js";
import { isSecretRef } from "./secret.js";

export type TemplateContext = Record<string, unknown>;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)\s*\}\}/g;

/**
 * Renders `{{ user.email }}`-style placeholders. An undefined name is an error
 * pointing at the placeholder (file:line:col), never an empty string.
 */
export function renderTemplate(
  text: string,
  ctx: TemplateContext,
  where: Origin,
  /** Gives a `!secret` value (or a placeholder for it); undefined when it cannot be found. */
  secret?: (ref: string) => string | undefined,
): string {
  const problems: { message: string; origin: Origin }[] = [];
  const out = text.replace(PLACEHOLDER, (match, name: string, offset: number) => {
    const value = lookup(ctx, name);
    if (secret && isSecretRef(value)) {
      const v = secret(value.$secret);
      if (v !== undefined) return v;
      problems.push({
        message: `secret ${value.$secret} (for {{ ${name} }}) is not available on this machine: ${
          value.$secret.startsWith("env:") ? "set the environment variable" : "create the file"
        }`,
        origin: positionIn(text, offset, where),
      });
      return match;
    }
    if (value === undefined || value === null || typeof value === "object") {
      problems.push({
        message: `undefined template value {{ ${name} }} (known: ${knownNames(ctx).join(", ") || "none"})`,
        origin: positionIn(text, offset, where),
      });
      return match;
    }
    return String(value);
  });
  if (problems.length) throw new ConfigError(problems);
  return out;
}

function lookup(ctx: TemplateContext, name: string): unknown {
  let v: unknown = ctx;
  for (const part of name.split(".")) {
    if (typeof v !== "object" || v === null || !Object.hasOwn(v, part)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

function knownNames(ctx: TemplateContext, prefix = ""): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(ctx)) {
    if (typeof v === "object" && v !== null && !isSecretRef(v))
      out.push(...knownNames(v as TemplateContext, `${prefix}${k}.`));
    else out.push(`${prefix}${k}`);
  }
  return out.sort();
}

/**
 * Position of `offset` in `text`, relative to where the text starts. Every line
 * starts at `where.col`: column 1 for a file, the indentation for a YAML block scalar.
 */
function positionIn(text: string, offset: number, where: Origin): Origin {
  const before = text.slice(0, offset).split("\n");
  const line = before.length;
  const col = (before[before.length - 1]?.length ?? 0) + 1;
  return { file: where.file, line: where.line + line - 1, col: where.col + col - 1 };
}
