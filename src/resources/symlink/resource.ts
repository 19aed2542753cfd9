/** A symlink with fixed text, kept as the repo has it (a link between files of one directory source). */
export type SymlinkResource = {
  kind: "symlink";
  id: string;
  /** The link's text, as readlink(2) returns it. */
  target: string;
};
