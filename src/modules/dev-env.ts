import type { Config } from "../config/load.js";
import { listUnder } from "../config/source.js";
import { renderTemplate } from "../config/template.js";
import { ConfigError } from "../errors.js";

/**
 * Per-project dev environments (the reference system's `setup-dev-env`):
 * files copied into a project, `.envrc` rendered with {{ project.name }},
 * {{ project.dir }} and the config's user/vars/host. The config repo's
 * templates/dev-env/<name>/ wins over a built-in of the same name.
 */
export interface DevEnvFile {
  path: string;
  data: Buffer;
  executable: boolean;
}

const envrc = (what: string, body: string) =>
  `# {{ project.name }}: ${what} (written by \`dotops dev-env\`; run \`direnv allow\`)\n${body}`;

export const BUILTIN_DEV_ENVS: Record<string, Record<string, string>> = {
  python: {
    ".envrc": envrc(
      "Python",
      "layout python3\nexport PYTHONDONTWRITEBYTECODE=1\nwatch_file requirements.txt pyproject.toml\n",
    ),
  },
  nodejs: {
    ".envrc": envrc("Node.js", "layout node\nexport NODE_ENV=development\nwatch_file package.json .nvmrc\n"),
  },
  go: {
    ".envrc": envrc(
      "Go",
      'export GOPATH="{{ project.dir }}/.go"\nPATH_add "$GOPATH/bin"\nwatch_file go.mod\n',
    ),
  },
  rust: {
    ".envrc": envrc(
      "Rust",
      'export CARGO_TARGET_DIR="{{ project.dir }}/target"\nPATH_add "$HOME/.cargo/bin"\nwatch_file Cargo.toml rust-toolchain.toml\n',
    ),
  },
};

const TEMPLATES = "templates/dev-env";

/** Names available: the repo's templates and the built-ins. */
export function devEnvNames(config: Config | null): string[] {
  const fromRepo = config
    ? listUnder(config.source, TEMPLATES).map((p) => p.slice(TEMPLATES.length + 1).split("/")[0] as string)
    : [];
  return [...new Set([...fromRepo, ...Object.keys(BUILTIN_DEV_ENVS)])].sort();
}

export function devEnvFiles(
  config: Config | null,
  name: string,
  project: { name: string; dir: string },
): DevEnvFile[] {
  const dir = `${TEMPLATES}/${name}`;
  const fromRepo = config ? listUnder(config.source, dir) : [];
  const raw: { rel: string; data: Buffer; executable: boolean; file: string }[] = fromRepo.length
    ? fromRepo.map((p) => {
        const f = config?.source.files.get(p);
        return {
          rel: p.slice(dir.length + 1),
          data: f?.data ?? Buffer.alloc(0),
          executable: f?.type === "exec",
          file: p,
        };
      })
    : Object.entries(BUILTIN_DEV_ENVS[name] ?? {}).map(([rel, text]) => ({
        rel,
        data: Buffer.from(text),
        executable: false,
        file: `(built-in ${name})/${rel}`,
      }));
  if (!raw.length) {
    throw new ConfigError([
      { message: `no dev-env template "${name}"; available: ${devEnvNames(config).join(", ")}` },
    ]);
  }
  const ctx = {
    project,
    ...(config
      ? {
          user: config.user,
          vars: config.vars,
          host: { name: config.host.name, platform: config.host.platform },
        }
      : {}),
  };
  return raw.map((f) => {
    // `.envrc` and `*.tmpl` files are templates; everything else is copied as is.
    const templated = f.rel === ".envrc" || f.rel.endsWith("/.envrc") || f.rel.endsWith(".tmpl");
    const path = f.rel.replace(/\.tmpl$/, "");
    const data = templated
      ? Buffer.from(renderTemplate(f.data.toString("utf8"), ctx, { file: f.file, line: 1, col: 1 }))
      : f.data;
    return { path, data, executable: f.executable };
  });
}
