// Loaded into each CLI process of the hostile corpus (NODE_OPTIONS=--import): when the process
// exits it records its peak resident set size (KB) and the CPU time it and the children it
// waited for (git) used (ms), so the runner can hold each case to the limits without a
// wrapper process, and tell the work a case causes from the load of a shared machine.
import { appendFileSync, readFileSync } from "node:fs";

const out = process.env.HOSTILE_RSS_FILE;
if (out)
  process.on("exit", () => {
    const own = process.cpuUsage();
    // /proc/self/stat fields 16 and 17: children's user and system time, in clock ticks (100 Hz).
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const children = (Number(fields[13]) + Number(fields[14])) * 10;
    const cpuMs = (own.user + own.system) / 1000 + children;
    appendFileSync(out, `${process.pid} ${process.resourceUsage().maxRSS} ${Math.round(cpuMs)}\n`);
  });
