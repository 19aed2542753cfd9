import { z } from "zod";

const gitScalar = z.union([z.string(), z.number(), z.boolean()], {
  error: "expected a string, number or boolean",
});
const gitValue = z.union([gitScalar, z.array(gitScalar)], {
  error: "expected a value, or a list of values for a multi-valued key",
});

/** `section → key → value`, or `section → subsection → key → value` (Home Manager's gitIniType). */
export const GitIniSchema = z.record(
  z.string(),
  z.record(
    z.string(),
    z.union([gitValue, z.record(z.string(), gitValue)], {
      error: "expected a value, a list of values, or a map of a subsection's keys",
    }),
  ),
);

export const GitSchema = z
  .strictObject({
    enable: z.boolean().optional().describe("Write ~/.config/git/config (and ~/.config/git/ignore)."),
    userName: z
      .string()
      .optional()
      .describe("user.name; default: user.name of user-config.yaml. Templated like every string option."),
    userEmail: z.string().optional().describe("user.email; default: user.email of user-config.yaml."),
    signing: z
      .strictObject({
        key: z
          .string()
          .nullable()
          .optional()
          .describe(
            "user.signingKey: a GPG key id, or for format ssh a public key file (~/.ssh/id_ed25519.pub) or key::<literal key>; null lets the signer choose.",
          ),
        format: z
          .enum(["openpgp", "ssh", "x509"])
          .optional()
          .describe("gpg.format (default openpgp, as in git)."),
        signByDefault: z
          .boolean()
          .optional()
          .describe("Sign every commit and tag: commit.gpgSign and tag.gpgSign."),
        signer: z
          .string()
          .optional()
          .describe("The signing program: gpg.program, gpg.ssh.program or gpg.x509.program by format."),
      })
      .optional()
      .describe("Commit and tag signing."),
    aliases: z
      .record(z.string(), z.string())
      .optional()
      .describe("Git aliases ([alias]); a value starting with ! runs in a shell."),
    includes: z
      .array(
        z.strictObject({
          path: z.string().min(1).describe("The file to include (~ is expanded by git)."),
          condition: z
            .string()
            .optional()
            .describe('Include only when it holds: [includeIf "<condition>"], e.g. gitdir:~/work/.'),
        }),
      )
      .optional()
      .describe("Other config files to include, optionally conditionally ([include] / [includeIf])."),
    ignores: z
      .array(z.string())
      .optional()
      .describe("Global ignore patterns: ~/.config/git/ignore, git's default core.excludesFile."),
    attributes: z
      .array(z.string())
      .optional()
      .describe("Global attributes: ~/.config/git/attributes, git's default core.attributesFile."),
    extraConfig: z
      .union([z.string(), GitIniSchema], {
        error: "expected a map of sections (pull: { rebase: true }) or the text of config lines",
      })
      .optional()
      .describe(
        'More configuration: section → key → value, a nested map for a subsection (url: { "git@github.com:": { insteadOf: https://github.com/ } }), a list for a multi-valued key; or raw config text appended as it is.',
      ),
  })
  .describe("Git (Home Manager's programs.git): ~/.config/git/config, ignore and attributes.");

export type GitOptions = z.infer<typeof GitSchema>;
export type GitIni = z.infer<typeof GitIniSchema>;
