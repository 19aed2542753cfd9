import type { z } from "zod";
import { ConfigError, type ConfigProblem } from "../errors.js";
import type { ProgramsConfig } from "../modules/programs/schema.js";
import type { ShellConfig } from "../modules/shell/schema.js";
import type { HomebrewConfig } from "../resources/homebrew/schema.js";
import type { NixConfig } from "../resources/nix/schema.js";
import type { ScriptConfig } from "../resources/script/schema.js";
import type { ServiceConfig } from "../resources/services/schema.js";
import { type Rollout, rolloutFor, rolloutProblems } from "../rollout/waves.js";
import { isGlob, matchGlob } from "./glob.js";
import { externalFiles, rebaseInputPaths } from "./input-paths.js";
import type { MachineFacts } from "./machine.js";
import {
  type AgentConfig,
  EntrySchema,
  type FileEntry,
  FragmentSchema,
  type HostEntry,
  type MaintainConfig,
} from "./schema.js";
import type { SecretRef, SecretResolver, SecretStore } from "./secret.js";
import { type ConfigSource, mountOf, normalizeRepoPath, resolveSourcePath } from "./source.js";
import type { TemplateFunctions } from "./template.js";
import {
  formatPath,
  type Located,
  mergeYaml,
  originOf,
  type ParsedYaml,
  type Path,
  parseYaml,
  YAML_LIMITS,
} from "./yaml.js";

export const ENTRY_FILE = "dotops.yaml";

/** Keys only dotops.yaml may hold. */
const ENTRY_ONLY = ["version", "imports", "hosts", "agent", "maintain", "rollout", "inputs", "externals"];

export interface HostInfo {
  name: string;
  platform: "darwin" | "linux";
}

/** The merged, validated config for one host. */
export interface Config {
  source: ConfigSource;
  host: HostInfo;
  hostNames: string[];
  user: Record<string, string>;
  vars: Record<string, string | number | boolean | SecretRef>;
  files: FileEntry[];
  services: ServiceConfig[];
  scripts: ScriptConfig[];
  homebrew: HomebrewConfig;
  defaults: Record<string, Record<string, unknown>>;
  currentHostDefaults: Record<string, Record<string, unknown>>;
  restartOnChange: Record<string, string>;
  /** programs: git, zsh, starship, … (modules/programs). */
  programs: ProgramsConfig;
  /** Absent when no file has `shell:`: then no environment files and no rc blocks. */
  shell?: ShellConfig;
  nix: NixConfig;
  agent: AgentConfig;
  /** Where every value came from, for errors and plans. */
  located: Located;
  /** Resolves `!secret` values; absent where the machine is not involved (placeholders instead). */
  resolveSecret?: SecretResolver;
  /** What templates ask of this machine (env, lookPath, output, hostname); absent: placeholders. */
  machine?: TemplateFunctions;
  /** The files merged for this host only (hosts.<name>.imports): their file entries override common ones. */
  hostFiles: ReadonlySet<string>;
  /** The repo's own files (dotops.yaml, every file any host imports): never deployed as part of a tree. */
  configFiles: ReadonlySet<string>;
}

export interface LoadOptions {
  /** --host */
  host?: string;
  /** This machine's short hostname, to pick the host when --host is absent. */
  hostname?: string;
  resolveSecret?: SecretResolver;
  /** Secrets read from the machine on demand (withContent fetches them): the resolver when resolveSecret is not given. */
  secrets?: SecretStore;
  /** Facts of this machine templates ask for, read on demand like secrets (withContent fetches them). */
  machine?: MachineFacts;
}

export function loadConfig(source: ConfigSource, opts: LoadOptions = {}): Config {
  const entry = readEntry(source);
  if ((entry.value.inputs || entry.value.externals) && !source.mounts)
    throw new Error(`internal: ${source.label} was read without its inputs (no input cache given)`);
  const hostName = selectHost(entry.value, opts);
  const hostEntry = entry.value.hosts[hostName] as HostEntry;

  // The entry as read once (readEntry), copied: merging copies what it changes, and the maps
  // of origins are the merge's own. Converting it again for each host cost hosts² with many.
  const located: Located = {
    value: { ...entry.located.value },
    origins: new Map(entry.located.origins),
    texts: new Map(entry.located.texts),
  };
  const problems: ConfigProblem[] = [];
  const hostFiles = new Set<string>();
  let scalars = entry.parsed.scalars;
  const importLists: [Path, string[]][] = [
    [["imports"], entry.value.imports ?? []],
    [["hosts", hostName, "imports"], hostEntry.imports ?? []],
  ];
  for (const [listPath, patterns] of importLists) {
    patterns.forEach((pattern, i) => {
      const at: Path = [...listPath, i];
      for (const file of resolveImport(source, pattern, at, entry.located, problems)) {
        const link = symlinkProblem(source, file);
        if (link) {
          problems.push({ message: link, origin: originOf(entry.located, at), path: formatPath(at) });
          continue;
        }
        const parsed = parseFile(source, file);
        // Each file is limited; so are they together (a glob can import a thousand files).
        scalars += parsed.scalars;
        if (scalars > YAML_LIMITS.scalars) {
          problems.push({
            message: `the config holds more than ${YAML_LIMITS.scalars} keys and values in all (${file} passes it): refused (config is not data)`,
            origin: originOf(entry.located, at),
            path: formatPath(at),
          });
          throw new ConfigError(problems);
        }
        validate(FragmentSchema, fileLocated(parsed), problems, (key) =>
          ENTRY_ONLY.includes(key) ? `"${key}" belongs in ${ENTRY_FILE}, not in an imported file` : undefined,
        );
        mergeYaml(located, parsed);
        if (listPath[0] === "hosts") hostFiles.add(file);
      }
    });
  }
  if (problems.length) throw new ConfigError(problems);
  problems.push(...rebaseInputPaths(source, located));
  if (problems.length) throw new ConfigError(problems);
  // `hosts` was validated with the entry, and only the entry has it: not again for each host.
  const merged = validate(EntrySchema, { ...located, value: { ...located.value, hosts: {} } }, problems);
  if (!merged || problems.length) throw new ConfigError(problems);

  return {
    source,
    host: { name: hostName, platform: hostEntry.platform },
    hostNames: Object.keys(entry.value.hosts).sort(),
    user: (merged.user ?? {}) as Record<string, string>,
    vars: merged.vars ?? {},
    files: [...(merged.files ?? []), ...externalFiles(entry.value, located, merged.files?.length ?? 0)],
    services: merged.services ?? [],
    scripts: merged.scripts ?? [],
    homebrew: merged.homebrew ?? {},
    defaults: (merged.defaults ?? {}) as Config["defaults"],
    currentHostDefaults: (merged.currentHostDefaults ?? {}) as Config["defaults"],
    restartOnChange: merged.restartOnChange ?? {},
    programs: merged.programs ?? {},
    ...(merged.shell ? { shell: merged.shell } : {}),
    nix: merged.nix ?? {},
    agent: { ...merged.agent, ...hostEntry.agent },
    located,
    resolveSecret: opts.resolveSecret ?? opts.secrets?.resolve,
    machine: opts.machine?.functions,
    hostFiles,
    configFiles: configFilesOf(source, entry.value),
  };
}

/**
 * Validates every host (dotops check); collects all problems before failing.
 * `build` runs further pure checks per host (the modules) whose problems are
 * collected the same way. A problem shared by several hosts is reported once.
 */
export function checkAllHosts(source: ConfigSource, build?: (config: Config) => void): Config[] {
  const entry = readEntry(source);
  const configs: Config[] = [];
  const found = new Map<string, { problem: ConfigProblem; hosts: string[] }>();
  for (const name of Object.keys(entry.value.hosts).sort()) {
    try {
      const config = loadConfig(source, { host: name });
      build?.(config);
      configs.push(config);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const p of err.problems) {
        const key = JSON.stringify([p.message, p.origin, p.path]);
        const seen = found.get(key);
        if (seen) seen.hosts.push(name);
        else found.set(key, { problem: p, hosts: [name] });
      }
    }
  }
  if (found.size) {
    throw new ConfigError(
      [...found.values()].map(({ problem, hosts }) => ({
        ...problem,
        message: `${problem.message} [host${hosts.length > 1 ? "s" : ""} ${hosts.join(", ")}]`,
      })),
    );
  }
  return configs;
}

/** The agent's policy for the host (dotops.yaml alone: `agent` is entry-only, so no import or input is read). */
export function loadPolicy(
  source: ConfigSource,
  opts: LoadOptions = {},
): { agent: AgentConfig; host: { name: string }; maintain: MaintainConfig; rollout?: Rollout } {
  const entry = readEntry(source);
  const name = selectHost(entry.value, opts);
  const hostEntry = entry.value.hosts[name] as HostEntry;
  const rollout = rolloutFor(entry.value, name);
  return {
    agent: { ...entry.value.agent, ...hostEntry.agent },
    host: { name },
    maintain: entry.value.maintain ?? {},
    ...(rollout ? { rollout } : {}),
  };
}

export function listHosts(source: ConfigSource): Record<string, HostEntry> {
  return readEntry(source).value.hosts as Record<string, HostEntry>;
}

/** Does dotops.yaml declare inputs or externals (whose files only the input cache can read)? */
export function declaresInputs(source: ConfigSource): boolean {
  const entry = readEntry(source).value;
  return Boolean(entry.inputs || entry.externals);
}

/** configFilesOf per entry value (it is the same for every host of a snapshot). */
const configFilesCache = new WeakMap<object, Set<string>>();

/** dotops.yaml and every file the entry or any host imports. */
function configFilesOf(source: ConfigSource, entry: z.infer<typeof EntrySchema>): Set<string> {
  const known = configFilesCache.get(entry);
  if (known) return known;
  const files = configFilesOnce(source, entry);
  configFilesCache.set(entry, files);
  return files;
}

function configFilesOnce(source: ConfigSource, entry: z.infer<typeof EntrySchema>): Set<string> {
  const paths = [...source.files.keys()];
  const patterns = [...(entry.imports ?? []), ...Object.values(entry.hosts).flatMap((h) => h.imports ?? [])];
  const out = new Set([ENTRY_FILE]);
  for (const p of patterns) for (const f of isGlob(p) ? matchGlob(paths, p) : [p]) out.add(f);
  return out;
}

/** Hosts one repo may describe: `check` and the Action load the whole config once per host. */
export const MAX_HOSTS = 100;

type Entry = { parsed: ParsedYaml; located: Located; value: z.infer<typeof EntrySchema> };

/** The entry as read from a snapshot, once: every host's load starts from it (see parsedFiles). */
const entries = new WeakMap<ConfigSource, { parsed: ParsedYaml; entry: Entry }>();

function readEntry(source: ConfigSource): Entry {
  const known = entries.get(source);
  if (known && source.files.get(ENTRY_FILE) && known.parsed === parseFile(source, ENTRY_FILE))
    return known.entry;
  const entry = readEntryOnce(source);
  entries.set(source, { parsed: entry.parsed, entry });
  return entry;
}

function readEntryOnce(source: ConfigSource): Entry {
  if (!source.files.has(ENTRY_FILE)) {
    throw new ConfigError([
      {
        message: `no ${ENTRY_FILE} in ${source.label}: is this a dotops config repo? (create one with \`dotops init\`)`,
      },
    ]);
  }
  const link = symlinkProblem(source, ENTRY_FILE);
  if (link) throw new ConfigError([{ message: link }]);
  const parsed = parseFile(source, ENTRY_FILE);
  const located = fileLocated(parsed);
  const problems: ConfigProblem[] = [];
  // Counted before validation, which costs per host too.
  const given = located.value.hosts;
  const hosts = typeof given === "object" && given !== null ? Object.keys(given).length : 0;
  if (hosts > MAX_HOSTS)
    throw new ConfigError([
      {
        message: `${hosts} hosts: dotops loads the whole config once per host (check, and the Action on every pull request), and takes at most ${MAX_HOSTS}; split the machines over several repos`,
        origin: originOf(located, ["hosts"]),
      },
    ]);
  const value = validate(EntrySchema, located, problems);
  if (!value || problems.length) throw new ConfigError(problems);
  problems.push(
    ...rolloutProblems(value, (path) => ({ origin: originOf(located, path), path: formatPath(path) })),
  );
  if (problems.length) throw new ConfigError(problems);
  return { parsed, located, value };
}

/**
 * A config file committed as a symlink: Git stores the link's text, which is
 * not YAML, and following it out of the repo would read the machine's files
 * (a PR's `../../etc/x`). Refused, naming where it points and what to import instead.
 */
function symlinkProblem(source: ConfigSource, file: string): string | undefined {
  const f = source.files.get(file);
  if (f?.type !== "symlink") return undefined;
  const to = resolveSourcePath(source, file);
  const inRepo = !to.loop && to.file && to.file.type !== "symlink" ? `, or import ${to.path}` : "";
  return `${file} is a symlink (to ${f.data.toString("utf8")}): commit the config file itself${inRepo}`;
}

/**
 * Parsed files, per snapshot: `check` loads the config once per host and a
 * lazy snapshot's pass runs again after each read, so without this a file is
 * parsed hosts × rounds times (a config of 100 hosts, 100 times). Keyed by the
 * very bytes parsed: a lazy file read since is parsed anew.
 */
const parsedFiles = new WeakMap<ConfigSource, Map<string, { data: Buffer; parsed: ParsedYaml }>>();

function parseFile(source: ConfigSource, file: string): ParsedYaml {
  const f = source.files.get(file);
  if (!f) throw new ConfigError([{ message: `${file} not found in ${source.label}` }]);
  const data = f.data;
  const cache = parsedFiles.get(source) ?? new Map();
  parsedFiles.set(source, cache);
  const hit = cache.get(file);
  if (hit?.data === data) return hit.parsed;
  const parsed = parseYaml(file, data.toString("utf8"));
  cache.set(file, { data, parsed });
  return parsed;
}

function fileLocated(parsed: ParsedYaml): Located {
  const l: Located = { value: {}, origins: new Map() };
  mergeYaml(l, parsed);
  return l;
}

function resolveImport(
  source: ConfigSource,
  pattern: string,
  at: Path,
  entry: Located,
  problems: ConfigProblem[],
): string[] {
  const paths = [...source.files.keys()];
  const fail = (message: string): string[] => {
    problems.push({ message, origin: originOf(entry, at), path: formatPath(at) });
    return [];
  };
  // Patterns only ever match the commit's own paths: one that could only leave the repo is a slip or a probe.
  if (pattern.startsWith("/"))
    return fail(`import "${pattern}" is an absolute path: imports are paths inside the config repo`);
  const normal = normalizeRepoPath(pattern);
  if (normal === ".." || normal.startsWith("../"))
    return fail(`import "${pattern}" leaves the repo: imports are paths inside the config repo`);
  // Written inside an input, it stays there: `inputs.base/../x.yaml` is not the input's file.
  const named = source.mounts?.find((m) => pattern.startsWith(m.prefix));
  if (named && !`${normal}/`.startsWith(named.prefix))
    return fail(`import "${pattern}" leaves input ${named.key}: name the file where it is`);
  // A glob reaches into an input only when it names it: `**/*.yaml` is the repo's own files.
  if (isGlob(pattern))
    return matchGlob(paths, pattern).filter(
      (p) => p !== ENTRY_FILE && pattern.startsWith(mountOf(source, p)?.prefix ?? ""),
    );
  if (pattern === ENTRY_FILE) return fail(`${ENTRY_FILE} imports itself: list the files it imports instead`);
  if (!source.files.has(pattern)) {
    problems.push({
      message: `imported file ${pattern} does not exist in ${source.label}`,
      origin: originOf(entry, at),
      path: formatPath(at),
    });
    return [];
  }
  return [pattern];
}

function selectHost(entry: z.infer<typeof EntrySchema>, opts: LoadOptions): string {
  const names = Object.keys(entry.hosts).sort();
  const list = names.length ? names.join(", ") : "(none)";
  if (opts.host !== undefined) {
    if (entry.hosts[opts.host]) return opts.host;
    throw new ConfigError([{ message: `host "${opts.host}" is not in ${ENTRY_FILE}; hosts: ${list}` }]);
  }
  if (opts.hostname && entry.hosts[opts.hostname]) return opts.hostname;
  if (names.length === 1) return names[0] as string;
  throw new ConfigError([
    {
      message: `cannot tell which host this is (hostname "${opts.hostname ?? "?"}"); pass --host, one of: ${list}`,
    },
  ]);
}

/** zod validation whose problems point at file:line:col and name the schema path. */
function validate<T extends z.ZodType>(
  schema: T,
  located: Located,
  problems: ConfigProblem[],
  explainKey?: (key: string) => string | undefined,
): z.infer<T> | undefined {
  const r = schema.safeParse(located.value);
  if (r.success) return r.data;
  for (const issue of r.error.issues) {
    const path = issue.path as Path;
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        problems.push({
          message: explainKey?.(key) ?? `unknown key "${key}"`,
          origin: originOf(located, keyPath),
          path: formatPath(keyPath),
        });
      }
      continue;
    }
    const missing =
      issue.code === "invalid_type" && path.length > 0 && valueAt(located.value, path) === undefined;
    problems.push({
      message: missing ? `missing required key "${path.at(-1)}"` : issue.message,
      origin: originOf(located, path),
      path: formatPath(path) || undefined,
    });
  }
  return undefined;
}

function valueAt(value: unknown, path: Path): unknown {
  let v = value;
  for (const p of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}
