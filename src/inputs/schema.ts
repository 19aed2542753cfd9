import { z } from "zod";

/**
 * `inputs:` and `externals:` of dotops.yaml: other Git repositories the config
 * is built from, each pinned to one commit in dotops.lock (flake inputs).
 */

/** Input names become a path (`inputs.<name>/…`) and a lock key: a plain word. */
export const INPUT_NAME = /^[A-Za-z][\w-]{0,63}$/;

const gitUrl = z
  .string()
  .min(1)
  .describe(
    "The repository: a URL git can fetch (https://…, git@host:owner/repo, file://…) or a local path (absolute, or ~/…).",
  );

const ref = z
  .string()
  .regex(/^[^\s~^:?*[\\]+$/, "a branch or tag name")
  .optional()
  .describe("The branch or tag followed by `dotops update` (default: the remote's default branch).");

export const InputSchema = z
  .strictObject({ git: gitUrl, ref })
  .describe(
    "A Git repository whose files this config uses: import its YAML as `inputs.<name>/path.yaml` and use its files as `source: inputs.<name>/files/…`. Paths inside the input's own YAML are relative to the input's root. Pinned in dotops.lock: `dotops lock` adds it, `dotops update` moves it.",
  );

/** How an external's tree is placed; the same for a Git repository and an archive. */
const placement = {
  path: z.string().min(1).optional().describe("A directory inside it to place, instead of all of it."),
  mode: z
    .enum(["link", "copy"])
    .optional()
    .meta({ default: "link" })
    .describe(
      "link (default): each file a symlink into the store; copy: real files, for trees whose tools write beside their files.",
    ),
  ignore: z
    .array(z.string().min(1))
    .optional()
    .describe("Paths inside it to leave out, in .gitignore syntax."),
};

const GitExternalSchema = z.strictObject({ git: gitUrl, ref, ...placement });

const ArchiveExternalSchema = z.strictObject({
  archive: z
    .string()
    .regex(/^(https?:\/\/|~\/|\.{1,2}\/|\/)\S+$/, "an http(s) URL or a local path")
    .describe(
      "An archive (.tar.gz, .tgz, .tar.xz, .tar.bz2, .tar or .zip): an http(s) URL or a local path. dotops.lock pins its sha256; `dotops update` downloads it again.",
    ),
  ...placement,
});

export const ExternalSchema = z
  .union([GitExternalSchema, ArchiveExternalSchema])
  .describe(
    "A Git repository or an archive placed at a target (oh-my-zsh, a zsh or vim plugin, fonts): pinned in dotops.lock like an input, read from the store, switched with the generation, moved by `dotops update`.",
  );

export const InputsShape = {
  inputs: z
    .record(
      z.string().regex(INPUT_NAME, "an input name: a letter, then letters, digits, - or _"),
      InputSchema,
    )
    .optional()
    .describe("Git repositories this config builds on (a shared base), each pinned in dotops.lock."),
  externals: z
    .record(z.string().min(1).meta({ title: "target" }), ExternalSchema)
    .optional()
    .describe(
      "Git repositories and archives placed at a target in HOME (`~/.oh-my-zsh`), each pinned in dotops.lock.",
    ),
};

export type InputDecl = z.infer<typeof InputSchema>;
export type ExternalDecl = z.infer<typeof ExternalSchema>;

/** Where an external's tree appears in the config's snapshot: `.externals/<target below ~>/`. */
export const externalPrefix = (target: string): string =>
  `.externals/${target.replace(/^~\/?/, "").replace(/\/+$/, "")}/`;

/** An archive's declaration or pin, not a Git repository's. */
export const isArchive = <T extends object>(d: T): d is Extract<T, { archive: string }> => "archive" in d;
