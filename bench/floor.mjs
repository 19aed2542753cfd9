// The no-op floor of issue 15: a Node process that lstat's every managed path
// (each linked file and each directory above it, listed one a line in the
// file named by argv[2]), which is the least a drift check can do.
import { lstatSync, readFileSync } from "node:fs";

for (const p of readFileSync(process.argv[2], "utf8").split("\n"))
  if (p) lstatSync(p, { throwIfNoEntry: false });
