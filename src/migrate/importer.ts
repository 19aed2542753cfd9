/**
 * An importer turns another tool's config (a Brewfile, a `.macos` script, a
 * stow or chezmoi repo) into dotops config. Pure: it gets the text and
 * returns the YAML to write and everything it could not convert, each with
 * its line number. Nothing is dropped silently.
 */
export interface ImportResult {
  /** Repo-relative file → YAML text (e.g. system/homebrew.yaml). */
  files: Record<string, string>;
  /** Lines of the input left out, with why. */
  skipped: { line: number; text: string; reason: string }[];
  /** What was converted, for the summary: e.g. { brews: 12, casks: 4 }. */
  counts: Record<string, number>;
}

export interface Importer {
  /** One line for `dotops import --help`. */
  describe: string;
  convert(text: string, file: string): ImportResult;
}
