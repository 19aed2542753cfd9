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
  convert(text: string, file: string): ImportResult;
}

/** One entry of a directory tree handed to a tree importer (read through the Host by the command). */
export interface TreeEntry {
  /** Relative to the tree's root, `/`-separated. */
  path: string;
  type: "file" | "dir" | "symlink";
  /** Permission bits. */
  mode: number;
  /** A file's bytes; a symlink's text; empty for a directory. */
  data: Buffer;
}

/** A file a tree importer writes into the dotops repo, beside its YAML. */
export interface OutputFile {
  data: Buffer;
  mode: number;
  /** Written as a symlink with `data` as its text. */
  symlink?: true;
}

export interface TreeImportResult {
  /** Repo-relative path → YAML text (config) or a file to write (content copied from the tree). */
  files: Record<string, string | OutputFile>;
  /** Paths of the tree left out, with why. */
  skipped: { path: string; reason: string }[];
  counts: Record<string, number>;
  /** Things converted with a caveat the user must hear (a template variable to define). */
  notes?: string[];
}

export interface TreeImportOptions {
  /** Where the tree is inside the dotops repo ("" its top), or null: it is elsewhere, so content is copied in. */
  inRepo: string | null;
}

/** An importer of a directory tree (a stow directory, a chezmoi source state): a listing in, files out. */
export interface TreeImporter {
  convertTree(entries: TreeEntry[], opts: TreeImportOptions): TreeImportResult;
}
