import type { Command } from "commander";
import { UsageError } from "../errors.js";
import type { CliFactory } from "./program.js";

/** Shell completion scripts generated from the command tree, so they never drift from it. */
export function registerCompletion(program: Command, cli: CliFactory) {
  program
    .command("completion")
    .description("print a completion script: dotops completion zsh > ~/.zfunc/_dotops")
    .argument("<shell>", "bash, zsh or fish")
    .action((shell: string) => {
      const tree = program.commands.map((c) => ({
        name: c.name(),
        aliases: c.aliases(),
        about: c.description(),
        options: c.options
          .filter((o) => !o.hidden)
          .map((o) => o.long)
          .filter((l): l is string => Boolean(l)),
      }));
      const globals = program.options.map((o) => o.long).filter((l): l is string => Boolean(l));
      const script = { bash, zsh, fish }[shell as "bash"];
      if (!script) throw new UsageError(`no completion for "${shell}": choose bash, zsh or fish`);
      cli().print(script(tree, globals));
    });
}

interface Cmd {
  name: string;
  aliases: string[];
  about: string;
  options: string[];
}

function bash(cmds: Cmd[], globals: string[]): string {
  const names = cmds.flatMap((c) => [c.name, ...c.aliases]).join(" ");
  const cases = cmds
    .map(
      (c) =>
        `    ${[c.name, ...c.aliases].join("|")}) opts="${[...c.options, ...globals, "--help"].join(" ")}" ;;`,
    )
    .join("\n");
  return `# dotops bash completion: source <(dotops completion bash)
_dotops() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmd="" opts="${globals.join(" ")} --help --version"
  local w; for w in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do case "$w" in -*) ;; *) cmd="$w"; break ;; esac; done
  case "$cmd" in
    "") COMPREPLY=($(compgen -W "${names} $opts" -- "$cur")); return ;;
${cases}
  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -F _dotops dotops
`;
}

function zsh(cmds: Cmd[], globals: string[]): string {
  const q = (s: string) => s.replace(/'/g, "'\\''").replace(/:/g, "\\:");
  const list = cmds.flatMap((c) => [c.name, ...c.aliases].map((n) => `'${n}:${q(c.about)}'`)).join(" ");
  const cases = cmds
    .map(
      (c) =>
        `    (${[c.name, ...c.aliases].join("|")}) _arguments ${[...c.options, ...globals].map((o) => `'${o}'`).join(" ")} ;;`,
    )
    .join("\n");
  return `#compdef dotops
# dotops zsh completion: dotops completion zsh > "\${fpath[1]}/_dotops"
_dotops() {
  local -a cmds; cmds=(${list})
  if (( CURRENT == 2 )); then _describe 'command' cmds; return; fi
  case $words[2] in
${cases}
  esac
}
_dotops "$@"
`;
}

function fish(cmds: Cmd[], globals: string[]): string {
  const lines = [
    "# dotops fish completion: dotops completion fish > ~/.config/fish/completions/dotops.fish",
    "complete -c dotops -f",
  ];
  for (const c of cmds) {
    for (const n of [c.name, ...c.aliases])
      lines.push(`complete -c dotops -n __fish_use_subcommand -a ${n} -d '${c.about.replace(/'/g, "\\'")}'`);
    for (const o of c.options)
      lines.push(`complete -c dotops -n '__fish_seen_subcommand_from ${c.name}' -l ${o.slice(2)}`);
  }
  for (const g of globals) lines.push(`complete -c dotops -l ${g.slice(2)}`);
  return `${lines.join("\n")}\n`;
}
