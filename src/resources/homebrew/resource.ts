/** A third-party Homebrew repository (`brew tap <name> [url]`). Id: `tap/<name>`. */
export type TapResource = { kind: "tap"; id: string; name: string; url?: string };

/** A formula. Id: `brew/<name>` (`brew/user/tap/name` for one from a tap). */
export type BrewResource = {
  kind: "brew";
  id: string;
  name: string;
  /** Extra `brew install` arguments (only used when dotops installs it). */
  args?: string[];
  /** false: `brew unlink` it after install. */
  link?: boolean;
  restartService?: boolean | "changed";
};

/** A macOS app from a cask. Id: `cask/<token>`. */
export type CaskResource = { kind: "cask"; id: string; name: string; args?: string[]; greedy?: boolean };

/** A Mac App Store app. Id: `mas/<app id>`. */
export type MasResource = { kind: "mas"; id: string; appId: number; name: string };

/**
 * `cleanup: uninstall | zap`: formulae and casks installed but not in the
 * config (nor needed by one that is) are uninstalled, as `brew bundle
 * --cleanup` does. Id: `brew-cleanup`.
 */
export type BrewCleanupResource = {
  kind: "brew-cleanup";
  id: string;
  mode: "uninstall" | "zap";
  brews: string[];
  casks: string[];
};

/** What the machine had before dotops managed a package (Change.owns). */
export type PackageOwnership = { installed: true; version?: string } | { absent: true };

export const wasThereBefore = (owned: unknown): boolean =>
  typeof owned === "object" && owned !== null && (owned as { installed?: unknown }).installed === true;
