/**
 * The Nix tests' world (test/nix*.test.ts): real Nix (Debian's nix-bin, offline),
 * a config repo with a stand-in flake whose derivations /bin/sh builds, a
 * sandbox HOME, and a `nix` wrapper that logs its calls.
 */
import { existsSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa, execaSync } from "execa";
import { ConfigRepo, dotops, ROOT, sandbox, tempDir } from "./helpers.js";

export const NIX = (() => {
  try {
    return execaSync("sh", ["-c", "command -v nix"]).stdout.trim() || null;
  } catch {
    return null;
  }
})();

export const SYSTEM = NIX
  ? execaSync("nix", [
      "--extra-experimental-features",
      "nix-command",
      "eval",
      "--impure",
      "--raw",
      "--expr",
      "builtins.currentSystem",
    ]).stdout
  : "x86_64-linux";

export const NIX_CONFIG =
  "experimental-features = nix-command flakes\nbuild-users-group =\nsandbox = false\nsubstituters =";
export const SIM_BIN = join(ROOT, "test/simulators/bin");

/**
 * A stand-in package set: each `<name>-<version>` a tiny /bin/sh derivation with bin/<name>.
 * `inputs`: flake inputs by name (url); every derivation depends on their locked revs.
 */
export function flake(opts: {
  salt: string;
  versions?: Record<string, string>;
  darwin?: string;
  extra?: string;
  inputs?: Record<string, string>;
}) {
  const inputs = Object.entries(opts.inputs ?? {});
  const inputDecls = inputs.map(([n, url]) => `  inputs.${n}.url = "${url}";\n`).join("");
  const inputArgs = inputs.map(([n]) => `, ${n}`).join("");
  const inputRevs = inputs.map(([n]) => `\${${n}.rev or ""}`).join(",");
  const v = { git: "2.40", curl: "8.0", wget: "1.21", jq: "1.7", ...opts.versions };
  const pkgs = Object.entries(v)
    .map(([n, ver]) => `      ${n} = mk "${n}" "${ver}";`)
    .join("\n");
  return `{
${inputDecls}  outputs = { self${inputArgs} }: let
    sh = name: script: derivation {
      inherit name; system = "${SYSTEM}"; builder = "/bin/sh";
      args = [ "-c" "export PATH=/bin:/usr/bin; \${script}" ];
      salt = "${opts.salt}${inputRevs}";
    };
    mk = n: v: sh "\${n}-\${v}" "mkdir -p $out/bin; printf '#!/bin/sh\\\\necho \${n} \${v}\\\\n' > $out/bin/\${n}; chmod +x $out/bin/\${n}";
    sys = v: sh "darwin-system-\${v}" "mkdir -p $out/sw/bin; printf '#!/bin/sh\\\\necho \${v} > $HOME/activated\\\\n' > $out/activate; chmod +x $out/activate";
    hm = v: sh "home-manager-generation-\${v}" "mkdir -p $out; printf '#!/bin/sh\\\\necho \${v} $1 $2 > $HOME/hm-activated\\\\n' > $out/activate; chmod +x $out/activate";
  in {
    packages.${SYSTEM} = {
${pkgs}
      killed = sh "killed-1.0" "kill -9 $$";
    };
    darwinConfigurations.mac.system = sys "${opts.darwin ?? "1"}";
    homeConfigurations.me.activationPackage = hm "${opts.darwin ?? "1"}";${opts.extra ?? ""}
  };
}
`;
}

/** A config repo with the stand-in flake, a sandbox HOME, a `nix` that logs its calls, and a runner. */
export async function world(nixYaml: string, opts: { platform?: "linux" | "darwin"; salt?: string } = {}) {
  const { home } = sandbox();
  const salt = opts.salt ?? `${Date.now()}-${Math.random()}`;
  const repo = await ConfigRepo.create({
    "dotops.yaml": `version: 1\nimports: [home/*.yaml, system/*.yaml]\nhosts:\n  box: { platform: ${opts.platform ?? "linux"} }\n`,
    "home/files.yaml": "files:\n  - { target: ~/.zshrc, text: 'export EDITOR=nvim' }\n",
    "system/nix.yaml": nixYaml,
    "flake.nix": flake({ salt }),
  });
  const bin = tempDir("dotops-nix-bin-");
  const log = join(bin, "nix.log");
  writeFileSync(join(bin, "nix"), `#!/bin/sh\necho "$*" >> ${log}\nexec ${NIX} "$@"\n`, { mode: 0o755 });
  const env: Record<string, string> = { PATH: `${bin}:${process.env.PATH}`, NIX_CONFIG };
  const run = (args: string[], extra: Record<string, string> = {}) =>
    dotops(["--repo", repo.dir, ...args], { home, env: { ...env, ...extra } });
  const nixCalls = () =>
    existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").filter(Boolean) : [];
  const builds = () => nixCalls().filter((l) => / build /.test(` ${l} `));
  const profile = join(home, ".local/state/dotops/nix/profile");
  /** The profile's current generation number and store path. */
  const current = () => {
    const link = readlinkSync(profile);
    return { generation: Number(/-(\d+)-link$/.exec(link)?.[1]), out: realpathSync(profile) };
  };
  const tool = async (name: string) =>
    (await execa(join(profile, "bin", name), [], { reject: false })).stdout.trim();
  return { home, repo, run, env, bin, salt, nixCalls, builds, profile, current, tool };
}
