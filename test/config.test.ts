import { describe, expect, it } from "vitest";
import { checkAllHosts, type LoadOptions, loadConfig } from "../src/config/load.js";
import { type ConfigSource, type SourceFile, sourceFromRecord } from "../src/config/source.js";
import { ConfigError, type ConfigProblem, ExitCode, formatProblem } from "../src/errors.js";
import { buildManifest } from "../src/modules/manifest.js";
import type { LinkResource } from "../src/resources/link/resource.js";
import type { Resource } from "../src/resources/types.js";

/**
 * Config loading and the files module as pure functions of a snapshot: every
 * bad input is a ConfigError (exit 2) naming file:line:col and the schema path.
 */

const ENTRY = "version: 1\nimports: [home/*.yaml]\nhosts:\n  box:\n    platform: linux\n";

function source(files: Record<string, string>, symlinks: Record<string, string> = {}): ConfigSource {
  const src = sourceFromRecord({ "dotops.yaml": ENTRY, ...files });
  const map = new Map(src.files as Map<string, SourceFile>);
  for (const [path, target] of Object.entries(symlinks))
    map.set(path, { type: "symlink", data: Buffer.from(target) });
  return { ...src, files: map };
}

function build(files: Record<string, string>, opts?: LoadOptions) {
  return buildManifest(loadConfig(source(files), opts));
}

/** Runs `fn`, which must fail with a ConfigError; returns it. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) {
      expect(err.exitCode).toBe(ExitCode.usage);
      return err;
    }
    throw err;
  }
  throw new Error("expected a ConfigError, but nothing was thrown");
}

/** The one problem of a failing load + build. */
function problemOf(files: Record<string, string>, opts?: LoadOptions): ConfigProblem {
  const err = configError(() => build(files, opts));
  expect(err.problems, err.message).toHaveLength(1);
  return err.problems[0] as ConfigProblem;
}

const ids = (resources: Resource[]) => resources.map((r) => `${r.kind}:${r.id}`);

describe("YAML syntax", () => {
  it.each([
    {
      name: "a key indented less than its siblings",
      text: "user:\n  name: Alice\n email: a@example.com\n",
      line: 3,
      col: 1,
      message: "invalid YAML: All mapping items must start at the same column",
    },
    {
      name: "a second colon in a plain value",
      text: "files:\n  - target: ~/.zshrc\n    source: files/zshrc: extra\n",
      line: 3,
      col: 13,
      message: "invalid YAML: Nested mappings are not allowed in compact mappings",
    },
    {
      name: "a tab as indentation",
      text: "user:\n\tname: Alice\n",
      line: 2,
      col: 1,
      message: "invalid YAML: Tabs are not allowed as indentation",
    },
  ])("$name: file:line:col of the error", ({ text, line, col, message }) => {
    const err = configError(() => build({ "home/files.yaml": text }));
    expect(err.problems[0]).toEqual({ message, origin: { file: "home/files.yaml", line, col } });
    expect(err.message.split("\n")[0]).toBe(`home/files.yaml:${line}:${col}: ${message}`);
  });

  it("reports a syntax error in dotops.yaml itself", () => {
    const err = configError(() =>
      loadConfig(sourceFromRecord({ "dotops.yaml": "version: 1\nhosts:\n  box: { platform: linux\n" })),
    );
    expect(err.problems[0]?.origin?.file).toBe("dotops.yaml");
    expect(err.problems[0]?.message).toMatch(/^invalid YAML: Flow map .* end with a \}/);
  });

  it("rejects a duplicate top-level key at the second occurrence", () => {
    const p = problemOf({ "home/files.yaml": "user:\n  name: Alice\nvars: {}\nuser:\n  name: Bob\n" });
    expect(p).toEqual({
      message: "invalid YAML: Map keys must be unique",
      origin: { file: "home/files.yaml", line: 4, col: 1 },
    });
  });

  it("rejects a duplicate key inside a files entry", () => {
    const p = problemOf({
      "home/files.yaml": "files:\n  - target: ~/.zshrc\n    source: files/zshrc\n    target: ~/.bashrc\n",
      "files/zshrc": "z\n",
    });
    expect(p).toEqual({
      message: "invalid YAML: Map keys must be unique",
      origin: { file: "home/files.yaml", line: 4, col: 5 },
    });
  });

  it("rejects an unknown tag, naming the tags it knows", () => {
    const p = problemOf({ "home/files.yaml": "files: !replace\n  - { target: ~/.a, text: a }\n" });
    expect(p).toEqual({
      message: "unknown tag !replace (dotops knows: !override, !secret)",
      origin: { file: "home/files.yaml", line: 1, col: 8 },
    });
  });

  it("rejects a file whose top level is a list", () => {
    const p = problemOf({ "home/files.yaml": "- target: ~/.a\n  text: a\n" });
    expect(p).toEqual({
      message: "expected a mapping of keys at the top level",
      origin: { file: "home/files.yaml", line: 1, col: 1 },
    });
  });

  it("rejects an alias without an anchor instead of reading it as null", () => {
    const p = problemOf({ "home/vars.yaml": "vars:\n  a: 1\n  b: *missing\n" });
    expect(p).toEqual({
      message: "invalid YAML: alias *missing has no anchor &missing before it",
      origin: { file: "home/vars.yaml", line: 3, col: 6 },
    });
    const c = loadConfig(source({ "home/vars.yaml": "vars:\n  a: &v hello\n  b: *v\n" }));
    expect(c.vars).toEqual({ a: "hello", b: "hello" });
  });

  it("accepts an empty imported file", () => {
    expect(build({ "home/empty.yaml": "" }).manifest.resources).toEqual([]);
  });
});

describe("schema", () => {
  it("rejects an unknown top-level key in an imported file", () => {
    const p = problemOf({ "home/files.yaml": "user: { name: Alice }\ncolour: true\n" });
    expect(p).toEqual({
      message: 'unknown key "colour"',
      origin: { file: "home/files.yaml", line: 2, col: 1 },
      path: "colour",
    });
  });

  it("rejects an unknown top-level key in dotops.yaml", () => {
    const err = configError(() =>
      loadConfig(sourceFromRecord({ "dotops.yaml": `${ENTRY}packages: [git]\n` })),
    );
    expect(err.message).toBe('dotops.yaml:6:1: unknown key "packages" (at packages)');
  });

  it("rejects an unknown key nested in a files entry with its schema path", () => {
    const p = problemOf({
      "home/files.yaml":
        "files:\n  - target: ~/.a\n    text: a\n  - target: ~/.b\n    text: b\n    sauce: files/b\n",
    });
    expect(p).toEqual({
      message: 'unknown key "sauce"',
      origin: { file: "home/files.yaml", line: 6, col: 5 },
      path: "files[1].sauce",
    });
  });

  it("rejects permissions written as a number (600 is not the string '0600')", () => {
    const p = problemOf({
      "home/files.yaml":
        "files:\n  - { target: ~/.a, text: a }\n  - target: ~/.ssh/config\n    text: b\n    mode: copy\n    permissions: 600\n",
    });
    expect(p.path).toBe("files[1].permissions");
    expect(p.origin).toEqual({ file: "home/files.yaml", line: 6, col: 5 });
    expect(p.message).toMatch(/expected string, received number/);
  });

  it("rejects permissions that are not octal", () => {
    const p = problemOf({
      "home/files.yaml": 'files:\n  - { target: ~/.a, text: a, mode: copy, permissions: "0999" }\n',
    });
    expect(p.path).toBe("files[0].permissions");
    expect(p.message).toBe('octal permissions like "0600"');
  });

  it("rejects an unknown mode, listing the valid ones", () => {
    const p = problemOf({
      "home/files.yaml":
        "files:\n  - { target: ~/.a, text: a }\n  - { target: ~/.b, text: b, mode: hardlink }\n",
    });
    expect(p.path).toBe("files[1].mode");
    expect(p.origin).toEqual({ file: "home/files.yaml", line: 3, col: 30 });
    expect(p.message).toMatch(/"link"\|"copy"\|"template"/);
  });

  it("reports every schema problem of a file at once", () => {
    const err = configError(() =>
      build({
        "home/files.yaml":
          "files:\n  - { target: ~/.a, text: a, mode: hardlink }\n  - { target: ~/.b, text: b, executable: yes }\n",
      }),
    );
    expect(err.problems.map((p) => p.path)).toEqual(["files[0].mode", "files[1].executable"]);
  });

  it("rejects a vars value that is not a scalar", () => {
    const p = problemOf({ "home/vars.yaml": "vars:\n  workDir: [a, b]\n" });
    expect(p).toEqual({
      message: "expected a string, number, boolean or !secret env:NAME",
      origin: { file: "home/vars.yaml", line: 2, col: 3 },
      path: "vars.workDir",
    });
  });

  it.each(["hosts", "agent", "version", "imports"])(
    "rejects the entry-only key %s in an imported file",
    (key) => {
      const value = {
        hosts: "{ other: { platform: linux } }",
        agent: "{ branch: main }",
        version: "1",
        imports: "[x.yaml]",
      }[key];
      const p = problemOf({ "home/extra.yaml": `user: { name: Alice }\n${key}: ${value}\n` });
      expect(p).toEqual({
        message: `"${key}" belongs in dotops.yaml, not in an imported file`,
        origin: { file: "home/extra.yaml", line: 2, col: 1 },
        path: key,
      });
    },
  );

  it("points a missing imported file at its line in the imports list", () => {
    const entry =
      "version: 1\nimports:\n  - home/*.yaml\n  - user-config.yaml\nhosts:\n  box:\n    platform: linux\n";
    const err = configError(() => loadConfig(sourceFromRecord({ "dotops.yaml": entry })));
    expect(err.problems).toEqual([
      {
        message: "imported file user-config.yaml does not exist in memory",
        origin: { file: "dotops.yaml", line: 4, col: 5 },
        path: "imports[1]",
      },
    ]);
  });

  it("points a missing host import at the host's imports list", () => {
    const entry = "version: 1\nhosts:\n  box:\n    platform: linux\n    imports: [hosts/box.yaml]\n";
    const err = configError(() => loadConfig(sourceFromRecord({ "dotops.yaml": entry })));
    expect(err.message).toBe(
      "dotops.yaml:5:15: imported file hosts/box.yaml does not exist in memory (at hosts.box.imports[0])",
    );
  });

  it("names a missing required key and the file it belongs in", () => {
    const err = configError(() => loadConfig(sourceFromRecord({ "dotops.yaml": "version: 1\n" })));
    expect(err.message).toBe('dotops.yaml:1:1: missing required key "hosts" (at hosts)');
  });

  it("rejects an unknown config version and platform", () => {
    const v = configError(() =>
      loadConfig(sourceFromRecord({ "dotops.yaml": ENTRY.replace("version: 1", "version: 2") })),
    );
    expect(v.problems[0]).toMatchObject({ path: "version", origin: { file: "dotops.yaml", line: 1 } });
    const p = configError(() =>
      loadConfig(sourceFromRecord({ "dotops.yaml": ENTRY.replace("linux", "windows") })),
    );
    expect(p.message).toMatch(
      /^dotops\.yaml:5:5: Invalid option: expected one of "darwin"\|"linux" \(at hosts\.box\.platform\)$/,
    );
  });

  it("says what to do when there is no dotops.yaml", () => {
    const err = configError(() =>
      loadConfig(sourceFromRecord({ "home/files.yaml": "files: []\n" }, "commit abc")),
    );
    expect(err.message).toMatch(
      /^no dotops\.yaml in commit abc: is this a dotops config repo\?.*dotops init/,
    );
  });
});

describe("imports", () => {
  // Insertion order deliberately differs from the sorted order.
  const files = {
    "dotops.yaml":
      "version: 1\nimports: [conf/*.yaml]\nuser: { name: Entry }\nhosts:\n  a: { platform: linux, imports: [hosts/a.yaml] }\n  b: { platform: darwin }\n",
    "conf/20-b.yaml":
      "user: { name: B, email: b@example.com }\nvars: { x: b }\nfiles:\n  - { target: ~/.b, text: b }\n",
    "conf/10-a.yaml": "user: { name: A }\nvars: { x: a, y: a }\nfiles:\n  - { target: ~/.a, text: a }\n",
    "conf/notes.md": "not: [yaml",
    "hosts/a.yaml": "vars: { x: host-a }\nfiles:\n  - { target: ~/.host-a, text: a }\n",
  };

  it("imports globs sorted: later wins for scalars, maps merge, lists append", () => {
    const b = loadConfig(sourceFromRecord(files), { host: "b" });
    expect(b.user).toEqual({ name: "B", email: "b@example.com" });
    expect(b.vars).toEqual({ x: "b", y: "a" });
    expect(b.files.map((f) => f.target)).toEqual(["~/.a", "~/.b"]);
    expect(b.located.origins.get("user\u0000name")).toEqual({ file: "conf/20-b.yaml", line: 1, col: 9 });
  });

  it("merges a host's imports after the common ones, for that host only", () => {
    const a = loadConfig(sourceFromRecord(files), { host: "a" });
    expect(a.vars).toEqual({ x: "host-a", y: "a" });
    expect(a.files.map((f) => f.target)).toEqual(["~/.a", "~/.b", "~/.host-a"]);
    expect(a.host).toEqual({ name: "a", platform: "linux" });
    expect(a.hostNames).toEqual(["a", "b"]);
  });

  it("!override replaces a list instead of appending, and errors point at the overriding file", () => {
    const over = {
      ...files,
      "conf/30-c.yaml": "# replaces every file so far\nfiles: !override\n  - { target: ~/.c, text: c }\n",
    };
    const b = loadConfig(sourceFromRecord(over), { host: "b" });
    expect(b.files.map((f) => f.target)).toEqual(["~/.c"]);
    expect(buildManifest(b).manifest.resources).toMatchObject([
      { kind: "link", id: "~/.c", origin: { file: "conf/30-c.yaml", line: 3, col: 5 } },
    ]);

    const bad = { ...over, "conf/30-c.yaml": `${over["conf/30-c.yaml"]}  - { target: ~/.d }\n` };
    const err = configError(() => buildManifest(loadConfig(sourceFromRecord(bad), { host: "b" })));
    expect(err.message).toBe("conf/30-c.yaml:4:5: give exactly one of source or text for ~/.d (at files[1])");
  });

  it("!override replaces a map instead of merging it", () => {
    const b = loadConfig(sourceFromRecord({ ...files, "conf/30-c.yaml": "vars: !override { z: 1 }\n" }), {
      host: "b",
    });
    expect(b.vars).toEqual({ z: 1 });
  });

  it("a glob never imports dotops.yaml itself", () => {
    const c = loadConfig(
      sourceFromRecord({
        "dotops.yaml": "version: 1\nimports: ['*.yaml']\nhosts: { box: { platform: linux } }\n",
        "user.yaml": "user: { name: Alice }\n",
      }),
    );
    expect(c.user).toEqual({ name: "Alice" });
  });

  it("where a value came from does not change the manifest hash", () => {
    const one = build({
      "home/files.yaml": "files:\n  - { target: ~/.a, text: a }\n  - { target: ~/.b, text: b }\n",
    });
    const two = build({
      "home/1.yaml": "files:\n  - { target: ~/.b, text: b }\n",
      "home/2.yaml": "\n\nfiles:\n  - { target: ~/.a, text: a }\n",
    });
    expect(two.manifest.hash).toBe(one.manifest.hash);
    const other = build({
      "home/files.yaml": "files:\n  - { target: ~/.a, text: A }\n  - { target: ~/.b, text: b }\n",
    });
    expect(other.manifest.hash).not.toBe(one.manifest.hash);
  });
});

describe("sources", () => {
  it("names a missing source, its schema path and where it is written", () => {
    const p = problemOf({ "home/files.yaml": "files:\n  - { target: ~/.zshrc, source: files/zshrc }\n" });
    expect(p).toEqual({
      message: "source files/zshrc does not exist in memory (is it committed?)",
      origin: { file: "home/files.yaml", line: 2, col: 25 },
      path: "files[0].source",
    });
  });

  it("rejects a source that is a symlink loop inside the repo", () => {
    const err = configError(() =>
      buildManifest(
        loadConfig(
          source(
            { "home/files.yaml": "files:\n  - { target: ~/.zshrc, source: files/a }\n" },
            { "files/a": "b", "files/b": "a" },
          ),
        ),
      ),
    );
    expect(err.problems).toEqual([
      {
        message: "source files/a is a symlink loop in memory",
        origin: { file: "home/files.yaml", line: 2, col: 25 },
        path: "files[0].source",
      },
    ]);
  });

  it("skips a symlink loop inside a source directory with a warning; the other files are managed", () => {
    const { manifest, warnings } = buildManifest(
      loadConfig(
        source(
          {
            "home/files.yaml": "files:\n  - { target: ~/.config/nvim, source: files/nvim }\n",
            "files/nvim/init.lua": "-- init\n",
          },
          { "files/nvim/self": "self" },
        ),
      ),
    );
    expect(ids(manifest.resources)).toContain("link:~/.config/nvim/init.lua");
    expect(warnings.map(formatProblem)).toEqual([
      "home/files.yaml:2:31: skipped files/nvim/self (inside files/nvim): a symlink loop (at files[0].source)",
    ]);
  });

  it("follows an in-repo symlink to the file it names", () => {
    const { manifest, blobs } = buildManifest(
      loadConfig(
        source(
          {
            "home/files.yaml": "files:\n  - { target: ~/.zshrc, source: files/zshrc }\n",
            "shared/zshrc": "export A=1\n",
          },
          { "files/zshrc": "../shared/zshrc" },
        ),
      ),
    );
    const link = manifest.resources.find((r) => r.id === "~/.zshrc") as LinkResource;
    expect(blobs.get(link.object)?.data.toString()).toBe("export A=1\n");
  });

  it("rejects a symlink pointing out of the repo, absolute or relative", () => {
    const abs = configError(() =>
      buildManifest(
        loadConfig(
          source(
            { "home/files.yaml": "files:\n  - { target: ~/.x, source: files/x }\n" },
            { "files/x": "/etc/passwd" },
          ),
        ),
      ),
    );
    expect(abs.message).toBe(
      "home/files.yaml:2:21: source files/x is a symlink out of the repo (/etc/passwd); commit the file itself, or set symlinks: keep to deploy it as a link (at files[0].source)",
    );
    const rel = configError(() =>
      buildManifest(
        loadConfig(
          source(
            { "home/files.yaml": "files:\n  - { target: ~/.x, source: files/x }\n" },
            { "files/x": "../../etc/passwd" },
          ),
        ),
      ),
    );
    expect(rel.problems[0]?.message).toBe(
      "source files/x is a symlink to ../etc/passwd, which is not in memory",
    );
  });

  it("expands a source directory to one resource per file, with parent directories", () => {
    const src = source({
      "home/files.yaml": "files:\n  - { target: ~/.config/nvim, source: files/nvim }\n",
      "files/nvim/init.lua": "require('keymaps')\n",
      "files/nvim/lua/keymaps.lua": "-- keys\n",
      "files/nvimrc": "not inside files/nvim\n",
    });
    (src.files as Map<string, SourceFile>).set("files/nvim/bin/run", {
      type: "exec",
      data: Buffer.from("#!/bin/sh\n"),
    });
    const { manifest, blobs } = buildManifest(loadConfig(src));
    expect(ids(manifest.resources)).toEqual([
      "dir:~/.config",
      "dir:~/.config/nvim",
      "dir:~/.config/nvim/bin",
      "link:~/.config/nvim/bin/run",
      "link:~/.config/nvim/init.lua",
      "dir:~/.config/nvim/lua",
      "link:~/.config/nvim/lua/keymaps.lua",
    ]);
    const content = (id: string) => {
      const r = manifest.resources.find((x) => x.id === id) as LinkResource;
      return blobs.get(r.object);
    };
    expect(content("~/.config/nvim/lua/keymaps.lua")?.data.toString()).toBe("-- keys\n");
    expect(content("~/.config/nvim/bin/run")?.executable).toBe(true);
    expect(content("~/.config/nvim/init.lua")?.executable).toBe(false);
  });

  it("needs exactly one of source and text", () => {
    expect(problemOf({ "home/files.yaml": "files:\n  - { target: ~/.a }\n" })).toEqual({
      message: "give exactly one of source or text for ~/.a",
      origin: { file: "home/files.yaml", line: 2, col: 5 },
      path: "files[0]",
    });
    expect(
      problemOf({
        "home/files.yaml": "files:\n  - { target: ~/.a, text: a, source: files/a }\n",
        "files/a": "a",
      }).message,
    ).toBe("give exactly one of source or text for ~/.a");
  });

  it("keeps unicode and spaces in source and target names", () => {
    const { manifest, blobs } = build({
      "home/files.yaml":
        'files:\n  - { target: "~/Dokumente/straße notes.txt", source: "files/my file ü.txt" }\n',
      "files/my file ü.txt": "grüße\n",
    });
    expect(ids(manifest.resources)).toEqual(["dir:~/Dokumente", "link:~/Dokumente/straße notes.txt"]);
    const link = manifest.resources[1] as LinkResource;
    expect(blobs.get(link.object)?.data.toString()).toBe("grüße\n");
  });
});

describe("targets", () => {
  it.each([
    ["../x", "climbs out of HOME with .."],
    ["~/../x", "climbs out of HOME with .."],
    ["~/a/../../x", "climbs out of HOME with .."],
    ["/etc/x", "is outside HOME: write it as ~/..."],
    ["$HOME/x", "is outside HOME: write it as ~/..."],
    ["~otheruser/x", "names another user's home"],
    ["~", "is HOME itself"],
  ])("rejects %s", (target, why) => {
    const p = problemOf({
      "home/files.yaml": `files:\n  - { target: ~/.ok, text: ok }\n  - target: "${target}"\n    text: x\n`,
    });
    expect(p.message).toContain(`target "${target}" ${why}`);
    expect(p.origin).toEqual({ file: "home/files.yaml", line: 3, col: 5 });
    expect(p.path).toBe("files[1].target");
  });

  it("takes ~ only for a directory source (a home mirror), naming the entry otherwise", () => {
    const file = problemOf({
      "home/files.yaml": 'files:\n  - { target: "~", source: f/a }\n',
      "f/a": "a\n",
    });
    expect(file.message).toContain(
      'target "~" is HOME itself: name a file inside it (only a directory source',
    );
    expect(file.path).toBe("files[0].target");
    const { manifest } = build({
      "home/files.yaml": 'files:\n  - { target: "~", source: mirror }\n',
      "mirror/.zshrc": "z\n",
    });
    expect(ids(manifest.resources)).toEqual(["link:~/.zshrc"]);
    const bad = problemOf({
      "home/files.yaml": "files:\n  - { target: ~/.x, source: f/a, symlinks: follow }\n",
      "f/a": "a\n",
    });
    expect(bad.path).toBe("files[0].symlinks");
  });

  it("normalises targets to ~/relative ids", () => {
    const { manifest } = build({
      "home/files.yaml": "files:\n  - { target: ~/./a//b/../c, text: c }\n  - { target: rel/x, text: x }\n",
    });
    expect(ids(manifest.resources)).toEqual(["dir:~/a", "link:~/a/c", "dir:~/rel", "link:~/rel/x"]);
  });

  it("rejects a target managed twice, naming both places", () => {
    const err = configError(() =>
      build({
        "home/a.yaml": "files:\n  - { target: ~/.zshrc, text: a }\n",
        "home/b.yaml": "files:\n  - { target: ~/./.zshrc, text: b, mode: copy }\n",
      }),
    );
    expect(err.message).toBe("home/b.yaml:2:5: ~/.zshrc is managed twice (also at home/a.yaml:2:5)");
  });

  it("rejects a file that another file needs as its directory", () => {
    const err = configError(() =>
      build({
        "home/a.yaml":
          "files:\n  - { target: ~/.config, text: a }\n  - { target: ~/.config/app/conf, text: b }\n",
      }),
    );
    expect(err.message).toMatch(
      /^home\/a\.yaml:3:5: ~\/\.config is managed as a file \(home\/a\.yaml:2:5\) but ~\/\.config\/app\/conf needs it/,
    );
  });
});

describe("templates", () => {
  const user = "user: { name: Alice Example, email: alice@example.com }\nvars: { workDir: ~/work }\n";

  it("renders user, vars and host values into a template source", () => {
    const { manifest, blobs } = build({
      "home/user.yaml": user,
      "home/files.yaml":
        "files:\n  - { target: ~/.gitconfig, source: files/gitconfig.tmpl, mode: template }\n",
      "files/gitconfig.tmpl":
        "[user]\n  name = {{ user.name }}\n  email = {{user.email}}\n# {{ vars.workDir }} on {{ host.name }} ({{ host.platform }})\n",
    });
    const link = manifest.resources.find((r) => r.id === "~/.gitconfig") as LinkResource;
    expect(blobs.get(link.object)?.data.toString()).toBe(
      "[user]\n  name = Alice Example\n  email = alice@example.com\n# ~/work on box (linux)\n",
    );
  });

  it("names the template file, line and column of an undefined value", () => {
    const p = problemOf({
      "home/user.yaml": user,
      "home/files.yaml":
        "files:\n  - { target: ~/.gitconfig, source: files/gitconfig.tmpl, mode: template }\n",
      "files/gitconfig.tmpl": "[user]\n  email = {{ user.email }}\n  signingkey = {{ user.nope }}\n",
    });
    expect(p.origin).toEqual({ file: "files/gitconfig.tmpl", line: 3, col: 16 });
    expect(p.message).toBe(
      "undefined template value {{ user.nope }} (known: host.name, host.platform, user.email, user.name, vars.workDir)",
    );
  });

  it("reports every undefined value of a directory of templates", () => {
    const err = configError(() =>
      build({
        "home/files.yaml": "files:\n  - { target: ~/.config/app, source: files/app, mode: template }\n",
        "files/app/a.conf": "{{ vars.nope }}\n",
        "files/app/b.conf": "ok\n\n{{ user.name }}\n",
      }),
    );
    expect(
      err.problems.map(
        (p) => `${p.origin?.file}:${p.origin?.line}:${p.origin?.col} ${p.message.split(" (")[0]}`,
      ),
    ).toEqual([
      "files/app/a.conf:1:1 undefined template value {{ vars.nope }}",
      "files/app/b.conf:3:1 undefined template value {{ user.name }}",
    ]);
  });

  it("renders inline text in mode template", () => {
    const { manifest, blobs } = build({
      "home/user.yaml": user,
      "home/files.yaml":
        'files:\n  - { target: ~/.npmrc, text: "email={{ user.email }}\\n", mode: template }\n',
    });
    const link = manifest.resources.find((r) => r.id === "~/.npmrc") as LinkResource;
    expect(blobs.get(link.object)?.data.toString()).toBe("email=alice@example.com\n");
  });

  it.each([
    {
      style: "a block scalar",
      yaml: "files:\n  - target: ~/.npmrc\n    mode: template\n    text: |\n      registry=x\n      email={{ user.nope }}\n",
      line: 6,
      col: 13,
    },
    {
      style: "a quoted flow value",
      yaml: 'files:\n  - { target: ~/.npmrc, mode: template, text: "email={{ user.nope }}" }\n',
      line: 2,
      col: 54,
    },
    {
      style: "a plain value",
      yaml: "files:\n  - target: ~/.npmrc\n    mode: template\n    text: email={{ user.nope }}\n",
      line: 4,
      col: 17,
    },
  ])("points an undefined value in inline text ($style) at its line and column", ({ yaml, line, col }) => {
    const p = problemOf({ "home/files.yaml": yaml });
    expect(p.origin).toEqual({ file: "home/files.yaml", line, col });
    expect(yaml.split("\n")[line - 1]?.slice(col - 1)).toMatch(/^\{\{ user\.nope \}\}/);
  });

  it("does not render templates in link mode", () => {
    const { manifest, blobs } = build({
      "home/files.yaml": "files:\n  - { target: ~/.raw, source: files/raw }\n",
      "files/raw": "{{ user.nope }}\n",
    });
    const link = manifest.resources.find((r) => r.id === "~/.raw") as LinkResource;
    expect(blobs.get(link.object)?.data.toString()).toBe("{{ user.nope }}\n");
  });

  it.each(["link", "template"])("rejects permissions with mode %s", (mode) => {
    const p = problemOf({
      "home/files.yaml": `files:\n  - target: ~/.ssh/config\n    text: x\n    mode: ${mode}\n    permissions: "0600"\n`,
    });
    expect(p).toEqual({
      message: "permissions need mode: copy (links point into the read-only store)",
      origin: { file: "home/files.yaml", line: 5, col: 5 },
      path: "files[0].permissions",
    });
  });

  it("copies with the given permissions in mode copy", () => {
    const { manifest } = build({
      "home/files.yaml": 'files:\n  - { target: ~/.ssh/config, text: x, mode: copy, permissions: "0600" }\n',
    });
    expect(manifest.resources.find((r) => r.id === "~/.ssh/config")).toMatchObject({
      kind: "file",
      mode: 0o600,
    });
  });
});

describe("host selection", () => {
  const two = {
    "dotops.yaml":
      "version: 1\nhosts:\n  beta: { platform: darwin }\n  alpha:\n    platform: linux\n    agent: { branch: testing }\nagent: { branch: main, interval: 60s }\n",
  };

  it("an unknown --host lists the hosts", () => {
    const err = configError(() => loadConfig(sourceFromRecord(two), { host: "gamma" }));
    expect(err.message).toBe('host "gamma" is not in dotops.yaml; hosts: alpha, beta');
  });

  it("several hosts and none named like this machine: asks for --host", () => {
    const err = configError(() => loadConfig(sourceFromRecord(two), { hostname: "laptop" }));
    expect(err.message).toBe(
      'cannot tell which host this is (hostname "laptop"); pass --host, one of: alpha, beta',
    );
  });

  it("picks the host named like this machine, else the only one", () => {
    expect(loadConfig(sourceFromRecord(two), { hostname: "beta" }).host).toEqual({
      name: "beta",
      platform: "darwin",
    });
    expect(loadConfig(source({}), { hostname: "laptop" }).host.name).toBe("box");
  });

  it("--host wins over the hostname, and per-host agent settings override the common ones", () => {
    const c = loadConfig(sourceFromRecord(two), { host: "alpha", hostname: "beta" });
    expect(c.host.name).toBe("alpha");
    expect(c.agent).toEqual({ branch: "testing", interval: "60s" });
  });
});

describe("checkAllHosts", () => {
  const entry =
    "version: 1\nimports: [common/*.yaml]\nhosts:\n  a: { platform: linux, imports: [hosts/a.yaml] }\n  b: { platform: darwin }\n";

  it("returns every host's config, sorted", () => {
    const configs = checkAllHosts(sourceFromRecord({ "dotops.yaml": entry, "hosts/a.yaml": "" }));
    expect(configs.map((c) => c.host)).toEqual([
      { name: "a", platform: "linux" },
      { name: "b", platform: "darwin" },
    ]);
  });

  it("reports a shared problem once, naming the hosts, and a host's own problem for that host", () => {
    const err = configError(() =>
      checkAllHosts(
        sourceFromRecord({
          "dotops.yaml": entry,
          "common/files.yaml": "files:\n  - { target: ~/.a, text: a, mode: hardlink }\n",
          "hosts/a.yaml": "vars: { x: [1] }\n",
        }),
      ),
    );
    expect(err.message.split("\n")).toEqual([
      'common/files.yaml:2:30: Invalid option: expected one of "link"|"copy"|"template"|"block" [hosts a, b] (at files[0].mode)',
      "hosts/a.yaml:1:9: expected a string, number, boolean or !secret env:NAME [host a] (at vars.x)",
    ]);
  });

  it("collects the problems a build step finds for each host", () => {
    const src = sourceFromRecord({
      "dotops.yaml": entry,
      "common/files.yaml": "files:\n  - { target: ~/.a, source: files/a.tmpl, mode: template }\n",
      "files/a.tmpl": "{{ host.name }} {{ vars.only }}\n",
      "hosts/a.yaml": "vars: { only: a }\n",
    });
    const built: string[] = [];
    const err = configError(() =>
      checkAllHosts(src, (config) => {
        buildManifest(config);
        built.push(config.host.name);
      }),
    );
    expect(built).toEqual(["a"]);
    expect(err.message).toMatch(
      /^files\/a\.tmpl:1:17: undefined template value \{\{ vars\.only \}\} .* \[host b\]$/,
    );
  });

  it("fails at once when dotops.yaml itself is invalid", () => {
    const err = configError(() =>
      checkAllHosts(sourceFromRecord({ "dotops.yaml": "version: 1\nhosts: []\n" })),
    );
    expect(err.problems[0]).toMatchObject({
      path: "hosts",
      origin: { file: "dotops.yaml", line: 2, col: 1 },
    });
  });
});
