/** A symlink in HOME into the current generation's home tree (atomic switch). */
export type LinkResource = {
  kind: "link";
  id: string;
  /** Store object the generation tree points at. */
  object: string;
  /** Holds `!secret` values: plans show no diff of it. */
  secret?: true;
};
