import { closeSync, ftruncateSync, openSync } from "node:fs";
import { join } from "node:path";
import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "a 100 MB file as a source (a sparse file, committed with git hash-object)",
  decision:
    "refused (exit 2) by the size Git records, without reading the blob: dotops manages files up to 64 MiB",
  files: { "dotops.yaml": entry("{ target: ~/.big, source: files/big.bin }") },
  async setup(w) {
    const fd = openSync(join(w.repo.dir, "files.big.bin"), "w");
    ftruncateSync(fd, 100 * 1024 * 1024);
    closeSync(fd);
    const oid = await w.git("hash-object", "-w", "files.big.bin");
    await w.git("update-index", "--add", "--cacheinfo", `100644,${oid},files/big.bin`);
    await w.git("commit", "-q", "-m", "big");
  },
  commands: [
    { args: ["check"], exit: 2, stderr: ["files/big.bin is 100.0 MiB; dotops manages files up to 64 MiB"] },
    { args: ["apply"], exit: 2, stderr: ["files/big.bin is 100.0 MiB"] },
  ],
});
