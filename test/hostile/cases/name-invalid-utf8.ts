import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { defineCase, entry } from "../case.js";

export default defineCase({
  title: "file names in a directory source that are not valid UTF-8 (bytes 0xff, 0xc3 0x28)",
  decision:
    "refused (exit 2) naming each path with its bytes escaped and saying to rename it: decoded they would all become U+FFFD, so two names would collide and none would land under its own name",
  files: { "dotops.yaml": entry("{ target: ~/.conf, source: files/conf }"), "files/conf/ok": "ok\n" },
  async setup(w) {
    const dir = Buffer.from(join(w.repo.dir, "files/conf/"));
    writeFileSync(Buffer.concat([dir, Buffer.from([0x61, 0xff, 0x62])]), "one\n");
    writeFileSync(Buffer.concat([dir, Buffer.from([0x61, 0xc3, 0x28, 0x62])]), "two\n");
    await w.commit({});
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        "files/conf/a\\xffb: the name is not valid UTF-8; rename it in the repo",
        "files/conf/a\\xc3(b: the name is not valid UTF-8",
      ],
    },
    { args: ["apply"], exit: 2, stderr: ["is not valid UTF-8"] },
  ],
});
