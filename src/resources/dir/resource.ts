/** A directory in HOME that managed files live in. */
export type DirResource = { kind: "dir"; id: string };
