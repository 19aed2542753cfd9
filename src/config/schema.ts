import { z } from "zod";
import { InputsShape } from "../inputs/schema.js";
import { ProgramsSchema } from "../modules/programs/schema.js";
import { ShellSchema } from "../modules/shell/schema.js";
import { BlockEntryShape } from "../resources/block/schema.js";
import { DefaultsSchema, RestartOnChangeSchema } from "../resources/defaults/schema.js";
import { HomebrewSchema } from "../resources/homebrew/schema.js";
import { NixSchema } from "../resources/nix/schema.js";
import { ScriptSchema } from "../resources/script/schema.js";

import { ServiceSchema } from "../resources/services/schema.js";
import { RolloutSchema } from "../rollout/schema.js";
import { DURATION_HINT, DURATION_PATTERN } from "./duration.js";

/** `!secret env:NAME` or `!secret file:PATH` as the YAML loader leaves it (secret.ts resolves it). */
export const SecretRefSchema = z
  .strictObject({
    $secret: z
      .string()
      .regex(/^(env|file):.+$/, "write !secret env:NAME or !secret file:PATH")
      .describe(
        "What the YAML tag `!secret env:NAME` or `!secret file:PATH` becomes; write the tag, not this key.",
      ),
  })
  .describe(
    "A secret: !secret env:NAME or !secret file:PATH, resolved at apply time. A file must be in HOME (~/...) or in a directory this machine lists in DOTOPS_SECRET_DIRS.",
  );

/**
 * The config schema. It is the documentation: every option says what it does,
 * and `dotops schema` exports it as JSON Schema for editor completion.
 * Fragment keys (user, vars, files) may appear in any imported file; entry
 * keys (version, imports, hosts, agent) only in dotops.yaml.
 */

// The grammar lives in duration.ts, shared with the command line (--interval, --older-than).
const duration = z
  .string()
  .regex(DURATION_PATTERN, DURATION_HINT)
  .describe('A duration: a number followed by ms, s, m, h or d, e.g. "60s".');

export const FileModeSchema = z
  .enum(["link", "copy", "template", "block"])
  .describe(
    'link: a symlink into the current generation (switches atomically); copy: a real file, for tools that refuse symlinks or need permissions; template: rendered as a Liquid template, then linked: {{ user.* }}, {{ vars.* }}, {{ host.name }}, {{ host.platform }} (also {{ os }}), {{ hostname }}, {% if %}/{% for %}, the functions {{ "NAME" | env }}, {{ "cmd" | lookPath }}, {{ "cmd" | output: "arg" }}; an undefined name is an error; a literal {{ is written {{ "{{" }} or inside {% raw %}…{% endraw %}; templates read no other files ({% include %}, {% render %} and {% layout %} are refused); block: a marker-delimited block of `content` inside a file you otherwise own.',
  );

export const FileEntrySchema = z
  .strictObject({
    target: z
      // In YAML a bare `~` is null: `target: ~` means HOME, as the user wrote it.
      .union([z.string().min(1), z.null()])
      .transform((t) => t ?? "~")
      .describe(
        "Where the file goes, inside HOME: `~/.gitconfig` or a path relative to HOME. A directory source may go to `~` itself (a home mirror: `{ target: ~, source: home }`). Two entries for one target are a conflict, except: an entry from a host's own imports (hosts.<name>.imports) replaces a common entry with the same target, and within a tree the entry naming the deeper target wins (`{ target: ~/.zshrc, … }` beside `{ target: ~, source: home }` replaces home/.zshrc).",
      ),
    source: z
      .string()
      .min(1)
      .optional()
      .describe(
        "A file or directory in the config repo (e.g. files/gitconfig). A directory manages each file inside; `.` is the whole repo (a repo that mirrors HOME). Files of the repo itself (dotops.yaml, dotops.lock, the imported config files, .dotopsignore, .dotops/, .gitmodules) and paths matched by `ignore` or the repo's .dotopsignore are left out.",
      ),
    text: z
      .string()
      .optional()
      .describe("Inline content instead of a source file (templated when mode is template)."),
    mode: FileModeSchema.optional().meta({ default: "link" }),
    permissions: z
      .string()
      .regex(/^0?[0-7]{3}$/, 'octal permissions like "0600"')
      .optional()
      .describe(
        'Octal permissions, e.g. "0600". A file needs mode copy (links point into the read-only store). For a directory source they are the target directory\'s own (`~/.gnupg`: "0700"), and files copied into it get them without the execute bits unless they are executable.',
      ),
    executable: z.boolean().optional().describe("Mark the file executable (default: as recorded in Git)."),
    symlinks: z
      .enum(["skip", "keep"])
      .optional()
      .meta({ default: "skip" })
      .describe(
        "Symlinks in the source that lead out of the repo: skip them with a warning (default), or keep them as links with the same text. Links inside the repo are always followed (a link between directories of one source stays a link).",
      ),
    ...BlockEntryShape,
    ignore: z
      .array(z.string().min(1))
      .optional()
      .describe(
        "For a directory source: paths inside it to leave out, in .gitignore syntax (`README.md`, `*.swp`, `/install.sh`, `!keep.swp`). The repo-wide `.dotopsignore` (same syntax, relative to the repo root) applies to every directory source too. A pattern that matches nothing is a warning.",
      ),
    hosts: z
      .array(z.string().min(1))
      .optional()
      .describe("Only on these hosts (names from dotops.yaml hosts)."),
    platform: z.enum(["darwin", "linux"]).optional().describe("Only on hosts of this platform."),
    exact: z
      .boolean()
      .optional()
      .describe(
        "For a directory source: the target directory holds only what dotops manages. Anything else in it (and in its subdirectories) is removed: a destructive change (needs --allow-destructive), moved to the state dir's trash until `dotops gc`.",
      ),
  })
  .describe("A dotfile managed by dotops (Home Manager's home.file).");

export const UserSchema = z
  .strictObject({
    name: z.string().optional().describe("Full name, e.g. for git commits."),
    email: z.string().optional().describe("Email address, e.g. for git commits."),
    editor: z.string().optional().describe("Preferred editor command."),
  })
  .catchall(z.string())
  .describe("Personal settings, available to templates as {{ user.<key> }}.");

export const FragmentShape = {
  user: UserSchema.optional(),
  vars: z
    .record(
      z.string(),
      z.union([z.string(), z.number(), z.boolean(), SecretRefSchema], {
        error: "expected a string, number, boolean or !secret env:NAME",
      }),
    )
    .optional()
    .describe("Free-form values for templates: {{ vars.<key> }}."),
  files: z.array(FileEntrySchema).optional().describe("Dotfiles to manage."),
  services: z
    .array(ServiceSchema)
    .optional()
    .describe("User services: launchd agents on darwin, systemd user units on linux."),
  scripts: z
    .array(ScriptSchema)
    .optional()
    .describe("Scripts run after the files are in place: once, on change, or always."),
  homebrew: HomebrewSchema.optional(),
  defaults: DefaultsSchema.optional(),
  currentHostDefaults: DefaultsSchema.optional().describe(
    "Like defaults, for this Mac only (`defaults -currentHost`).",
  ),
  restartOnChange: RestartOnChangeSchema.optional(),
  programs: ProgramsSchema.optional(),
  shell: ShellSchema.optional(),
  nix: NixSchema.optional(),
};

export const HealthCheckSchema = z.strictObject({
  name: z.string().describe("What the check proves, for logs and reports."),
  run: z
    .array(z.string())
    .min(1)
    .describe(
      "Command and arguments, run in HOME without a shell; a word that is `~` or starts with `~/` is expanded as a shell would.",
    ),
  timeout: duration
    .optional()
    .meta({ default: "30s" })
    .describe("Time limit of the command; one still running then fails the check."),
});

export const GitHubAppSchema = z
  .strictObject({
    appId: z
      .union([z.number().int().positive(), z.string().min(1)])
      .describe("The GitHub App's id (or client id), from its settings page."),
    privateKeyFile: z
      .string()
      .optional()
      .describe(
        "The App's private key (.pem); env DOTOPS_GITHUB_APP_PRIVATE_KEY (the PEM itself) comes first.",
      ),
    installationId: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("The App's installation on the repo; default: asked of GitHub (one call per new token)."),
  })
  .describe(
    "Authenticate as a GitHub App installation instead of with a token: the agent signs a JWT with the App's key and exchanges it for an installation token (an hour; cached in the state dir, renewed 5 minutes before it expires).",
  );

export const GitHubReportSchema = z
  .strictObject({
    repo: z
      .string()
      .regex(/^[\w.-]+\/[\w.-]+$/, "owner/name")
      .describe("owner/name of the config repo on GitHub."),
    apiUrl: z
      .string()
      .url()
      .optional()
      .describe("GitHub API URL; for GitHub Enterprise Server its /api/v3 URL."),
    tokenFile: z
      .string()
      .optional()
      .describe("File holding a token (env DOTOPS_GITHUB_TOKEN comes first; `app` second)."),
    app: GitHubAppSchema.optional(),
    statuses: z
      .boolean()
      .optional()
      .meta({ default: true })
      .describe(
        "Set a commit status dotops/<host> per applied commit (default true): one API call per commit per host.",
      ),
    pending: z
      .boolean()
      .optional()
      .meta({ default: false })
      .describe(
        "Also set a `pending` status when an apply starts (default false): a second API call per commit per host.",
      ),
    deployments: z
      .boolean()
      .optional()
      .meta({ default: false })
      .describe(
        "Create a GitHub Deployment per host environment and commit (default false): two more API calls per commit per host (create, final status), three with `pending`.",
      ),
    timeout: duration
      .optional()
      .meta({ default: "10s" })
      .describe(
        "Time limit of each GitHub API request (default 10s). Reporting never delays an apply; at the end of a pass it gets twice this long to finish, then gives up.",
      ),
  })
  .describe(
    "Report each applied commit to GitHub: a commit status dotops/<host> (and optionally a Deployment), which `dotops fleet` reads. Credentials: env DOTOPS_GITHUB_TOKEN, else app, else tokenFile.",
  );

export const AgentSchema = z
  .strictObject({
    branch: z
      .string()
      .optional()
      .describe(
        "Branch the agent follows (--branch overrides it). Default: the remote's default branch (the HEAD of the agent's clone; in a work tree origin/HEAD, else the branch checked out). A branch other than that one is a testing branch: its commits must be on top of the default branch.",
      ),
    remote: z
      .string()
      .optional()
      .describe(
        "URL of the config repo the agent clones into the state dir. The first clone needs `dotops agent --remote URL` (no config exists yet); afterwards the agent follows this value from the applied config, as Flux follows a GitRepository's url: when it changes, the clone's origin is switched to it (logged), and the new remote's commits must still descend from the applied one. --remote overrides it. Ignored when the agent follows a work tree (--repo, DOTOPS_REPO or the current dir), whose origin is the user's.",
      ),
    interval: duration
      .optional()
      .meta({ default: "60s" })
      .describe(
        "How often to poll the remote (jittered ±10 %; doubled after each failure while offline, up to 15m). --interval overrides it. An idle poll is one `git ls-remote`.",
      ),
    passTimeout: duration
      .optional()
      .meta({ default: "30m" })
      .describe(
        "Time limit of one reconcile pass of the long-running agent (default 30m): a pass still running then is killed with what it started, logged as failed and retried with backoff; an apply it interrupted is recovered from the journal.",
      ),
    requireSignedCommits: z
      .boolean()
      .optional()
      .meta({ default: false })
      .describe(
        "Refuse commits (and inputs' locked commits) not signed by one of trustedSigners. The policy is read from the config already applied, so a commit cannot switch it off for itself.",
      ),
    trustedSigners: z
      .array(z.string())
      .optional()
      .describe(
        'Who may sign with requireSignedCommits: SSH allowed-signers lines ("alice@example.com ssh-ed25519 AAAA…") or GPG key ids.',
      ),
    allowForcePush: z
      .boolean()
      .optional()
      .meta({ default: false })
      .describe(
        "Accept a tip that does not descend from the last applied commit (a rewritten history); refused otherwise (exit 4).",
      ),
    allowDestructive: z
      .boolean()
      .optional()
      .meta({ default: false })
      .describe(
        "Let the agent carry out destructive steps (an uninstall when a brew or cask leaves the config, as when you `git revert` the commit that added it; removing a copy edited by hand, whose edits go to the trash). Off: such a commit is refused (exit 4) until `dotops apply --allow-destructive` on that machine. Read from the config already applied, like the other policies.",
      ),
    onDrift: z
      .enum(["report", "heal"])
      .optional()
      .meta({ default: "report" })
      .describe(
        "What the agent does between commits when the machine differs from the current generation: report logs it (and `dotops status` names it); heal applies the generation again.",
      ),
    healthChecks: z
      .array(HealthCheckSchema)
      .optional()
      .describe(
        "Commands run after each apply; when one fails, the previous generation is switched back (exit 5 for `agent --once`).",
      ),
    github: GitHubReportSchema.optional(),
  })
  .describe("The GitOps agent's policy.");

export const MaintainSchema = z
  .strictObject({
    keep: z
      .number()
      .int()
      .min(1)
      .optional()
      .meta({ default: 10 })
      .describe(
        "Keep the newest N generations (the current one always stays). Default 10 when olderThan is not set.",
      ),
    olderThan: duration
      .optional()
      .describe('Delete generations older than this, e.g. "30d" (with keep: past both).'),
  })
  .describe("What `dotops maintain` (health-maintain) collects: its gc policy.");

export const HostSchema = z.strictObject({
  platform: z.enum(["darwin", "linux"]).describe("darwin (macOS) or linux."),
  imports: z
    .array(z.string())
    .optional()
    .describe("Files (globs) merged only for this host, after the common ones."),
  agent: AgentSchema.partial().optional().describe("Per-host agent overrides, e.g. a testing branch."),
  wave: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      "This host's wave in the staged rollout (needs `rollout:`); instead of listing it in rollout.waves.",
    ),
});

const SchemaKey = z
  .string()
  .optional()
  .describe(
    "The JSON Schema editors validate this file with; dotops ignores it. Prefer the comment `# yaml-language-server: $schema=.dotops/schema.json` (written by `dotops schema --write`).",
  );

export const EntrySchema = z
  .strictObject({
    $schema: SchemaKey,
    version: z.literal(1).describe("Config format version."),
    imports: z
      .array(z.string())
      .optional()
      .describe("Files (globs) merged in order; later wins, lists append."),
    hosts: z
      .record(z.string().meta({ title: "host" }), HostSchema)
      .describe("The machines this repo describes."),
    agent: AgentSchema.optional(),
    maintain: MaintainSchema.optional(),
    rollout: RolloutSchema.optional(),
    ...InputsShape,
    ...FragmentShape,
  })
  .describe("dotops.yaml: the entry of a dotops config repo.");

export const FragmentSchema = z.strictObject({ $schema: SchemaKey, ...FragmentShape });

export type FileEntry = z.infer<typeof FileEntrySchema>;
export type AgentConfig = z.infer<typeof AgentSchema>;
export type MaintainConfig = z.infer<typeof MaintainSchema>;
export type HostEntry = z.infer<typeof HostSchema>;
export type Entry = z.infer<typeof EntrySchema>;

/** JSON Schema of the input side (defaults stay optional), for editors: dotops.yaml or an imported file. */
export function configJsonSchema(which: "entry" | "fragment" = "entry"): Record<string, unknown> {
  return z.toJSONSchema(which === "entry" ? EntrySchema : FragmentSchema, {
    io: "input",
    unrepresentable: "any",
  }) as Record<string, unknown>;
}
