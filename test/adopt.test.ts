/** `dotops adopt` through the real CLI: files move into the repo, files.yaml grows, HOME is linked back, no byte lost. */
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigRepo, dotops, git, sandbox, tempDir } from "./helpers.js";

const ENTRY =
  "version: 1\n# the user's own comment\nimports: [user-config.yaml]\nhosts:\n  box: { platform: linux }\n";

/** Every file under `dir` (followed through links) with its bytes and permission bits. */
function contents(dir: string, skip = ".local"): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (r === skip) continue;
      const abs = join(dir, r);
      const lst = lstatSync(abs);
      if (lst.isSymbolicLink() && !existsSync(abs)) out[r] = `dangling ${readlinkSync(abs)}`;
      else if (statSync(abs).isDirectory()) {
        out[r] = `dir ${(statSync(abs).mode & 0o777).toString(8)}`;
        walk(r);
      } else out[r] = readFileSync(abs).toString("base64");
    }
  };
  walk("");
  return out;
}

async function setup() {
  const repo = await ConfigRepo.create({ "dotops.yaml": ENTRY, "user-config.yaml": "user: { name: A }\n" });
  const { home, state } = sandbox();
  const run = (args: string[], cwd = home) => dotops(["--repo", repo.dir, ...args], { home, cwd });
  return { repo, home, state, run };
}

describe("adopt", () => {
  it("moves files and a directory into files/, adds them to home/files.yaml and links them back byte for byte", async () => {
    const t = await setup();
    const h = (p: string) => join(t.home, p);
    writeFileSync(h(".zshrc"), "export A=1\n");
    mkdirSync(h(".config/tool/sub"), { recursive: true });
    chmodSync(h(".config/tool"), 0o750);
    writeFileSync(h(".config/tool/conf"), Buffer.from([0, 1, 2, 255, 10]));
    writeFileSync(h(".config/tool/sub/run"), "#!/bin/sh\necho hi\n", { mode: 0o755 });
    writeFileSync(h(".config/tool/token"), "s3cret\n", { mode: 0o600 });
    symlinkSync("conf", h(".config/tool/alias"));
    const before = contents(t.home);
    const modes = (p: string) => (statSync(h(p)).mode & 0o777).toString(8);
    const modesBefore = ["~/.zshrc", ".config/tool/conf", ".config/tool/sub/run", ".config/tool/token"].map(
      (p) => modes(p.replace("~/", "")),
    );

    const r = await t.run(["adopt", "~/.zshrc", ".config/tool"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("adopted ~/.zshrc → files/zshrc");
    expect(r.stdout).toContain("Nothing is committed");

    // The repo holds the bytes with their permissions, under the path without its leading dot.
    expect(readFileSync(join(t.repo.dir, "files/zshrc"), "utf8")).toBe("export A=1\n");
    expect(readFileSync(join(t.repo.dir, "files/config/tool/conf"))).toEqual(Buffer.from([0, 1, 2, 255, 10]));
    expect(statSync(join(t.repo.dir, "files/config/tool/sub/run")).mode & 0o777).toBe(0o755);
    expect(statSync(join(t.repo.dir, "files/config/tool/token")).mode & 0o777).toBe(0o600);
    expect(readlinkSync(join(t.repo.dir, "files/config/tool/alias"))).toBe("conf");

    // HOME: the same paths and bytes, now managed; the private file a copy with its mode; the dir keeps 0750.
    expect(contents(t.home)).toEqual(before);
    expect(readlinkSync(h(".zshrc"))).toContain(".local/state/dotops/current/home/.zshrc");
    expect(lstatSync(h(".config/tool/token")).isFile()).toBe(true);
    expect(modes(".config/tool/token")).toBe(modesBefore[3]);
    expect(statSync(h(".config/tool/sub/run")).mode & 0o111).toBe(0o111);
    expect(statSync(h(".config/tool")).mode & 0o777).toBe(0o750);

    // files.yaml is new and imported; dotops.yaml keeps its comment.
    const files = t.repo.read("home/files.yaml");
    expect(files).toContain("- { target: ~/.zshrc, source: files/zshrc }");
    expect(files).toContain(
      '- { target: ~/.config/tool/token, source: files/config/tool/token, mode: copy, permissions: "0600" }',
    );
    const entry = t.repo.read("dotops.yaml");
    expect(entry).toContain("# the user's own comment");
    expect(entry).toMatch(/imports: \[ ?user-config\.yaml, home\/files\.yaml ?\]/);

    // Nothing committed; once committed, HEAD is the machine the adoption applied: nothing to do.
    expect(await git(t.repo.dir, "status", "--porcelain")).toContain("?? files/");
    await t.repo.commit({}, "adopt");
    const again = await t.run(["apply"]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain("No changes: generation 1 is current");
    expect(contents(t.home)).toEqual(before);
  });

  it("appends to an existing home/files.yaml keeping its comments", async () => {
    const t = await setup();
    await t.repo.commit({
      "dotops.yaml": "version: 1\nimports: [home/*.yaml]\nhosts:\n  box: { platform: linux }\n",
      "home/files.yaml":
        "# my dotfiles\nfiles:\n  # git first\n  - { target: ~/.gitconfig, source: files/gitconfig }\n",
      "files/gitconfig": "[user]\n",
    });
    writeFileSync(join(t.home, ".vimrc"), "set nu\n");
    const r = await t.run(["adopt", join(t.home, ".vimrc")]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(t.repo.read("home/files.yaml")).toBe(
      "# my dotfiles\nfiles:\n  # git first\n  - { target: ~/.gitconfig, source: files/gitconfig }\n  - { target: ~/.vimrc, source: files/vimrc }\n",
    );
    expect(t.repo.read("dotops.yaml")).toBe(
      "version: 1\nimports: [home/*.yaml]\nhosts:\n  box: { platform: linux }\n",
    );
    expect(readFileSync(join(t.home, ".gitconfig"), "utf8")).toBe("[user]\n");
  });

  it("refuses a path outside HOME, a managed path and a link into the store, changing nothing", async () => {
    const t = await setup();
    const outside = join(tempDir(), "elsewhere");
    writeFileSync(outside, "x\n");
    const r1 = await t.run(["adopt", outside]);
    expect(r1.exitCode).toBe(2);
    expect(r1.stderr).toContain(`cannot adopt ${outside}: it is outside HOME`);
    const r2 = await t.run(["adopt", "../../etc/passwd"]);
    expect(r2.exitCode).toBe(2);
    expect(r2.stderr).toContain("outside HOME");

    writeFileSync(join(t.home, ".a"), "a\n");
    expect((await t.run(["adopt", ".a"])).exitCode).toBe(0);
    // Already managed: the config names it (file:line), and HOME holds a link into the store.
    await t.repo.commit({}, "adopt .a");
    const r3 = await t.run(["adopt", ".a"]);
    expect(r3.exitCode).toBe(4);
    expect(r3.stderr).toContain("it is already managed by dotops (a link into");
    writeFileSync(join(t.home, ".b"), "b\n");
    await t.repo.commit({
      "home/files.yaml": `${t.repo.read("home/files.yaml")}  - { target: ~/.b, text: "b" }\n`,
    });
    const r4 = await t.run(["adopt", ".b"]);
    expect(r4.exitCode).toBe(4);
    expect(r4.stderr).toMatch(/cannot adopt \.b: it is already managed \(home\/files\.yaml:\d+\)/);
    // A path that would land on a repo file already there, and nothing at all.
    const r5 = await t.run(["adopt", ".missing"]);
    expect(r5.exitCode).toBe(2);
    expect(r5.stderr).toContain("there is nothing at");
    const yaml = t.repo.read("home/files.yaml");
    expect(await git(t.repo.dir, "status", "--porcelain")).toBe("");
    expect(t.repo.read("home/files.yaml")).toBe(yaml);
    expect(readFileSync(join(t.home, ".b"), "utf8")).toBe("b\n");
  });

  it("puts the repo back when the apply is refused (an unrelated file in the way): HOME and repo unchanged", async () => {
    const t = await setup();
    await t.repo.commit({
      "user-config.yaml": "user: { name: A }\nfiles:\n  - { target: ~/.other, source: files/other }\n",
      "files/other": "managed\n",
    });
    writeFileSync(join(t.home, ".other"), "the user's own\n");
    writeFileSync(join(t.home, ".c"), "c\n");
    const r = await t.run(["adopt", ".c"]);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain("refusing to apply");
    expect(await git(t.repo.dir, "status", "--porcelain")).toBe("");
    expect(existsSync(join(t.repo.dir, "home"))).toBe(false);
    expect(lstatSync(join(t.home, ".c")).isFile()).toBe(true);
    expect(readFileSync(join(t.home, ".other"), "utf8")).toBe("the user's own\n");
  });
});
