/**
 * Managed blocks (`mode: block`): a marked block inside a file the user owns,
 * through the real CLI, real git commits and a sandbox HOME. The rest of the
 * file stays byte for byte what the user wrote, through updates, reverts,
 * drift and undo.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigRepo, dotops, sandbox } from "./helpers.js";

const ENTRY = "version: 1\nimports: [home/*.yaml]\nhosts:\n  box:\n    platform: linux\n";

/** home/files.yaml with these entries (YAML flow maps, one per line). */
const files = (...entries: string[]) =>
  entries.length ? `files:\n${entries.map((e) => `  - ${e}\n`).join("")}` : "files: []\n";

async function setup(filesYaml: string) {
  const repo = await ConfigRepo.create({ "dotops.yaml": ENTRY, "home/files.yaml": filesYaml });
  const { home } = sandbox();
  const run = (...args: string[]) => dotops(["--repo", repo.dir, ...args], { home });
  const ok = async (...args: string[]) => {
    const r = await run(...args);
    expect(r.exitCode, `dotops ${args.join(" ")}\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r;
  };
  const path = (rel: string) => join(home, rel);
  const read = (rel: string) => readFileSync(path(rel), "latin1");
  const write = (rel: string, text: string) => writeFileSync(path(rel), Buffer.from(text, "latin1"));
  return { repo, home, run, ok, path, read, write };
}

/** The user's own ~/.zshrc: text before the block's place, odd bytes, and no final newline. */
const ZSHRC = "# my zshrc\nexport A=1\n\n\talias x='y'  \nprint caf\xe9 \xff\xfe end";

describe("mode: block", () => {
  it("inserts, updates and, on revert, removes a block, leaving the user's bytes untouched", async () => {
    const { repo, ok, read, write, path } = await setup(files());
    write(".zshrc", ZSHRC);
    write(".bashrc", "# bashrc\n");
    await ok("apply");

    await repo.commit({
      "home/files.yaml": files(
        '{ target: ~/.zshrc, mode: block, content: "source ~/one" }',
        '{ target: ~/.bashrc, mode: block, content: "source ~/b" }',
      ),
    });
    expect((await ok("plan")).stdout).toContain("+ block block/~/.zshrc#dotops");
    const plan = JSON.parse((await ok("--json", "plan")).stdout);
    const zshrc = plan.changes.find((c: { id: string }) => c.id === "block/~/.zshrc#dotops");
    expect(zshrc).toMatchObject({ action: "create", kind: "block", destructive: false });
    expect(zshrc.diff).toContain(
      "+# >>> dotops >>>\n+source ~/one\n+# <<< dotops <<<\n\\ No newline at end of file",
    );
    await ok("apply");
    // No final newline before: the block goes after one and ends without one, so taking it out restores the file.
    expect(read(".zshrc")).toBe(`${ZSHRC}\n# >>> dotops >>>\nsource ~/one\n# <<< dotops <<<`);
    expect(read(".bashrc")).toBe("# bashrc\n# >>> dotops >>>\nsource ~/b\n# <<< dotops <<<\n");
    expect(lstatSync(path(".zshrc")).isFile()).toBe(true);

    // The user writes after the block; a second commit changes the block in place.
    write(".bashrc", `${read(".bashrc")}# after\nexport Z=1`);
    await repo.commit({
      "home/files.yaml": files(
        '{ target: ~/.zshrc, mode: block, content: "source ~/two\\nsource ~/three\\n" }',
        '{ target: ~/.bashrc, mode: block, content: "source ~/c" }',
      ),
    });
    await ok("apply");
    expect(read(".zshrc")).toBe(`${ZSHRC}\n# >>> dotops >>>\nsource ~/two\nsource ~/three\n# <<< dotops <<<`);
    expect(read(".bashrc")).toBe(
      "# bashrc\n# >>> dotops >>>\nsource ~/c\n# <<< dotops <<<\n# after\nexport Z=1",
    );
    expect((await ok("apply")).stdout).toMatch(/nothing to do|no changes|up to date/i);

    await repo.revert();
    await ok("apply");
    expect(read(".zshrc")).toBe(`${ZSHRC}\n# >>> dotops >>>\nsource ~/one\n# <<< dotops <<<`);
    await repo.revert("HEAD~2");
    await ok("apply");
    expect(read(".zshrc")).toBe(ZSHRC);
    expect(read(".bashrc")).toBe("# bashrc\n# after\nexport Z=1");
  });

  it("creates a missing file (0644) for its block and removes it again; several blocks share a file by name", async () => {
    const { repo, ok, read, path } = await setup(files());
    await ok("apply");
    await repo.commit({
      "home/files.yaml": files(
        "{ target: ~/.config/app/init.lua, mode: block, content: \"require('a')\" }",
        "{ target: ~/.config/app/init.lua, mode: block, name: extra, content: \"require('b')\" }",
        '{ target: ~/.config/app/rc, mode: block, line: true, content: "source ~/x" }',
      ),
    });
    await ok("apply");
    const lua = "~/.config/app/init.lua".slice(2);
    expect((statSync(path(lua)).mode & 0o777).toString(8)).toBe("644");
    expect(read(lua)).toBe(
      "-- >>> dotops >>>\nrequire('a')\n-- <<< dotops <<<\n-- >>> dotops:extra >>>\nrequire('b')\n-- <<< dotops:extra <<<\n",
    );
    expect(read(".config/app/rc")).toBe("source ~/x # dotops\n");

    // One block leaves, the other stays where it is.
    await repo.commit({
      "home/files.yaml": files("{ target: ~/.config/app/init.lua, mode: block, content: \"require('a')\" }"),
    });
    await ok("apply");
    expect(read(lua)).toBe("-- >>> dotops >>>\nrequire('a')\n-- <<< dotops <<<\n");
    expect(existsSync(path(".config/app/rc"))).toBe(false);

    // The last block goes: the file dotops created goes with it, and so does the directory.
    await repo.commit({ "home/files.yaml": files() });
    await ok("apply");
    expect(existsSync(path(".config/app"))).toBe(false);
    expect(existsSync(path(".config"))).toBe(false);
  });

  it("plans an edit inside the block as drift and restores the block, keeping the edits outside it", async () => {
    const { ok, run, read, write } = await setup(
      files('{ target: ~/.zshrc, mode: block, content: "source ~/env" }'),
    );
    write(".zshrc", "before\n");
    await ok("apply");
    write(".zshrc", "before\nmine\n# >>> dotops >>>\nsource ~/evil\n# <<< dotops <<<\nafter\n");
    const plan = await run("plan", "--detailed-exitcode");
    expect(plan.exitCode).toBe(3);
    expect(plan.stdout).toContain("~ block block/~/.zshrc#dotops");
    expect(plan.stdout).toContain("edited inside its markers since dotops wrote it");
    expect(plan.stdout).toContain("-source ~/evil");
    expect(plan.stdout).toContain("+source ~/env");
    await ok("apply");
    expect(read(".zshrc")).toBe("before\nmine\n# >>> dotops >>>\nsource ~/env\n# <<< dotops <<<\nafter\n");
    expect((await run("plan", "--detailed-exitcode")).exitCode).toBe(0);
  });

  it("undoes its edit exactly when the apply fails, and after a crash", async () => {
    const { repo, ok, run, read, write, home } = await setup(
      files('{ target: ~/.zshrc, mode: block, content: "one" }'),
    );
    write(".zshrc", "a\nb");
    await ok("apply");
    const applied = read(".zshrc");
    await repo.commit({ "home/files.yaml": files('{ target: ~/.zshrc, mode: block, content: "two" }') });

    const failed = await dotops(["--repo", repo.dir, "apply"], {
      home,
      env: { DOTOPS_FAILPOINT: "commit=throw" },
    });
    expect(failed.exitCode).not.toBe(0);
    expect(read(".zshrc")).toBe(applied);

    // Killed right after the step ran: the next command recovers from the journal.
    const killed = await dotops(["--repo", repo.dir, "apply"], {
      home,
      env: { DOTOPS_FAILPOINT: "commit=kill" },
    });
    expect(killed.exitCode).not.toBe(0);
    await run("status");
    expect(read(".zshrc")).toBe(applied);
    await ok("apply");
    expect(read(".zshrc")).toBe("a\nb\n# >>> dotops >>>\ntwo\n# <<< dotops <<<");
  });

  it("refuses a block in a file that is also a managed link, naming both entries", async () => {
    const { run, home, repo } = await setup(
      files(
        "{ target: ~/.zshrc, source: files/zshrc }",
        '{ target: ~/.zshrc, mode: block, content: "source ~/x" }',
      ),
    );
    await repo.commit({ "files/zshrc": "export A=1\n" });
    const r = await run("check");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /home\/files\.yaml:3:\d+: block\/~\/\.zshrc#dotops edits a part of ~\/\.zshrc, a file you own, but ~\/\.zshrc is also managed as a link \(home\/files\.yaml:2:\d+\)/,
    );
    expect(existsSync(join(home, ".zshrc"))).toBe(false);
  });

  it("rejects bad block entries with file:line", async () => {
    const { run, repo } = await setup(
      files(
        "{ target: ~/.zshrc, mode: block }",
        '{ target: ~/.x, mode: block, content: "a", source: files/x }',
        '{ target: ~/.y, source: files/y, content: "a" }',
        '{ target: ~/.config/c.json, mode: block, content: "a" }',
        '{ target: ~/.z, mode: block, content: "a\\nb", line: true }',
        '{ target: ~/.w, mode: block, content: "x\\n# <<< dotops <<<\\n" }',
      ),
    );
    await repo.commit({ "files/y": "y\n" });
    const r = await run("check");
    expect(r.exitCode).toBe(2);
    const lines = r.stderr;
    expect(lines).toMatch(/home\/files\.yaml:2:\d+: mode: block needs content: for ~\/\.zshrc/);
    expect(lines).toMatch(/home\/files\.yaml:3:\d+: source does not go with mode: block/);
    expect(lines).toMatch(/home\/files\.yaml:4:\d+: content is an option of mode: block/);
    expect(lines).toMatch(
      /home\/files\.yaml:5:\d+: ~\/\.config\/c\.json is a \.json file, which has no comments/,
    );
    expect(lines).toMatch(/home\/files\.yaml:6:\d+: content of a line block \(line: true\) must be one line/);
    expect(lines).toMatch(/home\/files\.yaml:7:\d+: content holds its own marker line "# <<< dotops <<<"/);
  });

  it("rejects a bad block name and two blocks of one name in one file", async () => {
    const bad = await setup(files('{ target: ~/.v, mode: block, name: "a b", content: "x" }'));
    const r = await bad.run("check");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/home\/files\.yaml:2:\d+: .*letters, digits, _ \. and - only/);

    const twice = await setup(
      files('{ target: ~/.u, mode: block, content: "x" }', '{ target: ~/.u, mode: block, content: "y" }'),
    );
    const t = await twice.run("check");
    expect(t.exitCode).toBe(2);
    expect(t.stderr).toMatch(
      /home\/files\.yaml:3:\d+: block\/~\/\.u#dotops is managed twice \(also at home\/files\.yaml:2:\d+\)/,
    );
  });

  it("refuses to write a block into a directory, and leaves broken markers to the user", async () => {
    const { repo, run, ok, write, read, path } = await setup(
      files('{ target: ~/.zshrc, mode: block, content: "one" }'),
    );
    mkdirSync(path(".zshrc"));
    const dir = await run("apply");
    expect(dir.exitCode).toBe(4);
    expect(dir.stderr).toContain("~/.zshrc is a directory; a block goes inside a regular file");
    rmdirSync(path(".zshrc"));
    write(".zshrc", "x\n# >>> dotops >>>\none\n");
    const r = await run("apply");
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('has "# >>> dotops >>>" without "# <<< dotops <<<" after it');
    expect(read(".zshrc")).toBe("x\n# >>> dotops >>>\none\n");
    write(".zshrc", "x\n");
    await ok("apply");
    await repo.commit({ "home/files.yaml": files() });
    write(".zshrc", "x\n# >>> dotops >>>\none\n# <<< dotops <<<\n# >>> dotops >>>\n");
    await ok("apply");
    expect(read(".zshrc")).toBe("x\n# >>> dotops >>>\none\n# <<< dotops <<<\n# >>> dotops >>>\n");
  });
});
