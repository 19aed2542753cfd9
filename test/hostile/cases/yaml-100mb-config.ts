import { closeSync, ftruncateSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import { defineCase } from "../case.js";

export default defineCase({
  title: "a 100 MB imported YAML file (sparse: made without writing 100 MB)",
  decision: "refused (exit 2) by its size as Git records it, before it is read or parsed: memory stays flat",
  files: {
    "dotops.yaml": "version: 1\nimports: [home/*.yaml]\nhosts:\n  box: { platform: linux }\n",
  },
  async setup(w) {
    mkdirSync(join(w.repo.dir, "home"), { recursive: true });
    const fd = openSync(join(w.repo.dir, "home/big.yaml"), "w");
    ftruncateSync(fd, 100 * 1024 * 1024);
    closeSync(fd);
    await w.commit({});
  },
  commands: [
    { args: ["check"], exit: 2, stderr: ["home/big.yaml is 100.0 MiB; dotops manages files up to 64 MiB"] },
    { args: ["apply"], exit: 2 },
  ],
});
