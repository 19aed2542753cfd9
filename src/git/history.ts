import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { git, gitText } from "./git.js";

/** True when `ancestor` is `descendant` or one of its ancestors. */
export async function isAncestor(repo: string, ancestor: string, descendant: string): Promise<boolean> {
  const r = await git(repo, ["merge-base", "--is-ancestor", ancestor, descendant], { allowFail: true });
  if (r.exitCode > 1) return false; // unknown commit (e.g. gone after a force-push): not an ancestor
  return r.exitCode === 0;
}

/** Commits in `from..to`, newest first (full SHAs). */
export async function commitsBetween(repo: string, from: string | null, to: string): Promise<string[]> {
  const range = from ? [`${from}..${to}`] : [to];
  const out = await gitText(repo, ["rev-list", ...range]);
  return out ? out.split("\n") : [];
}

export async function isBareRepo(repo: string): Promise<boolean> {
  return (await gitText(repo, ["rev-parse", "--is-bare-repository"])) === "true";
}

/** The SHA a ref points at, or null when it does not exist. */
export async function readRef(repo: string, ref: string): Promise<string | null> {
  const r = await git(repo, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { allowFail: true });
  return r.exitCode === 0 ? r.stdout.toString("utf8").trim() : null;
}

export interface SignatureCheck {
  trusted: boolean;
  /** git's %G? code: G good, U good but unknown validity, B bad, N none, E cannot check, X/Y expired, R revoked */
  status: string;
  signer: string;
  key: string;
}

/**
 * Verifies the commit's signature against `trustedSigners`: SSH
 * allowed-signers lines (`alice@example.com ssh-ed25519 AAAA…`) are checked by
 * git itself; other entries are GPG key ids or fingerprints matched against
 * the signing key.
 */
export async function checkSignature(
  repo: string,
  commit: string,
  trustedSigners: string[],
): Promise<SignatureCheck> {
  const ssh = trustedSigners.filter((s) => /\s(ssh-|ecdsa-|sk-)/.test(s.trim()));
  const gpg = trustedSigners
    .filter((s) => !ssh.includes(s))
    .map((s) => s.replace(/\s|^0x/gi, "").toUpperCase());
  const tmp = await mkdtemp(join(tmpdir(), "dotops-signers-"));
  try {
    const signers = join(tmp, "allowed_signers");
    await writeFile(signers, `${ssh.join("\n")}\n`);
    const out = await gitText(repo, [
      "-c",
      `gpg.ssh.allowedSignersFile=${signers}`,
      "log",
      "-1",
      "--format=%G?%x00%GS%x00%GK%x00%GF",
      commit,
    ]);
    const [status = "N", signer = "", key = "", fingerprint = ""] = out.split("\0");
    const isSsh = key.startsWith("SHA256:");
    // git reports G for an SSH signature only when the key is in the allowed-signers file.
    const sshTrusted = isSsh && status === "G" && ssh.length > 0;
    // For GPG, a good signature (G, or U: valid but not certified in the local web of trust) by a listed key.
    const gpgTrusted =
      !isSsh &&
      (status === "G" || status === "U") &&
      gpg.some((id) => id && (key.toUpperCase().endsWith(id) || fingerprint.toUpperCase().endsWith(id)));
    return { trusted: sshTrusted || gpgTrusted, status, signer, key };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** How many commits `to` has that `from` lacks (`from..to`); null when either is unknown here. */
export async function countBetween(repo: string, from: string, to: string): Promise<number | null> {
  const r = await git(repo, ["rev-list", "--count", `${from}..${to}`], { allowFail: true });
  return r.exitCode === 0 ? Number(r.stdout.toString("utf8").trim()) : null;
}

/**
 * How far `commit` is behind the tip the repo knows of, without fetching: a
 * work tree's upstream (`@{upstream}`, as last fetched) or its HEAD, an agent's
 * bare clone's HEAD branch. null when the repo has no such tip or not `commit`.
 */
export async function behindTip(
  repo: string,
  commit: string,
): Promise<{ ref: string; tip: string; behind: number } | null> {
  const upstream = await git(repo, ["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"], {
    allowFail: true,
  });
  const ref = upstream.exitCode === 0 ? upstream.stdout.toString("utf8").trim() : "HEAD";
  const tip = await readRef(repo, ref);
  if (!tip || !(await readRef(repo, commit))) return null;
  const r = await git(repo, ["rev-list", "--count", `${commit}..${tip}`], { allowFail: true });
  return r.exitCode === 0 ? { ref, tip, behind: Number(r.stdout.toString("utf8").trim()) } : null;
}

/** Has `commit` reached a remote (is it on a remote-tracking branch)? An unpushed commit is in no one's rollout. */
export async function isPublished(repo: string, commit: string): Promise<boolean> {
  const r = await git(repo, ["for-each-ref", "--count=1", "--contains", commit, "refs/remotes"], {
    allowFail: true,
  });
  return r.exitCode === 0 && r.stdout.toString().trim() !== "";
}

/** Paths the work tree changed against HEAD (tracked or new, not ignored), as `git status` lists them. */
export async function uncommittedFiles(repo: string): Promise<string[]> {
  // -z: names as they are (no quoting), NUL-separated; each entry is "XY name".
  const out = (await git(repo, ["status", "--porcelain", "-z", "--untracked-files=normal"])).stdout.toString(
    "utf8",
  );
  return out
    .split("\0")
    .filter((e) => /^.. ./.test(e))
    .map((e) => e.slice(3));
}
