class Dotops < Formula
  desc "GitOps for your machine: every commit a generation, git revert a rollback"
  homepage "https://github.com/dotops/dotops"
  url "https://registry.npmjs.org/dotops/-/dotops-0.1.0.tgz"
  sha256 "eff110dec10e473dadf94adf4260b2c89eb359c0753fe01ee522e9ec68102f81"
  license "MIT"

  depends_on "node"

  def install
    system "npm", "install", *std_npm_args
    bin.install_symlink libexec.glob("bin/*")
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/dotops --version")

    ENV["GIT_AUTHOR_NAME"] = "Homebrew"
    ENV["GIT_AUTHOR_EMAIL"] = "brew@example.com"
    ENV["GIT_COMMITTER_NAME"] = "Homebrew"
    ENV["GIT_COMMITTER_EMAIL"] = "brew@example.com"
    system bin/"dotops", "init", testpath/"dots"
    assert_path_exists testpath/"dots/dotops.yaml"
    assert_match "is valid", shell_output("#{bin}/dotops --repo #{testpath}/dots check")
  end
end
