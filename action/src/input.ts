import { isAbsolute, resolve } from "node:path";
import type { Core, Env } from "./core.js";

export const MODES = ["check", "plan", "ephemeral", "update"] as const;
/** Old names still accepted, with a notice: apply was ephemeral's name before it reported per resource. */
const DEPRECATED_MODES: Record<string, Mode> = { apply: "ephemeral" };
export const FAIL_ON = ["error", "destructive", "changes"] as const;
export type Mode = (typeof MODES)[number];
export type FailOn = (typeof FAIL_ON)[number];

/** Every input of action.yml, read and checked once (actions/checkout's input-helper). */
export interface ActionInputs {
  /** Absolute path of the config repo (or a folder inside it) in the workspace. */
  configPath: string;
  /** Hosts named by the `hosts` input; empty: every host whose platform matches the runner. */
  hosts: string[];
  /**
   * check: validate and plan base → head; plan: also plan against the
   * runner's machine; ephemeral: also apply on the throwaway runner and
   * report per resource whether it worked; update: move inputs, open or
   * update a pull request, plan it (as check).
   */
  mode: Mode;
  githubToken: string;
  /** Upsert the sticky PR comment. */
  comment: boolean;
  /** What fails the step besides errors: destructive steps, or any change. */
  failOn: FailOn;
  /** mode update: the branch its pull request comes from. */
  updateBranch: string;
}

export class InputError extends Error {
  override name = "InputError";
}

export function getInputs(core: Pick<Core, "getInput" | "notice">, env: Env): ActionInputs {
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const configPath = core.getInput("config-path") || ".";
  return {
    configPath: isAbsolute(configPath) ? configPath : resolve(workspace, configPath),
    hosts: parseList(core.getInput("hosts")),
    mode: readMode(core),
    githubToken: core.getInput("github-token"),
    comment: parseBoolean("comment", core.getInput("comment") || "true"),
    failOn: oneOf("fail-on", core.getInput("fail-on") || "error", FAIL_ON),
    updateBranch: core.getInput("update-branch") || "dotops/update-inputs",
  };
}

function readMode(core: Pick<Core, "getInput" | "notice">): Mode {
  const value = core.getInput("mode") || "plan";
  const renamed = DEPRECATED_MODES[value];
  if (!renamed) return oneOf("mode", value, MODES);
  core.notice(`dotops: mode ${value} is deprecated and now called ${renamed}; set \`mode: ${renamed}\``);
  return renamed;
}

/** `a, b`, `a b` or one per line (a YAML block scalar), deduplicated in order. */
export function parseList(value: string): string[] {
  return [...new Set(value.split(/[\s,]+/).filter(Boolean))];
}

/** The YAML 1.2 core schema booleans, as `core.getBooleanInput` accepts them. */
export function parseBoolean(name: string, value: string): boolean {
  if (["true", "True", "TRUE"].includes(value)) return true;
  if (["false", "False", "FALSE"].includes(value)) return false;
  throw new InputError(`input ${name} must be true or false, not "${value}"`);
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(`input ${name} must be one of ${allowed.join(", ")}, not "${value}"`);
}
