import type { TypedPlist } from "./value.js";

/** A domain as `defaults` is told it: a name (com.apple.dock, NSGlobalDomain) or a plist path, maybe `-currentHost`. */
export type DomainRef = {
  domain: string;
  /** `defaults -currentHost`: this Mac's ByHost preferences. */
  currentHost?: true;
};

/** One key of one domain: `defaults/<domain>/<key>` or `defaults/currentHost/<domain>/<key>`. */
export type DefaultsResource = DomainRef & {
  kind: "defaults";
  id: string;
  key: string;
  value: TypedPlist;
};

/**
 * `killall <process>` after a key of one of its domains changed in an apply
 * (`restartOnChange`): `restart/<process>`. It carries the keys it watches,
 * so its plan can tell, from the machine alone, whether any of them changes.
 */
export type RestartResource = {
  kind: "defaults-restart";
  id: string;
  process: string;
  domains: string[];
  keys: Omit<DefaultsResource, "origin">[];
};

export const defaultsId = (ref: DomainRef, key: string) =>
  `defaults/${ref.currentHost ? "currentHost/" : ""}${ref.domain}/${key}`;

export const restartId = (process: string) => `restart/${process}`;

/** A system-wide domain (`/Library/Preferences/…`): written as root. */
export const isSystemDomain = (domain: string) => domain.startsWith("/Library/Preferences/");

/** `-g` and `-globalDomain` are NSGlobalDomain to `defaults`: one id for one setting. */
export function canonicalDomain(domain: string): string {
  return domain === "-g" || domain === "-globalDomain" || domain === "Apple Global Domain"
    ? "NSGlobalDomain"
    : domain;
}

export const showDomain = (ref: DomainRef) => `${ref.currentHost ? "-currentHost " : ""}${ref.domain}`;
