/**
 * The environment file of each shell. Every value the config gives is
 * quoted for the shell that reads it: POSIX single quotes for zsh and bash
 * (nothing inside is special; a ' is written '\''), fish's single quotes
 * (where only \ and ' are escaped). A value from `~/...` becomes "$HOME"
 * followed by the quoted rest.
 */
export type ShellName = "zsh" | "bash" | "fish";
export const SHELLS: ShellName[] = ["zsh", "bash", "fish"];

/** A literal string, or one under HOME (`~/rest`, `~` itself: rest ""). */
export type Word = { text: string; home?: true };

export interface ShellEnv {
  /** In order: the built-ins, then the user's. */
  aliases: [string, string][];
  env: [string, Word][];
  /** De-duplicated, in the order they should end up at the front of PATH. */
  path: Word[];
  init: Partial<Record<ShellName, string>>;
}

/** Where the generated files live; the programs modules put per-shell snippets in `<shell>.d/`. */
export const SHELL_DIR = "~/.config/dotops/shell";
export const envFileId = (shell: ShellName) => `${SHELL_DIR}/env.${shell}`;
export const snippetDirId = (shell: ShellName) => `${SHELL_DIR}/${shell}.d`;

export const posixQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
export const fishQuote = (s: string) => `'${s.replace(/[\\']/g, "\\$&")}'`;

function word(w: Word, quote: (s: string) => string): string {
  if (!w.home) return quote(w.text);
  return w.text ? `"$HOME"${quote(w.text)}` : `"$HOME"`;
}

const HEADER = [
  "# The shell environment dotops generates from `shell:` in the config repo.",
  "# Do not edit: this file is a link into the current generation; change the config and `dotops apply`.",
];

/** Moves $1 to the front of PATH, removing it wherever else it is (bash and zsh alike). */
const PATH_PREPEND = [
  "__dotops_path_prepend() {",
  '  local rest=":$PATH:"',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell code
  '  while [[ $rest == *":$1:"* ]]; do rest=${rest/":$1:"/:}; done',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell code
  "  rest=${rest#:}",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell code
  "  rest=${rest%:}",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell code
  "  PATH=$1${rest:+:$rest}",
  "}",
];

const fromHome = (id: string) => `"$HOME"/${id.slice(2)}`;

export function renderEnv(shell: ShellName, env: ShellEnv): string {
  return `${(shell === "fish" ? renderFish(env) : renderPosix(shell, env)).join("\n")}\n`;
}

function renderPosix(shell: "zsh" | "bash", env: ShellEnv): string[] {
  const out = [...HEADER, ""];
  for (const [name, value] of env.env) out.push(`export ${name}=${word(value, posixQuote)}`);
  if (env.path.length) {
    out.push(
      "",
      "# PATH: each directory moved to the front, in the configured order, once.",
      ...PATH_PREPEND,
      ...[...env.path].reverse().map((p) => `__dotops_path_prepend ${word(p, posixQuote)}`),
      "unset -f __dotops_path_prepend",
      "export PATH",
    );
  }
  if (env.aliases.length) out.push("", ...env.aliases.map(([n, v]) => `alias ${n}=${posixQuote(v)}`));
  const init = env.init[shell];
  if (init) out.push("", `# shell.init.${shell}`, init.replace(/\n$/, ""));
  const glob =
    shell === "zsh" ? `${fromHome(snippetDirId(shell))}/*.zsh(N)` : `${fromHome(snippetDirId(shell))}/*.bash`;
  out.push(
    "",
    `# Snippets of the program modules (${snippetDirId(shell)}), last.`,
    `for __dotops_f in ${glob}; do`,
    '  if [ -r "$__dotops_f" ]; then . "$__dotops_f"; fi',
    "done",
    "unset __dotops_f",
  );
  return out;
}

function renderFish(env: ShellEnv): string[] {
  const out = [...HEADER, ""];
  for (const [name, value] of env.env) out.push(`set -gx ${name} ${word(value, fishQuote)}`);
  if (env.path.length) {
    out.push(
      "",
      "# PATH: each directory moved to the front, in the configured order, once.",
      `for __dotops_p in ${[...env.path]
        .reverse()
        .map((p) => word(p, fishQuote))
        .join(" ")}`,
      "    while set -l __dotops_i (contains -i -- $__dotops_p $PATH)",
      "        set -e PATH[$__dotops_i]",
      "    end",
      "    set -gx PATH $__dotops_p $PATH",
      "end",
      "set -e __dotops_p",
    );
  }
  if (env.aliases.length) out.push("", ...env.aliases.map(([n, v]) => `alias ${n} ${fishQuote(v)}`));
  const init = env.init.fish;
  if (init) out.push("", "# shell.init.fish", init.replace(/\n$/, ""));
  out.push(
    "",
    `# Snippets of the program modules (${snippetDirId("fish")}), last.`,
    `for __dotops_f in $HOME/${snippetDirId("fish").slice(2)}/*.fish`,
    "    source $__dotops_f",
    "end",
    "set -e __dotops_f",
  );
  return out;
}

/** The line an rc file's block holds: source the environment when it is there. */
export function sourceLine(shell: ShellName): string {
  const file = `~/${envFileId(shell).slice(2)}`;
  return shell === "fish"
    ? `if test -r ${file}; source ${file}; end`
    : `if [ -r ${file} ]; then source ${file}; fi`;
}
