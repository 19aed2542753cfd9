import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Tests spawn the CLI dozens of times: on a busy 2-core machine a 60 s limit failed tests that pass (the .macos import, nix-darwin).
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // Tests spawn real git and the built CLI; two cores here.
    pool: "forks",
    maxWorkers: 2,
  },
});
