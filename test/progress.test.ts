import { describe, expect, it } from "vitest";
import { terminalProgress } from "../src/report/progress.js";

function fakeTty() {
  const writes: string[] = [];
  return { writes, stream: { write: (s: string) => writes.push(s) > 0 } as unknown as NodeJS.WriteStream };
}

describe("terminal progress", () => {
  it("draws one line for big work, always shows completion, and clears itself", () => {
    const { writes, stream } = fakeTty();
    const p = terminalProgress(stream);
    for (let i = 1; i <= 1000; i++) p.report("apply", i, 1000);
    expect(writes[0]).toBe(`\r\u001b[Kapply   [                        ] 1/1000`);
    expect(writes.length).toBeLessThan(10); // throttled, not 1,000 redraws
    expect(writes.at(-1)).toBe(`\r\u001b[Kapply   [########################] 1000/1000`);
    p.end();
    expect(writes.at(-1)).toBe("\r\u001b[K");
  });

  it("stays silent for small work", () => {
    const { writes, stream } = fakeTty();
    const p = terminalProgress(stream);
    for (let i = 1; i <= 20; i++) p.report("apply", i, 20);
    p.end();
    expect(writes).toEqual([]);
  });

  it("shows a long step's latest output line, one line cut to the terminal's width", () => {
    const { writes, stream } = fakeTty();
    (stream as { columns?: number }).columns = 40;
    const p = terminalProgress(stream);
    p.activity("==> Pouring   ripgrep--14.1.1.arm64_sonoma.bottle.tar.gz and more text");
    expect(writes).toEqual([`\r\u001b[Kapply   ==> Pouring ripgrep--14.1.1.arm`]);
    p.end();
    expect(writes.at(-1)).toBe("\r\u001b[K");
  });
});
