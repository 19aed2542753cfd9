/** A real file in HOME with its own permissions (mode: copy). */
export type FileResource = { kind: "file"; id: string; object: string; mode: number; secret?: true };
