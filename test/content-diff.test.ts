import { createTwoFilesPatch } from "diff";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contentDiff } from "../src/resources/shared/content-diff.js";

/** What jsdiff prints (the oracle of the shortcut for new and removed files), without its "====" line. */
const jsdiff = (from: string, to: string, a: string, b: string) =>
  createTwoFilesPatch(from, to, a, b, undefined, undefined, { context: 3 }).split("\n").slice(1).join("\n");

describe("contentDiff of a new or a removed file", () => {
  const texts = ["l1\nl2\n", "one", "\n", "a\n\n", "a\r\nb\r\n", "tab\there\nlast"];

  it("prints what jsdiff prints", () => {
    for (const t of texts) {
      expect(contentDiff("~/.x", null, Buffer.from(t))).toBe(jsdiff("/dev/null", "b/~/.x", "", t));
      expect(contentDiff("~/.x", Buffer.from(t), null)).toBe(jsdiff("a/~/.x", "/dev/null", t, ""));
      // An empty file that exists keeps its name.
      expect(contentDiff("~/.x", Buffer.alloc(0), Buffer.from(t))).toBe(jsdiff("a/~/.x", "b/~/.x", "", t));
    }
  });

  it("prints what jsdiff prints for any text", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", "b", " ", "\n", "\r", "é") }), (t) => {
        fc.pre(t.length > 0);
        expect(contentDiff("f", null, Buffer.from(t))).toBe(jsdiff("/dev/null", "b/f", "", t));
        expect(contentDiff("f", Buffer.from(t), null)).toBe(jsdiff("a/f", "/dev/null", t, ""));
      }),
      { seed: 20141114, numRuns: 300 },
    );
  });
});
