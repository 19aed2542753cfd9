import { posix } from "node:path";
import { registerSecret } from "../report/redact.js";

/**
 * `!secret env:NAME` or `!secret file:PATH`: a value resolved only when the
 * machine is planned or applied, never written into plans, logs or
 * generation records. Files rendered with one are marked `secret` in the
 * manifest, and plans show no diff of them.
 */
export interface SecretRef {
  $secret: string;
}

export function isSecretRef(v: unknown): v is SecretRef {
  return typeof v === "object" && v !== null && typeof (v as SecretRef).$secret === "string";
}

/** Looks a secret up on this machine (I/O at the edge: the CLI provides it); undefined when it is not there. */
export type SecretResolver = (ref: string) => string | undefined;

/** What a template shows where the value is not known (a plan between two commits, `check`). */
export const secretPlaceholder = (ref: string) => `«secret ${ref}»`;

/** Where a SecretStore finds secrets on the machine (the CLI gives it its Host's). */
export interface SecretReader {
  /** `!secret env:NAME` */
  env(name: string): string | undefined;
  /**
   * `!secret file:PATH`: the file's bytes, undefined when it cannot be read;
   * throws a SecretRefused when the path is not one a config may read.
   */
  file(path: string): Promise<Buffer | undefined>;
}

/** A `!secret file:` the machine does not let the config read (see secretFileProblem). */
export class SecretRefused extends Error {}

/** The machine's own widening of where `!secret file:` may read: absolute dirs, colon-separated. */
export const SECRET_DIRS_ENV = "DOTOPS_SECRET_DIRS";

/**
 * Where `!secret file:PATH` may read: inside HOME, or under a directory this
 * machine lists in DOTOPS_SECRET_DIRS. The config repo is the untrusted side
 * (a merged PR, a compromised remote), so it cannot widen this itself: without
 * the rule `!secret file:/etc/shadow` or `file:~/../other/.ssh/id_ed25519`
 * would put any file the agent can read into a dotfile. Undefined when allowed.
 */
export function secretFileProblem(path: string, home: string, allowed: string[]): string | undefined {
  const expanded = path.replace(/^~(?=\/|$)/, home);
  if (!expanded.startsWith("/"))
    return `secret file:${path} is a relative path: write ~/... (or an absolute path)`;
  const normal = posix.normalize(expanded);
  if (!within(normal, home, allowed))
    return `secret file:${path} is outside HOME (${normal}): ${HOW_TO_ALLOW}`;
  return undefined;
}

/** The same rule for where the file really is, its symlinks resolved (as HOME and the allowed dirs are). */
export function secretLinkProblem(
  path: string,
  real: string,
  realHome: string,
  realAllowed: string[],
): string | undefined {
  if (within(real, realHome, realAllowed)) return undefined;
  return `secret file:${path} leads to ${real} through a symlink, outside HOME: ${HOW_TO_ALLOW}`;
}

const HOW_TO_ALLOW = `dotops reads !secret files in HOME only; to allow another directory, list it in ${SECRET_DIRS_ENV} (colon-separated) on this machine`;

function within(path: string, home: string, allowed: string[]): boolean {
  return [home, ...allowed.filter((d) => d.startsWith("/"))].some(
    (dir) => path === dir || path.startsWith(`${dir.replace(/\/+$/, "")}/`),
  );
}

/**
 * The `!secret` values of one plan or apply, handed to the pure pass that
 * renders them the way a LazySource hands it file contents: an env value at
 * once; a file not read yet is recorded as wanted and stands as its
 * placeholder, `fetch` reads what is wanted, and withContent runs the pass
 * again. Each file is read once; one trailing newline is not part of it.
 */
export class SecretStore {
  readonly wanted = new Set<string>();
  /** A secret was asked for: a config built with it is not a function of its commit alone. */
  consulted = false;
  readonly #read: SecretReader;
  readonly #files = new Map<string, string | undefined | SecretRefused>();

  constructor(read: SecretReader) {
    this.#read = read;
  }

  readonly resolve: SecretResolver = (ref) => {
    this.consulted = true;
    const { kind, name } = parseSecretRef(ref);
    if (kind === "env") {
      const value = this.#read.env(name);
      registerSecret(value);
      return value;
    }
    if (this.#files.has(name)) {
      const known = this.#files.get(name);
      if (known instanceof SecretRefused) throw known;
      return known;
    }
    this.wanted.add(ref);
    return secretPlaceholder(ref);
  };

  async fetch(): Promise<void> {
    for (const ref of this.wanted) {
      const { name } = parseSecretRef(ref);
      try {
        const data = await this.#read.file(name);
        const value = data?.toString("utf8").replace(/\r?\n$/, "");
        registerSecret(value);
        this.#files.set(name, value);
      } catch (err) {
        if (!(err instanceof SecretRefused)) throw err;
        this.#files.set(name, err);
      }
    }
    this.wanted.clear();
  }

  /** A secret has no JSON: load options go into memo keys and logs without it. */
  toJSON(): undefined {
    return undefined;
  }
}

/** `env:NAME` → env, NAME; `file:PATH` → file, PATH (a path may hold colons). */
function parseSecretRef(ref: string): { kind: string; name: string } {
  const [kind = "", ...rest] = ref.split(":");
  return { kind, name: rest.join(":") };
}
