/** Quoting for the shell code the program modules write (zsh and bash share the POSIX rules here). */

const PLAIN = /^[\w@%+=:,./-]+$/;

/** A literal word for sh/bash/zsh: bare when safe, else single-quoted ('\'' for a quote). */
export function shQuote(value: string): string {
  if (PLAIN.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** A literal word for fish: bare when safe, else single-quoted (\\ and \' escaped). */
export function fishQuote(value: string): string {
  if (PLAIN.test(value)) return value;
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

const VAR_REF = /\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)/g;

/**
 * A value for sh/bash/zsh that is literal except `$NAME` and `${NAME}`, which
 * expand (Home Manager's sessionVariables: `PATH: $HOME/bin:$PATH`). Written
 * double-quoted with every reference braced, so zsh's `$NAME:h` modifiers and
 * `$NAME[1]` subscripts cannot apply to what follows a reference.
 */
export function shExpanding(value: string): string {
  if (PLAIN.test(value)) return value;
  let out = "";
  let last = 0;
  for (const m of value.matchAll(VAR_REF)) {
    out += escapeDoubleQuoted(value.slice(last, m.index));
    out += `\${${m[1] ?? m[2]}}`;
    last = m.index + m[0].length;
  }
  out += escapeDoubleQuoted(value.slice(last));
  return `"${out}"`;
}

function escapeDoubleQuoted(text: string): string {
  return text.replace(/[\\"`$]/g, (c) => `\\${c}`);
}

/** Names a variable can have in every shell. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Alias names zsh and bash both accept written as `alias -- name=...` (no quoting, =, / or spaces). */
export const ALIAS_NAME = /^[\p{L}\p{N}_.:+@%,~^-]+$/u;
