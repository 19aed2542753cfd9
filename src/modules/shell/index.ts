import type { Config } from "../../config/load.js";
import { formatPath, originOf, type Path } from "../../config/yaml.js";
import { ConfigError, type ConfigProblem } from "../../errors.js";
import type { Blob, Located, Resource } from "../../resources/types.js";
import { makeBlock } from "../blocks.js";
import { homeTarget } from "../home-path.js";
import type { ModuleOutput } from "../module.js";
import { makeBlob } from "../objects.js";
import {
  envFileId,
  renderEnv,
  SHELLS,
  type ShellEnv,
  type ShellName,
  sourceLine,
  type Word,
} from "./render.js";
import type { ShellConfig } from "./schema.js";

export { envFileId, SHELL_DIR, snippetDirId } from "./render.js";

/** The dotops commands under the names the reference system's aliases had. */
export const BUILTIN_ALIASES: Record<string, string> = {
  rebuild: "dotops apply",
  "health-check": "dotops health",
  "health-maintain": "dotops maintain",
  cleanup: "dotops gc",
  "perf-analyze": "dotops perf",
  "setup-dev-env": "dotops dev-env",
};

/** A name zsh, bash and fish all take for an alias (fish: a function name). */
const ALIAS_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:+@-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The rc file each shell reads when interactive, and where its block goes. */
const RC_FILES: Record<ShellName, string> = {
  zsh: "~/.zshrc",
  bash: "~/.bashrc",
  fish: "~/.config/fish/config.fish",
};

/** The block that sources the environment is named so, beside any block of the user's own. */
export const SHELL_BLOCK_NAME = "shell";

type ProgramsView = { programs?: { zsh?: { enable?: boolean } } };

/**
 * `shell:` → one environment file per shell, linked into the generation
 * (switching generation switches the environment), and a block in each rc
 * file that sources it. No `shell:` key: nothing at all.
 */
export function shellModule(config: Config): ModuleOutput {
  const shell = (config as Config & { shell?: ShellConfig }).shell;
  if (!shell) return { resources: [], blobs: [] };
  const env = readShellEnv(config, shell);
  const origin = originOf(config.located, ["shell"]);
  const resources: Located<Resource>[] = [];
  const blobs: Blob[] = [];
  const warnings: ConfigProblem[] = [];
  for (const sh of SHELLS) {
    const id = envFileId(sh);
    const blob = makeBlob(Buffer.from(renderEnv(sh, env)), false, id);
    blobs.push(blob);
    resources.push({ kind: "link", id, object: blob.object, origin });
  }
  type RcFile = [ShellName, string, { create?: false }];
  const rcFiles: RcFile[] = [
    ["zsh", RC_FILES.zsh, {}],
    ["bash", RC_FILES.bash, {}],
    ["fish", RC_FILES.fish, {}],
  ];
  // macOS terminals start bash as a login shell, which reads ~/.bash_profile and not ~/.bashrc.
  // Only an existing one gets the block: creating it would hide ~/.profile from bash.
  if (config.host.platform === "darwin") rcFiles.push(["bash", "~/.bash_profile", { create: false }]);
  // A program module that writes ~/.zshrc itself sources the environment from it.
  const zshByProgram = (config as ProgramsView).programs?.zsh?.enable === true;
  for (const [sh, rc, opts] of rcFiles) {
    if (sh === "zsh" && zshByProgram) continue;
    const linked = config.files.findIndex((f) => f.mode !== "block" && sameTarget(f.target, rc));
    if (linked >= 0) {
      warnings.push({
        message: `${rc} is managed whole by files[${linked}]: it gets no block sourcing the ${sh} environment; add \`${sourceLine(sh)}\` to it`,
        origin: originOf(config.located, ["files", linked]),
        path: `files[${linked}]`,
      });
      continue;
    }
    const block = makeBlock(rc, sourceLine(sh), { name: SHELL_BLOCK_NAME, ...opts });
    if (typeof block === "string") throw new Error(`shell block for ${rc}: ${block}`);
    resources.push({ ...block, origin });
  }
  return { resources, blobs, warnings };
}

function sameTarget(target: string, id: string): boolean {
  try {
    return homeTarget(target) === id;
  } catch {
    return false;
  }
}

/** Validated, normalised `shell:`; every bad value is named with its file:line. */
function readShellEnv(config: Config, shell: ShellConfig): ShellEnv {
  const problems: ConfigProblem[] = [];
  const fail = (path: Path, message: string) =>
    problems.push({ message, origin: originOf(config.located, path), path: formatPath(path) });
  const badChar = (s: string) => (s.includes("\0") ? "a NUL byte" : undefined);

  const aliases = new Map(Object.entries(BUILTIN_ALIASES));
  for (const [name, value] of Object.entries(shell.aliases ?? {})) {
    const at: Path = ["shell", "aliases", name];
    if (!ALIAS_NAME.test(name))
      fail(
        at,
        `alias name "${name}" is not a name every shell takes: use letters, digits and _ . : + @ - (not first)`,
      );
    else if (/[\n\r]/.test(value) || badChar(value))
      fail(at, `alias ${name} must be one line of shell code (for more, define a function in shell.init)`);
    else if (value === "") aliases.delete(name);
    else aliases.set(name, value);
  }

  const home = (text: string): Word =>
    text === "~"
      ? { text: "", home: true }
      : text.startsWith("~/")
        ? { text: text.slice(1), home: true }
        : { text };
  const env: [string, Word][] = [];
  for (const [name, raw] of Object.entries(shell.env ?? {})) {
    const at: Path = ["shell", "env", name];
    const value = String(raw);
    if (!ENV_NAME.test(name))
      fail(at, `env name "${name}" is not a variable name (letters, digits, _; not a digit first)`);
    else if (name === "PATH")
      fail(at, "PATH is built from shell.path (prepended, in order, once): list the directories there");
    else if (badChar(value)) fail(at, `env ${name} holds a NUL byte, which no environment variable can`);
    else env.push([name, home(value)]);
  }

  const path: Word[] = [];
  const seen = new Set<string>();
  for (const [i, dir] of (shell.path ?? []).entries()) {
    const at: Path = ["shell", "path", i];
    if (!dir.startsWith("/") && dir !== "~" && !dir.startsWith("~/"))
      fail(at, `path entry "${dir}" must be absolute or ~/...`);
    else if (/[:\n\r\0]/.test(dir))
      fail(at, `path entry "${dir}" holds a ":" or a line break, which PATH cannot`);
    else {
      const normal = dir.length > 1 ? dir.replace(/\/+$/, "") : dir;
      if (seen.has(normal)) continue;
      seen.add(normal);
      path.push(home(normal));
    }
  }

  for (const sh of SHELLS) {
    const code = shell.init?.[sh];
    if (code && badChar(code)) fail(["shell", "init", sh], `init.${sh} holds a NUL byte`);
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    aliases: [...aliases],
    env,
    path,
    init: shell.init ?? {},
  };
}
