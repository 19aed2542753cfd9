import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where this dotops is installed: the dotops package's root, found upwards
 * from this module — src/ under the tests, dist/cli/main.js or one of its
 * chunks (dist/cli/chunks/) when built, so no path depends on which file of
 * the bundle the code ended up in.
 */
let root: string | undefined;
export function packageRoot(): string {
  if (root) return root;
  for (let d = dirname(fileURLToPath(import.meta.url)); ; d = dirname(d)) {
    const pkg = join(d, "package.json");
    // action/dist holds a package.json of its own (type: module, no name): not ours.
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "dotops") {
      root = d;
      return d;
    }
    if (d === dirname(d)) throw new Error(`dotops' package.json not found above ${import.meta.url}`);
  }
}

const packageJson = () =>
  JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as {
    version: string;
    engines?: { node?: string };
  };

export function version(): string {
  return packageJson().version;
}

/** The Node versions this dotops supports: package.json's `engines.node` (`>=20.19`). */
export function nodeEngines(): string | undefined {
  return packageJson().engines?.node;
}

/** The built CLI, run by the agent for each pass and by the user services it installs. */
export const cliEntry = (): string => join(packageRoot(), "dist/cli/main.js");

export const examplesDir = (): string => join(packageRoot(), "config-examples");

/**
 * This dotops' code, as far as what it builds from a config goes: its version
 * and when the file holding this function was written (every build rewrites
 * it; in src under the tests it is self.ts). A generation built by other code
 * is not known to build the same from the same commit.
 */
export function codeIdentity(): string {
  return `${version()}@${statSync(fileURLToPath(import.meta.url)).mtimeMs}`;
}
