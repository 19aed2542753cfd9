import { listUnder, normalizeRepoPath, resolveSourcePath } from "../../config/source.js";
import type { Path } from "../../config/yaml.js";
import { homeTarget } from "../home-path.js";
import {
  header,
  lines,
  type ProgramContext,
  SHELL_ENV_ZSH,
  shellDropInDir,
  shellHomePath,
} from "./program.js";
import { ALIAS_NAME, shExpanding, shQuote, VARIABLE_NAME } from "./shell-quote.js";
import type { ZshOptions } from "./zsh.schema.js";

/**
 * programs.zsh → ~/.zshenv and ~/.zshrc (in dotDir when set), and .zprofile,
 * .zlogin, .zlogout when given. Home Manager's order: plugins' fpath before
 * compinit, history and options, plugins, aliases, then the shell:
 * environment, then initExtra.
 */
export function zshProgram(p: ProgramContext, options: ZshOptions): void {
  const o = p.render(options);
  let dotDir = "~";
  if (o.dotDir !== undefined) {
    try {
      dotDir = homeTarget(
        o.dotDir.startsWith("~") ? o.dotDir : `~/${o.dotDir}`,
        p.origin(["dotDir"]),
        "dotDir",
        p.path(["dotDir"]).join("."),
        true,
      );
    } catch {
      p.problem(`dotDir "${o.dotDir}" must be a directory inside HOME, e.g. .config/zsh`, ["dotDir"]);
    }
  }
  const zdot = dotDir === "~" ? "$HOME" : `$HOME/${dotDir.slice(2)}`;
  const inDotDir = (file: string) => (dotDir === "~" ? `~/${file}` : `${dotDir}/${file}`);

  // ~/.zshenv: every zsh reads it, so it holds the session variables (and ZDOTDIR).
  const env: string[] = [header("#", "programs.zsh")];
  if (dotDir !== "~") env.push(`export ZDOTDIR=${shExpanding(zdot)}`);
  for (const [name, value] of Object.entries(o.sessionVariables ?? {})) {
    if (!VARIABLE_NAME.test(name)) {
      p.problem(`"${name}" is not a valid variable name: letters, digits and _, not starting with a digit`, [
        "sessionVariables",
        name,
      ]);
      continue;
    }
    env.push(`export ${name}=${shExpanding(String(value))}`);
  }
  if (o.envExtra) env.push(o.envExtra);
  p.link("~/.zshenv", lines(env));

  const rc: string[] = [header("#", "programs.zsh")];
  if (o.initExtraFirst) rc.push(o.initExtraFirst);
  rc.push("typeset -U path cdpath fpath manpath");

  const plugins = (o.plugins ?? []).flatMap((plugin, i) => {
    const dir = pluginDir(p, plugin, i, dotDir);
    return dir ? [{ ...plugin, dir }] : [];
  });
  for (const plugin of plugins) rc.push(`path+=(${plugin.dir})`, `fpath+=(${plugin.dir})`);

  if (o.enableCompletion ?? true) rc.push(o.completionInit ?? "autoload -U compinit && compinit");

  rc.push(...history(p, o, zdot));
  if (o.autocd !== undefined) rc.push(`${o.autocd ? "setopt" : "unsetopt"} AUTO_CD`);
  o.setOptions?.forEach((opt, i) => {
    if (!/^[A-Za-z_]+$/.test(opt)) p.problem(`"${opt}" is not a zsh option name`, ["setOptions", i]);
    else rc.push(/^no_?/i.test(opt) ? `unsetopt ${opt.replace(/^no_?/i, "")}` : `setopt ${opt}`);
  });
  if (o.defaultKeymap) rc.push(`bindkey -${{ emacs: "e", vicmd: "a", viins: "v" }[o.defaultKeymap]}`);

  for (const plugin of plugins) {
    const file = `${plugin.dir}/${shQuote(plugin.file ?? `${plugin.name}.plugin.zsh`)}`;
    rc.push(
      `if [[ -r ${file} ]]; then`,
      `  source ${file}`,
      "else",
      `  print -u2 -- ${shQuote(`dotops: zsh plugin ${plugin.name}: `)}${file}${shQuote(" is not there")}`,
      "fi",
    );
  }

  rc.push(
    ...aliases(p, o.shellAliases, "shellAliases", ""),
    ...aliases(p, o.shellGlobalAliases, "shellGlobalAliases", "-g "),
  );

  const envFile = `"$HOME/${SHELL_ENV_ZSH.slice(2)}"`;
  rc.push(
    "# The shell: environment (aliases, env, PATH) and what programs add (~/.config/dotops/shell/zsh.d).",
    `if [[ -r ${envFile} ]]; then`,
    `  source ${envFile}`,
    "else",
    `  for __dotops_f in "$HOME/${shellDropInDir("zsh").slice(2)}"/*.zsh(N); do source "$__dotops_f"; done`,
    "  unset __dotops_f",
    "fi",
  );
  if (o.initExtra) rc.push(o.initExtra);
  p.link(inDotDir(".zshrc"), lines(rc));

  const extra: [keyof ZshOptions, string][] = [
    ["profileExtra", ".zprofile"],
    ["loginExtra", ".zlogin"],
    ["logoutExtra", ".zlogout"],
  ];
  for (const [option, file] of extra) {
    const text = o[option];
    if (typeof text === "string")
      p.link(inDotDir(file), lines([header("#", `programs.zsh.${option}`), text]), [option]);
  }
}

function history(p: ProgramContext, o: ZshOptions, zdot: string): string[] {
  const h = o.history ?? {};
  const out = [`HISTSIZE=${h.size ?? 10000}`, `SAVEHIST=${h.save ?? 10000}`];
  if (h.path !== undefined) {
    const { home, rest } = shellHomePath(h.path);
    if (!home && !h.path.startsWith("/"))
      p.problem(`history.path "${h.path}" must be ~/... or an absolute path`, ["history", "path"]);
    out.push(`HISTFILE=${home ? `"$HOME"${shQuote(rest)}` : shQuote(rest)}`);
  } else out.push(`HISTFILE="${zdot}/.zsh_history"`);
  if (h.ignorePatterns?.length) out.push(`HISTORY_IGNORE=${shQuote(`(${h.ignorePatterns.join("|")})`)}`);
  const flags: [boolean, string][] = [
    [h.append ?? false, "APPEND_HISTORY"],
    [h.extended ?? false, "EXTENDED_HISTORY"],
    [h.ignoreDups ?? true, "HIST_IGNORE_DUPS"],
    [h.ignoreAllDups ?? false, "HIST_IGNORE_ALL_DUPS"],
    [h.ignoreSpace ?? true, "HIST_IGNORE_SPACE"],
    [h.expireDuplicatesFirst ?? false, "HIST_EXPIRE_DUPS_FIRST"],
    [h.share ?? true, "SHARE_HISTORY"],
  ];
  for (const [on, name] of flags) out.push(`${on ? "setopt" : "unsetopt"} ${name}`);
  return out;
}

function aliases(
  p: ProgramContext,
  map: Record<string, string> | undefined,
  option: string,
  flag: string,
): string[] {
  return Object.entries(map ?? {}).flatMap(([name, value]) => {
    if (!ALIAS_NAME.test(name)) {
      p.problem(`"${name}" is not an alias name zsh takes as it is (no spaces, quotes, =, / or $)`, [
        option,
        name,
      ]);
      return [];
    }
    return [`alias ${flag}-- ${name}=${shQuote(value)}`];
  });
}

/**
 * Where a plugin is, as a double-quoted shell word: a directory of the config
 * repo is linked file by file to <dotDir or ~/.zsh>/plugins/<name> (Home
 * Manager's place); a path on the machine is used where it is.
 */
function pluginDir(
  p: ProgramContext,
  plugin: { name: string; src: string; file?: string },
  i: number,
  dotDir: string,
): string | undefined {
  const at: Path = ["plugins", i];
  if (!/^[\w.@+-]+$/.test(plugin.name)) {
    p.problem(`plugin name "${plugin.name}": letters, digits and _ . @ + - only`, [...at, "name"]);
    return undefined;
  }
  const { home, rest } = shellHomePath(plugin.src);
  if (home || plugin.src.startsWith("/")) return home ? `"$HOME"${shQuote(rest)}` : shQuote(rest);

  const src = p.config.source;
  const dir = resolveSourcePath(src, plugin.src).path;
  const files = listUnder(src, dir);
  if (!files.length) {
    p.problem(
      resolveSourcePath(src, plugin.src).file
        ? `plugin src ${plugin.src} is a file: name the plugin's directory`
        : `plugin src ${plugin.src} is not in ${src.label} (a path on the machine starts with ~/ or /)`,
      [...at, "src"],
    );
    return undefined;
  }
  const target = `${dotDir === "~" ? "~/.zsh" : dotDir}/plugins/${plugin.name}`;
  const entry = plugin.file ?? `${plugin.name}.plugin.zsh`;
  if (!files.includes(normalizeRepoPath(`${dir}/${entry}`)))
    p.problem(`plugin ${plugin.name} has no ${entry} in ${plugin.src} (set file: to the script to source)`, [
      ...at,
      plugin.file === undefined ? "src" : "file",
    ]);
  for (const path of files) {
    const f = resolveSourcePath(src, path);
    if (!f.file || f.file.type === "symlink" || f.file.type === "submodule") {
      p.warn(`skipped ${path} (in plugin ${plugin.name}): a symlink that leads out of the repo`, [
        ...at,
        "src",
      ]);
      continue;
    }
    const id = `${target}/${path.slice(dir.length + 1)}`;
    p.link(id, f.file.data, [...at, "src"], f.file.type === "exec");
  }
  return `"$HOME"${shQuote(target.slice(1))}`;
}
