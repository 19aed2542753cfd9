import { join, resolve } from "node:path";
import type { Command } from "commander";
import { installAgent } from "../agent/service.js";
import { UsageError } from "../errors.js";
import { cliEntry } from "../self.js";
import type { CliFactory } from "./program.js";

export function registerInstallAgent(program: Command, cli: CliFactory) {
  program
    .command("install-agent")
    .description("run the agent as a user service: launchd on macOS, systemd --user on Linux")
    .option("--remote <url>", "repo the agent clones on first run (else --repo or the existing clone)")
    .option("--platform <platform>", "darwin or linux (default: this machine's)")
    .action(async (o: { remote?: string; platform?: string }) => {
      const c = cli();
      const platform = servicePlatform(o.platform);
      const program = [process.execPath, cliEntry(), "agent", "--log-format", "json"];
      const explicit = c.opts.repo ?? c.env.DOTOPS_REPO;
      if (explicit) program.push("--repo", resolve(explicit));
      if (o.remote) program.push("--remote", o.remote);
      if (c.opts.host) program.push("--host", c.opts.host);
      if (c.opts.state) program.push("--state", c.stateDir);
      const eng = c.engine();
      const r = await installAgent(eng.host, {
        platform,
        program,
        logFile: join(c.stateDir, "agent.log"),
        path: c.env.PATH ?? "/usr/bin:/bin",
      });
      if (c.opts.json) c.printJson(r);
      else
        c.print(
          `Installed ${r.file} and loaded it (${r.commands.map((x) => x.join(" ")).join("; ")}). Logs: ${join(c.stateDir, "agent.log")}`,
        );
    });
}

export function servicePlatform(flag: string | undefined): "darwin" | "linux" {
  const p = flag ?? process.platform;
  if (p !== "darwin" && p !== "linux")
    throw new UsageError(`no service manager for platform "${p}": use --platform darwin|linux`);
  return p;
}
