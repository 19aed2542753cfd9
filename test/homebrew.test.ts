/**
 * The Homebrew kinds through the real CLI: a darwin host, `brew` and `mas`
 * found on PATH (the simulators in test/simulators/bin, or the real tools on
 * a Mac with DOTOPS_REAL_MACOS_TOOLS=1), real Git repos, a sandbox HOME.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { CLI, ConfigRepo, dotops, ROOT, sandbox, tempDir } from "./helpers.js";

const REAL = process.env.DOTOPS_REAL_MACOS_TOOLS === "1";
const SIM_BIN = join(ROOT, "test/simulators/bin");
/** A formula small enough to install for real on the macOS CI job. */
const TINY = REAL ? "hello" : "jq";

const DOTOPS_YAML =
  "version: 1\nimports: [home/*.yaml, system/*.yaml]\nhosts:\n  mac:\n    platform: darwin\n";
const FILES_YAML = "files:\n  - { target: ~/.zshrc, text: 'export EDITOR=nvim' }\n";

/** A darwin host's config repo, a sandbox HOME and the simulators' state dir. */
async function world(homebrew?: string) {
  const { home } = sandbox();
  const sim = tempDir("dotops-brew-sim-");
  const repo = await ConfigRepo.create({
    "dotops.yaml": DOTOPS_YAML,
    "home/files.yaml": FILES_YAML,
    ...(homebrew ? { "system/homebrew.yaml": homebrew } : {}),
  });
  const env: Record<string, string> = REAL ? {} : { PATH: `${SIM_BIN}:${process.env.PATH}`, SIM_STATE: sim };
  const run = (args: string[], extra: Record<string, string> = {}) =>
    dotops(["--repo", repo.dir, ...args], { home, env: { ...env, ...extra } });
  /** A command a person would type (brew list, mas list), with the same PATH. */
  const tool = async (cmd: string, ...args: string[]) =>
    (await execa(cmd, args, { env: { ...process.env, ...env }, reject: false })).stdout;
  const brewLog = () =>
    existsSync(join(sim, "brew.log")) ? readFileSync(join(sim, "brew.log"), "utf8").trim().split("\n") : [];
  /** Every simulator state file, byte for byte (logs left out). */
  const simState = () =>
    Object.fromEntries(
      readdirSync(sim)
        .filter((f) => f.endsWith(".json"))
        .map((f) => [f, readFileSync(join(sim, f), "utf8")]),
    );
  return { home, sim, repo, run, tool, brewLog, simState };
}

const json = (stdout: string) => JSON.parse(stdout);
const lines = (s: string) => s.split("\n").filter(Boolean);
type JsonChange = {
  action: string;
  kind: string;
  id: string;
  destructive: boolean;
  note?: string;
  refusal?: string;
};

describe("homebrew", () => {
  it("plans, applies, is a no-op the second time, and a git revert puts brew and mas back exactly", async () => {
    const w = await world();
    await w.repo.commit({}, "files only");
    if (!REAL) {
      // What the user had before dotops: a formula and an App Store app.
      await w.tool(join(SIM_BIN, "brew"), "install", "git");
      await w.tool(join(SIM_BIN, "mas"), "install", "409203825");
    }
    expect((await w.run(["apply"])).exitCode).toBe(0);
    const before = REAL ? {} : w.simState();
    const logged = w.brewLog().length;
    const formulaeBefore = await w.tool("brew", "list", "--formula");

    await w.repo.commit({
      "system/homebrew.yaml": REAL
        ? `homebrew:\n  brews: [${TINY}]\n`
        : "homebrew:\n  taps: [acme/tools]\n  brews: [jq, wget, acme/tools/widget]\n  casks: [discord]\n  mas: { Xcode: 497799835 }\n",
    });
    const plan = await w.run(["plan", "--json"]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    const changes = json(plan.stdout).changes as JsonChange[];
    expect(changes.map((c) => `${c.action} ${c.id}`)).toEqual(
      REAL
        ? [`create brew/${TINY}`]
        : [
            "create tap/acme/tools",
            "create brew/acme/tools/widget",
            "create brew/jq",
            "create brew/wget",
            "create cask/discord",
            "create mas/497799835",
          ],
    );
    const applied = await w.run(["apply"]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(lines(await w.tool("brew", "list", "--formula"))).toContain(TINY);
    if (!REAL) {
      expect(lines(await w.tool("brew", "list", "--cask"))).toEqual(["discord"]);
      expect(await w.tool("mas", "list")).toMatch(/^497799835\s+App 497799835\s+\(1\.0\)$/m);
      // One install per batch, with auto-update off (the simulator would say "Auto-updating").
      expect(
        w
          .brewLog()
          .slice(logged)
          .filter((l) => l.startsWith("install")),
      ).toEqual(["install --formula acme/tools/widget jq wget", "install --cask discord"]);
      expect(applied.stderr).not.toMatch(/Auto-updating/);
      // brew's own output streamed to the log.
      expect(applied.stderr).toMatch(/brew: 🍺 {2}\/opt\/homebrew\/Cellar\/jq\/1\.0\.0/);
      const installed = json(
        readFileSync(join(w.home, ".local/state/dotops/generations/2/installed.json"), "utf8"),
      );
      expect(installed).toEqual({
        "brew/acme/tools/widget": "1.0.0",
        "brew/jq": "1.0.0",
        "brew/wget": "1.0.0",
        "cask/discord": "1.0.0",
        "mas/497799835": "1.0",
      });
    }
    const again = await w.run(["plan", "--json"]);
    expect(json(again.stdout).changes).toEqual([]);
    expect((await w.run(["apply"])).stdout).toMatch(/No changes/);

    await w.repo.revert();
    const back = await w.run(["plan", "--json"]);
    const undo = json(back.stdout).changes as JsonChange[];
    expect(undo.filter((c) => c.kind !== "tap").every((c) => c.action === "delete" && c.destructive)).toBe(
      true,
    );
    expect((await w.run(["apply"])).exitCode).toBe(4); // uninstalls need --allow-destructive
    const reverted = await w.run(["apply", "--allow-destructive"]);
    expect(reverted.exitCode, reverted.stderr).toBe(0);
    expect(await w.tool("brew", "list", "--formula")).toBe(formulaeBefore);
    if (!REAL) expect(w.simState()).toEqual(before);
  });

  // On a real Mac this would touch the runner's own formulae.
  it.skipIf(REAL)("adopts a brew that was there before dotops and never uninstalls it", async () => {
    const w = await world();
    await w.tool(join(SIM_BIN, "brew"), "install", "git");
    await w.repo.commit({ "system/homebrew.yaml": "homebrew:\n  brews: [git, jq]\n" });
    const plan = json((await w.run(["plan", "--json"])).stdout).changes as JsonChange[];
    expect(plan.find((c) => c.id === "brew/git")).toMatchObject({
      action: "create",
      note: "already installed (1.0.0): adopted, left in place if it is ever unmanaged",
    });
    expect((await w.run(["apply"])).exitCode).toBe(0);
    expect(w.brewLog()).toContain("install --formula jq"); // git is not installed again
    const owned = json(readFileSync(join(w.home, ".local/state/dotops/generations/1/owned.json"), "utf8"));
    expect(owned).toEqual({ "brew/git": { installed: true, version: "1.0.0" }, "brew/jq": { absent: true } });

    await w.repo.commit({ "system/homebrew.yaml": "homebrew:\n  brews: []\n" });
    const out = json((await w.run(["plan", "--json"])).stdout).changes as JsonChange[];
    expect(out).toEqual([
      expect.objectContaining({
        action: "delete",
        id: "brew/git",
        destructive: false,
        note: "left installed: it was there before dotops",
      }),
      expect.objectContaining({ action: "delete", id: "brew/jq", destructive: true }),
    ]);
    expect((await w.run(["apply", "--allow-destructive"])).exitCode).toBe(0);
    expect(lines(await w.tool("brew", "list", "--formula"))).toEqual(["git"]);
    expect(w.brewLog().filter((l) => l.startsWith("uninstall"))).toEqual(["uninstall --formula jq"]);
  });

  it.skipIf(REAL)(
    "link: false unlinks, restartService starts the service, in the same install batch",
    async () => {
      const w = await world(
        "homebrew:\n  brews: [jq, { name: vim, link: false }, { name: postgresql@16, restartService: true }]\n",
      );
      const r = await w.run(["apply"]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(w.brewLog()).toEqual([
        "info --json=v2 --installed",
        "install --formula jq postgresql@16 vim",
        "unlink vim",
        "services restart postgresql@16",
        "info --json=v2 --installed",
      ]);
      expect(await w.tool("brew", "services", "list")).toContain("postgresql@16 started");
      const linked = () =>
        json(w.simState()["brew.json"] as string).formulae.vim.linked === false ? "unlinked" : "linked";
      expect(linked()).toBe("unlinked");

      await w.repo.commit({
        "system/homebrew.yaml": "homebrew:\n  brews: [jq, { name: vim, link: true }, postgresql@16]\n",
      });
      const plan = json((await w.run(["plan", "--json"])).stdout).changes as JsonChange[];
      expect(plan).toEqual([
        expect.objectContaining({ action: "update", id: "brew/vim", note: "brew link (link: true)" }),
      ]);
      expect((await w.run(["apply"])).exitCode).toBe(0);
      expect(linked()).toBe("linked");
      await w.repo.revert();
      expect((await w.run(["apply"])).exitCode).toBe(0);
      expect(linked()).toBe("unlinked");
    },
  );

  it.skipIf(REAL)("cleanup: uninstall and zap remove what is not listed, as destructive steps", async () => {
    const w = await world();
    writeFileSync(
      join(w.sim, "brew-catalog.json"),
      JSON.stringify({ jq: { version: "1.7.1", deps: ["oniguruma"] } }),
    );
    const brew = join(SIM_BIN, "brew");
    await w.tool(brew, "install", "jq", "htop");
    await w.tool(brew, "install", "--cask", "firefox");
    await w.repo.commit({ "system/homebrew.yaml": "homebrew:\n  brews: [jq]\n  cleanup: zap\n" });
    const plan = json((await w.run(["plan", "--json"])).stdout).changes as JsonChange[];
    const cleanup = plan.find((c) => c.kind === "brew-cleanup");
    expect(cleanup).toMatchObject({ action: "delete", destructive: true });
    // jq's dependency stays; htop and the cask go (zap: with the app's data).
    expect(cleanup?.note).toBe(
      "uninstalls 2 not in the config (cleanup: zap): htop 1.0.0, cask firefox 1.0.0 (zap: its app data too)",
    );
    const refused = await w.run(["apply"]);
    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toMatch(/delete brew-cleanup brew-cleanup/);
    expect((await w.run(["apply", "--allow-destructive"])).exitCode).toBe(0);
    expect(w.brewLog().filter((l) => l.startsWith("uninstall"))).toEqual([
      "uninstall --formula htop",
      "uninstall --cask --zap firefox",
    ]);
    expect(lines(await w.tool("brew", "list", "--formula"))).toEqual(["jq", "oniguruma"]);
    expect(await w.tool("brew", "list", "--cask")).toBe("");

    // cleanup: uninstall leaves casks' data (no --zap).
    await w.tool(brew, "install", "--cask", "slack");
    await w.repo.commit({ "system/homebrew.yaml": "homebrew:\n  brews: [jq]\n  cleanup: uninstall\n" });
    expect((await w.run(["apply", "--allow-destructive"])).exitCode).toBe(0);
    expect(w.brewLog().at(-2)).toBe("uninstall --cask slack");
  });

  it.skipIf(REAL)("plans 500 brews with at most 3 brew processes", async () => {
    const names = Array.from({ length: 500 }, (_, i) => `pkg${String(i).padStart(3, "0")}`);
    const w = await world(`homebrew:\n  taps: [acme/tools]\n  brews: [${names.join(", ")}]\n`);
    await w.tool(join(SIM_BIN, "brew"), "install", ...names.slice(0, 250));
    const before = w.brewLog().length;
    const plan = await w.run(["plan", "--json"]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    const changes = json(plan.stdout).changes as JsonChange[];
    expect(changes.filter((c) => c.note?.startsWith("already installed"))).toHaveLength(250);
    expect(changes).toHaveLength(502); // 500 brews, the tap, ~/.zshrc
    const calls = w.brewLog().slice(before);
    expect(calls.length).toBeLessThanOrEqual(3);
    expect(calls.sort()).toEqual(["info --json=v2 --installed", "tap"]);
  });

  it.skipIf(REAL)(
    "a kill -9 in the middle of the brew batch: the next run's generation and brew agree",
    async () => {
      const w = await world("homebrew:\n  brews: [git]\n");
      expect((await w.run(["apply"])).exitCode).toBe(0);
      await w.repo.commit({ "system/homebrew.yaml": "homebrew:\n  brews: [git, aaa, bbb, ccc]\n" });
      const sub = execa(process.execPath, [CLI, "--repo", w.repo.dir, "apply"], {
        env: {
          PATH: `${SIM_BIN}:${process.env.PATH}`,
          HOME: w.home,
          SIM_STATE: w.sim,
          SIM_BREW_HANG_ON: "bbb",
        },
        extendEnv: false,
        reject: false,
      });
      const pidFile = join(w.sim, "brew-hang.pid");
      for (let i = 0; i < 400 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 25));
      expect(existsSync(pidFile)).toBe(true);
      // brew has installed aaa and hangs on bbb: dotops dies right there.
      expect(lines(await w.tool("brew", "list", "--formula"))).toEqual(["aaa", "git"]);
      sub.kill("SIGKILL");
      await sub;
      for (let i = 0; i < 400 && existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 25));
      expect(existsSync(pidFile)).toBe(false); // brew went with it

      /** What brew has, as a generation records it. */
      const brewNow = async () =>
        Object.fromEntries(
          lines(await w.tool("brew", "list", "--versions")).map((l) => {
            const [n, v] = l.split(" ");
            return [`brew/${n}`, v];
          }),
        );
      const recorded = (n: number) =>
        json(readFileSync(join(w.home, `.local/state/dotops/generations/${n}/installed.json`), "utf8"));

      // The next run recovers: what the interrupted apply installed is gone, generation 1 is current again.
      const gens = await w.run(["generations", "--json"]);
      expect(gens.exitCode, gens.stderr).toBe(0);
      expect(
        json(gens.stdout).map((g: { outcome: string; current: boolean }) => [g.outcome, g.current]),
      ).toEqual([
        ["applied", true],
        ["failed", false],
      ]);
      expect(await brewNow()).toEqual(recorded(1));
      expect(json((await w.run(["status", "--json"])).stdout).drift).toEqual([]);

      // And applying again records exactly what brew has.
      expect((await w.run(["apply"])).exitCode).toBe(0);
      expect(Object.keys(recorded(3))).toEqual(["brew/aaa", "brew/bbb", "brew/ccc", "brew/git"]);
      expect(await brewNow()).toEqual(recorded(3));
    },
  );

  // Needs an upgrade between two applies (the simulator's catalog).
  it.skipIf(REAL)("diff A B shows which versions changed between two generations", async () => {
    const w = await world("homebrew:\n  brews: [jq]\n");
    expect((await w.run(["apply"])).exitCode).toBe(0);
    writeFileSync(join(w.sim, "brew-catalog.json"), JSON.stringify({ jq: "1.7.1" }));
    await w.tool(join(SIM_BIN, "brew"), "upgrade", "jq"); // the user upgrades
    await w.repo.commit({ "system/homebrew.yaml": "homebrew:\n  brews: [jq, wget]\n" });
    expect((await w.run(["apply"])).exitCode).toBe(0);
    const text = await w.run(["diff", "1", "2"]);
    expect(text.stdout).toContain("~ brew/jq 1.0.0 → 1.7.1");
    expect(text.stdout).toContain("+ brew brew/wget");
    expect(text.stdout).toMatch(/1 created, 0 updated, 0 deleted, 1 version\(s\) changed\.$/m);
    const j = json((await w.run(["diff", "1", "2", "--json"])).stdout);
    expect(j.versions).toEqual([{ id: "brew/jq", from: "1.0.0", to: "1.7.1" }]);
  });

  it("homebrew is for darwin hosts only", async () => {
    const w = await world("homebrew:\n  brews: [jq]\n");
    await w.repo.commit({ "dotops.yaml": DOTOPS_YAML.replace("darwin", "linux") });
    const plan = json((await w.run(["plan", "--json"])).stdout).changes as JsonChange[];
    expect(plan.map((c) => c.id)).toEqual(["~/.zshrc"]);
  });
});

describe("homebrew: bad input", () => {
  it("brew missing: not observable here, with how to install it; apply refuses and changes nothing", async () => {
    const w = await world("homebrew:\n  brews: [jq]\n  casks: [discord]\n");
    const noBrew = { PATH: "/usr/bin:/bin" };
    const plan = await w.run(["plan"], noBrew);
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toContain("! brew brew/jq");
    expect(plan.stdout).toContain(
      "not observable here: brew is not on PATH (install Homebrew: https://brew.sh)",
    );
    const r = await w.run(["apply"], noBrew);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain(
      "cask/discord: not observable here: brew is not on PATH (install Homebrew: https://brew.sh)",
    );
    expect(existsSync(join(w.home, ".zshrc"))).toBe(false);
    expect(existsSync(join(w.home, ".local/state/dotops/generations/1"))).toBe(false);
  });

  it.skipIf(REAL)(
    "an unknown formula: apply fails naming it, the tap added before it is undone",
    async () => {
      const w = await world("homebrew:\n  taps: [acme/tools]\n  brews: [jq, no-such-formula-zz-9f3a]\n");
      writeFileSync(join(w.sim, "brew-unknown"), "no-such-formula-zz-9f3a\n");
      await w.tool(join(SIM_BIN, "brew"), "install", "git");
      const before = w.simState();
      const r = await w.run(["apply"]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain('Warning: No available formula with the name "no-such-formula-zz-9f3a".');
      expect(r.stderr).toContain("Error: No formulae or casks found for no-such-formula-zz-9f3a.");
      expect(r.stderr).toMatch(/apply failed and was undone/);
      expect(w.brewLog()).toContain("untap acme/tools");
      expect(w.simState()).toEqual(before);
      expect(existsSync(join(w.home, ".zshrc"))).toBe(false);
    },
  );

  it.skipIf(REAL)("an unknown cask: named, everything before it undone", async () => {
    const w = await world("homebrew:\n  brews: [jq]\n  casks: [nope-app]\n");
    writeFileSync(join(w.sim, "brew-unknown"), "nope-app\n");
    const r = await w.run(["apply"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("Error: Cask 'nope-app' is unavailable: No Cask with this name exists.");
    expect(await w.tool("brew", "list", "--formula")).toBe(""); // jq was installed, then undone
  });

  it.skipIf(REAL)("brew failing mid-batch: everything this apply did is undone", async () => {
    const w = await world(
      "homebrew:\n  taps: [acme/tools]\n  brews: [aaa, bbb, ccc]\n  mas: { Xcode: 497799835 }\n",
    );
    await w.tool(join(SIM_BIN, "brew"), "install", "git");
    const before = w.simState();
    const r = await w.run(["apply"], { SIM_BREW_FAIL_ON: "bbb" });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("Errno::ENOSPC: No space left on device");
    // aaa was installed by the failing batch: the undo removes it and only it.
    expect(w.brewLog().slice(-4)).toEqual([
      "info --json=v2 --installed",
      "uninstall --formula aaa",
      "tap",
      "untap acme/tools",
    ]);
    expect(w.simState()).toEqual(before);
    expect(lines(await w.tool("brew", "list", "--formula"))).toEqual(["git"]);
  });
});

describe("Brewfile import and export", () => {
  /** In the style of popular dotfiles repos' Brewfiles (taps, args, services, casks, mas, other managers, Ruby). */
  const BREWFILE = `# Brewfile — managed with \`brew bundle\`
cask_args appdir: "~/Applications", require_sha: true

tap "homebrew/bundle"
tap "homebrew/services"
tap "hashicorp/tap"
tap "acme/private", "https://git.example.com/acme/homebrew-private.git"

# Shell & core utils
brew "bash"
brew "zsh"
brew "coreutils"
brew "git"
brew "gnupg"
brew "ripgrep"
brew "fd"
brew "fzf"
brew "jq"
brew "neovim", args: ["HEAD"]
brew "vim", link: false # keep the system vi
brew "hashicorp/tap/terraform"
brew "postgresql@16", restart_service: :changed
brew "redis", restart_service: true
brew "mysql", start_service: true
brew "mas"

if OS.mac?
  brew "pinentry-mac"
end
brew "gcc" unless OS.mac?

# Apps
cask "1password"
cask "firefox", args: { appdir: "~/Applications", no_quarantine: true }
cask "iterm2"
cask "visual-studio-code"
cask "docker"
cask "raycast", greedy: true
cask "font-jetbrains-mono-nerd-font"

# Mac App Store
mas "Xcode", id: 497799835
mas "Things 3", id: 904280696
mas "Magnet"

# Editors and other package managers
vscode "esbenp.prettier-vscode"
vscode "dbaeumer.vscode-eslint"
whalebrew "whalebrew/wget"
go "golang.org/x/tools/gopls"
cargo "cargo-edit"
uv "ruff"
flatpak "org.gimp.GIMP"
`;

  it("imports a realistic Brewfile, lists what it cannot map by line, and exports it back", async () => {
    const dir = tempDir("dotops-brewfile-");
    writeFileSync(join(dir, "Brewfile"), BREWFILE);
    expect(BREWFILE.split("\n").length).toBeGreaterThan(40);
    const { home } = sandbox();
    const repo = await ConfigRepo.create({ "dotops.yaml": DOTOPS_YAML });
    const imported = await dotops(
      ["--repo", repo.dir, "import", "brewfile", join(dir, "Brewfile"), "--json"],
      {
        home,
      },
    );
    expect(imported.exitCode, imported.stderr).toBe(0);
    const r = json(imported.stdout);
    expect(r.counts).toEqual({ taps: 4, brews: 16, casks: 7, "mas apps": 2 });
    expect(
      r.skipped.map((s: { line: number; reason: string }) => `${s.line}: ${s.reason.split(":")[0]}`),
    ).toEqual([
      "2: cask_args",
      "24: option start_service",
      "27: Ruby conditional or block",
      "28: inside the Ruby block at line 27 (if OS.mac?)",
      "30: Ruby conditional",
      "44: mas needs id",
      "47: a VS Code extension",
      "48: a VS Code extension",
      "49: a whalebrew image",
      "50: a Go package",
      "51: a Rust crate",
      "52: a uv tool",
      "53: a Flatpak",
    ]);
    const yaml = repo.read("system/homebrew.yaml");
    expect(yaml).toContain(
      "    - name: acme/private\n      url: https://git.example.com/acme/homebrew-private.git\n",
    );
    expect(yaml).toContain("    - name: neovim\n      args:\n        - --HEAD\n");
    expect(yaml).toContain("    - name: vim\n      link: false\n");
    expect(yaml).toContain("    - name: postgresql@16\n      restartService: changed\n");
    expect(yaml).toContain(
      "    - name: firefox\n      args:\n        - --appdir=~/Applications\n        - --no-quarantine\n",
    );
    expect(yaml).toContain("  mas:\n    Xcode: 497799835\n    Things 3: 904280696\n");
    await repo.commit({}, "import");
    const check = await dotops(["--repo", repo.dir, "check"], { home });
    expect(check.exitCode, check.stderr).toBe(0);

    // Export, then import the export: the same config.
    const out = join(dir, "Brewfile.out");
    const exported = await dotops(["--repo", repo.dir, "export", "brewfile", "-o", out], { home });
    expect(exported.exitCode, exported.stderr).toBe(0);
    const text = readFileSync(out, "utf8");
    expect(text).toContain('brew "postgresql@16", restart_service: :changed\n');
    expect(text).toContain('cask "firefox", args: { appdir: "~/Applications", no_quarantine: true }\n');
    expect(text).toContain('mas "Things 3", id: 904280696\n');
    const again = tempDir("dotops-brewfile-again-");
    const re = await dotops(["import", "brewfile", out, "-o", again, "--json"], { home });
    expect(json(re.stdout).skipped).toEqual([]);
    expect(readFileSync(join(again, "system/homebrew.yaml"), "utf8")).toBe(yaml);
    // Without -o it prints the Brewfile.
    expect((await dotops(["--repo", repo.dir, "export", "brewfile"], { home })).stdout).toBe(text.trimEnd());
  });
});
