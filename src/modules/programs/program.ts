import type { Config } from "../../config/load.js";
import { secretPlaceholder } from "../../config/secret.js";
import { renderTemplate } from "../../config/template.js";
import { formatPath, originOf, type Path, pathKey } from "../../config/yaml.js";
import { ConfigError, type ConfigProblem, type Origin } from "../../errors.js";
import type { Blob, Located, Resource } from "../../resources/types.js";
import { makeBlob } from "../objects.js";

/**
 * What one program module works with: its options (templates rendered), and
 * ways to emit a linked dotfile and to report a problem at an option's
 * file:line. Problems are collected, so one run names every broken option.
 */
export class ProgramContext {
  readonly resources: Located<Resource>[] = [];
  readonly blobs: Blob[] = [];
  readonly problems: ConfigProblem[] = [];
  readonly warnings: ConfigProblem[] = [];
  /** A `!secret` was rendered into this program's options: its files are marked secret. */
  private secret = false;

  constructor(
    readonly config: Config,
    /** `programs.git` */
    readonly name: string,
  ) {}

  /** The full config path of an option of this program. */
  path(rel: Path = []): Path {
    return ["programs", this.name, ...rel];
  }

  origin(rel: Path = []): Origin | undefined {
    return originOf(this.config.located, this.path(rel));
  }

  problem(message: string, rel: Path = []): void {
    const path = this.path(rel);
    this.problems.push({ message, origin: originOf(this.config.located, path), path: formatPath(path) });
  }

  warn(message: string, rel: Path = []): void {
    const path = this.path(rel);
    this.warnings.push({ message, origin: originOf(this.config.located, path), path: formatPath(path) });
  }

  /** A linked dotfile at `id` (`~/...`) holding `text`; its origin is the option that made it. */
  link(id: string, text: string | Buffer, rel: Path = [], executable = false): void {
    const blob = makeBlob(typeof text === "string" ? Buffer.from(text) : text, executable, id);
    this.blobs.push(blob);
    this.resources.push({
      kind: "link",
      id,
      object: blob.object,
      ...(this.secret ? { secret: true as const } : {}),
      origin: this.origin(rel),
    });
  }

  /**
   * Every string in `value` (the options at `rel`) rendered as a template,
   * `{{ user.email }}`; an undefined name is a problem at its file:line:col.
   * Keys are left as they are.
   */
  render<T>(value: T, rel: Path = []): T {
    const walk = (v: unknown, at: Path): unknown => {
      if (typeof v === "string") return this.renderString(v, at);
      if (Array.isArray(v)) return v.map((item, i) => walk(item, [...at, i]));
      if (v && typeof v === "object")
        return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, [...at, k])]));
      return v;
    };
    return walk(value, rel) as T;
  }

  private renderString(text: string, rel: Path): string {
    if (!text.includes("{{")) return text;
    const path = this.path(rel);
    const where = this.config.located.texts?.get(pathKey(path)) ??
      originOf(this.config.located, path) ?? { file: "(inline)", line: 1, col: 1 };
    const ctx = {
      user: this.config.user,
      vars: this.config.vars,
      host: { name: this.config.host.name, platform: this.config.host.platform },
    };
    try {
      return renderTemplate(text, ctx, where, (ref) => {
        this.secret = true;
        return this.config.resolveSecret ? this.config.resolveSecret(ref) : secretPlaceholder(ref);
      });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      this.problems.push(...err.problems.map((p) => ({ ...p, path: p.path ?? formatPath(path) })));
      return text;
    }
  }
}

/**
 * The shell: environment's file for zsh, and the drop-in directories it (and
 * its bash and fish twins) sources at its end: the contract with the shell
 * module, which writes env.<shell> and leaves ~/.zshrc to programs.zsh when
 * that is enabled. Programs put their shell code in the drop-ins.
 */
export const SHELL_ENV_ZSH = "~/.config/dotops/shell/env.zsh";
export type Shell = "zsh" | "bash" | "fish";
export const shellDropInDir = (shell: Shell) => `~/.config/dotops/shell/${shell}.d`;
export const shellDropIn = (shell: Shell, name: string) => `${shellDropInDir(shell)}/${name}.${shell}`;

/** `~/x` → `$HOME/x` for shell code (quoted by the caller); other paths as they are. */
export function shellHomePath(path: string): { home: boolean; rest: string } {
  if (path === "~") return { home: true, rest: "" };
  if (path.startsWith("~/")) return { home: true, rest: path.slice(1) };
  if (path.startsWith("$HOME/")) return { home: true, rest: path.slice(5) };
  return { home: false, rest: path };
}

/** Text that ends with exactly one newline (empty stays empty). */
export function lines(parts: (string | undefined | false)[]): string {
  const text = parts.filter((p): p is string => typeof p === "string").join("\n");
  return text ? `${text.replace(/\n+$/, "")}\n` : "";
}

/** The header every generated file starts with, in the file's comment syntax. */
export function header(comment: string, option: string): string {
  return `${comment} Generated by dotops from ${option}: edit the config repo, not this file (it is replaced on apply).`;
}
