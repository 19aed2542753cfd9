import { createHash } from "node:crypto";
import type { Blob } from "../resources/types.js";

/** Content address of a blob: sha256 over the exec bit and the bytes, plus a readable name. */
export function makeBlob(data: Buffer, executable: boolean, name: string): Blob {
  const hash = contentHash(data, executable);
  const base = name.split("/").pop() ?? "file";
  const safe = base.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "") || "file";
  return { object: `${hash}-${safe.slice(0, 64)}`, data, executable };
}

/** What a store object's name starts with: its exec bit and bytes, hashed. */
export function contentHash(data: Buffer, executable: boolean): string {
  return createHash("sha256")
    .update(executable ? "x\0" : "-\0")
    .update(data)
    .digest("hex");
}

/** The id Git gives these bytes as a blob (SHA-1 repositories): what `ls-tree` lists. */
export function gitBlobId(data: Buffer): string {
  return createHash("sha1").update(`blob ${data.length}\0`).update(data).digest("hex");
}

export function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** JSON with sorted object keys, so equal values hash equally however they were built. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v) && !Buffer.isBuffer(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
