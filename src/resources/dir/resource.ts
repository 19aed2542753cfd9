/**
 * A directory in HOME that managed files live in. `mode`: its permissions
 * (`~/.gnupg` 0700), else whatever it has. `exact`: it holds only what dotops
 * manages; `keep` names the entries inside that are managed (filled in by the
 * manifest, modules give `exact` only).
 */
export type DirResource = { kind: "dir"; id: string; mode?: number; exact?: true; keep?: string[] };
