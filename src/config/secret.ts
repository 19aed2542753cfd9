import { z } from "zod";

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
