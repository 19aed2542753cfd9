import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { brewfileImporter } from "../src/migrate/brewfile.js";

/* Brewfiles as real repos have them (shapes of 18F/laptop's and of a repo managed by rcmdnk/brew-file). */

const homebrew = (text: string) => {
  const r = brewfileImporter.convert(text, "Brewfile");
  return { hb: parse(r.files["system/homebrew.yaml"] ?? "").homebrew, skipped: r.skipped };
};

describe("importing real-world Brewfiles", () => {
  it("reads Homebrew Bundle's Ruby with blank lines between entries and lists cask_args it cannot map", () => {
    const { hb, skipped } = homebrew(
      "cask_args appdir: '/Applications'\n\nbrew 'git'\n\ntap 'homebrew/services'\n\nbrew 'postgresql'\n\ntap 'cloudfoundry/homebrew-tap'\nbrew 'cf-cli'\n\ntap 'caskroom/cask'\ncask 'slack'\n",
    );
    expect(hb).toEqual({
      taps: ["homebrew/services", "cloudfoundry/homebrew-tap", "caskroom/cask"],
      brews: ["git", "postgresql", "cf-cli"],
      casks: ["slack"],
      cleanup: "none",
    });
    expect(skipped.map((s) => s.line)).toEqual([1]);
  });

  it("reads rcmdnk/brew-file's Brewfile (no Ruby: bare names, appstore lines)", () => {
    const { hb, skipped } = homebrew(
      [
        "# tap repositories and their packages",
        "tap homebrew/core",
        "brew autoconf",
        "brew bash",
        "brew ffmpeg --HEAD",
        "",
        "tap homebrew/cask",
        "cask jtool",
        "",
        "# App Store applications",
        "appstore 1107421413 1Blocker (1.4.3)",
        "appstore Install macOS Mojave (14022)",
        "appstore 497799835 Xcode (10.0)",
        "",
      ].join("\n"),
    );
    expect(hb).toEqual({
      taps: ["homebrew/core", "homebrew/cask"],
      brews: ["autoconf", "bash", { name: "ffmpeg", args: ["--HEAD"] }],
      casks: ["jtool"],
      mas: { "1Blocker": 1107421413, Xcode: 497799835 },
      cleanup: "none",
    });
    expect(skipped).toEqual([
      {
        line: 12,
        text: "appstore Install macOS Mojave (14022)",
        reason: "appstore entry without an App Store id: find it with `mas search`",
      },
    ]);
  });
});
