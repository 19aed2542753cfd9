// Loaded into a measured dotops process with `node --import` (bench/runner.mjs
// dotopsPeakRss): at exit, writes the process's own peak RSS (KiB, from
// getrusage) to $BENCH_RSS_FILE. Only the Node process: git children not included.
import { writeFileSync } from "node:fs";

const out = process.env.BENCH_RSS_FILE;
if (out) process.on("exit", () => writeFileSync(out, `${process.resourceUsage().maxRSS}\n`));
