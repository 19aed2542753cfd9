#!/usr/bin/env node
// Prints CHANGELOG.md's entry for a version (package.json's by default): the
// text under its "## <version>" heading, which `changeset version` writes.
// The release workflow fails before publishing when a tag has no entry, and
// makes the entry the GitHub release's notes.
//
//   node scripts/changelog.mjs [version] [--changelog <file>]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const at = args.indexOf("--changelog");
const file = at >= 0 ? args.splice(at, 2)[1] : join(root, "CHANGELOG.md");
const version = (args[0] ?? JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version).replace(
  /^v/,
  "",
);

const lines = readFileSync(file, "utf8").split("\n");
const start = lines.findIndex((l) => l.trim() === `## ${version}`);
const end = lines.findIndex((l, i) => i > start && /^## /.test(l));
const entry =
  start < 0
    ? ""
    : lines
        .slice(start + 1, end < 0 ? undefined : end)
        .join("\n")
        .trim();
if (!entry) {
  console.error(
    `${file} has no entry for ${version}: add a changeset (npx changeset) and run npm run release`,
  );
  process.exit(1);
}
process.stdout.write(`${entry}\n`);
