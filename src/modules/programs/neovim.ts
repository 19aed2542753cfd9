import { resolveSourcePath } from "../../config/source.js";
import type { NeovimOptions } from "./neovim.schema.js";
import { header, lines, type ProgramContext, type Shell, shellDropIn } from "./program.js";
import { fishQuote, shQuote } from "./shell-quote.js";

/** A one-line value ending in .lua names a file of the config repo; anything else is Lua text. */
const REPO_FILE = /^[^\s]+\.lua$/;

/**
 * programs.neovim → ~/.config/nvim/init.lua (initLua, then extraLuaConfig,
 * then extraConfig's Vimscript through vim.cmd), and EDITOR/VISUAL and the
 * vi/vim/vimdiff aliases in ~/.config/dotops/shell/<shell>.d/neovim.<shell>.
 * A file named by initLua is taken as it is (like a linked file); inline
 * text is templated like every string option.
 */
export function neovimProgram(p: ProgramContext, options: NeovimOptions): void {
  const raw = options.initLua;
  const o = p.render(options);
  let init: string | undefined;
  if (raw !== undefined && REPO_FILE.test(raw)) {
    const r = resolveSourcePath(p.config.source, raw);
    if (r.file && r.file.type !== "symlink" && r.file.type !== "submodule")
      init = r.file.data.toString("utf8");
    else
      p.problem(
        `initLua names ${raw}, which is not a file in ${p.config.source.label} (is it committed?); inline Lua is text with a newline or not ending in .lua`,
        ["initLua"],
      );
  } else init = o.initLua;

  const parts = [init === undefined ? header("--", "programs.neovim") : init.replace(/\n+$/, "")];
  if (o.extraLuaConfig) parts.push(o.extraLuaConfig);
  if (o.extraConfig) parts.push(`vim.cmd(${longString(o.extraConfig)})`);
  p.link("~/.config/nvim/init.lua", lines(parts), raw !== undefined ? ["initLua"] : []);

  const aliases: [string, string][] = [];
  if (o.viAlias) aliases.push(["vi", "nvim"]);
  if (o.vimAlias) aliases.push(["vim", "nvim"]);
  if (o.vimdiffAlias) aliases.push(["vimdiff", "nvim -d"]);
  if (!aliases.length && !o.defaultEditor) return;
  const shells: [Shell, boolean | undefined][] = [
    ["zsh", o.enableZshIntegration],
    ["bash", o.enableBashIntegration],
    ["fish", o.enableFishIntegration],
  ];
  for (const [shell, enabled] of shells) {
    if (enabled === false) continue;
    const fish = shell === "fish";
    const code = [header("#", "programs.neovim")];
    if (o.defaultEditor)
      code.push(fish ? "set -gx EDITOR nvim\nset -gx VISUAL nvim" : "export EDITOR=nvim VISUAL=nvim");
    for (const [name, value] of aliases)
      code.push(fish ? `alias ${name} ${fishQuote(value)}` : `alias -- ${name}=${shQuote(value)}`);
    p.link(shellDropIn(shell, "neovim"), lines(code));
  }
}

/** A Lua long string holding `text` whatever brackets it contains: [==[ … ]==]. */
function longString(text: string): string {
  let eq = "";
  while (text.includes(`]${eq}]`)) eq += "=";
  return `[${eq}[\n${text.replace(/\n?$/, "\n")}]${eq}]`;
}
