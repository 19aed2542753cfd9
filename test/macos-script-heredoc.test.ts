import { describe, expect, it } from "vitest";
import { convertMacosScript } from "../src/migrate/macos-script.js";

// Shaped like mathiasbynens/dotfiles' .macos (Terminal theme set by AppleScript in a here-document).
const SCRIPT = `defaults write com.apple.terminal StringEncodings -array 4

osascript <<EOD
tell application "Terminal"
	set themeName to "Solarized Dark"
	defaults write com.apple.dock autohide -bool true
end tell
EOD

defaults write com.apple.terminal SecureKeyboardEntry -bool true
cat <<-'END'
	text
	END
defaults write com.apple.Terminal ShowLineMarks -int 0
`;

describe("importing a .macos script with here-documents", () => {
  it("lists the command that reads a here-document once, and reads nothing inside it as the script's own lines", () => {
    const r = convertMacosScript(SCRIPT);
    expect(r.skipped.map((s) => [s.line, s.text])).toEqual([
      [3, "osascript <<EOD (here-document to line 8)"],
      [11, "cat <<-'END' (here-document to line 13)"],
    ]);
    const yaml = r.files["system/macos-defaults.yaml"] ?? "";
    expect(yaml).toContain("SecureKeyboardEntry: true");
    expect(yaml).toContain("ShowLineMarks: 0");
    // The `defaults write` inside the AppleScript text is not the script's: not converted.
    expect(yaml).not.toContain("autohide");
  });
});
