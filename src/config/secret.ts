import { z } from "zod";
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

export const SecretRefSchema = z
  .strictObject({
    $secret: z.string().regex(/^(env|file):.+$/, "write !secret env:NAME or !secret file:PATH"),
  })
  .describe("A secret: !secret env:NAME or !secret file:PATH, resolved at apply time.");

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
  /** `!secret file:PATH`: the file's bytes, undefined when it cannot be read. */
  file(path: string): Promise<Buffer | undefined>;
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
  readonly #read: SecretReader;
  readonly #files = new Map<string, string | undefined>();

  constructor(read: SecretReader) {
    this.#read = read;
  }

  readonly resolve: SecretResolver = (ref) => {
    const { kind, name } = parseSecretRef(ref);
    if (kind === "env") {
      const value = this.#read.env(name);
      registerSecret(value);
      return value;
    }
    if (this.#files.has(name)) return this.#files.get(name);
    this.wanted.add(ref);
    return secretPlaceholder(ref);
  };

  async fetch(): Promise<void> {
    for (const ref of this.wanted) {
      const { name } = parseSecretRef(ref);
      const data = await this.#read.file(name);
      const value = data?.toString("utf8").replace(/\r?\n$/, "");
      registerSecret(value);
      this.#files.set(name, value);
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
