import type { Command } from "commander";
import { uninstallAgent } from "../agent/service.js";
import { servicePlatform } from "./install-agent.js";
import type { CliFactory } from "./program.js";

export function registerUninstallAgent(program: Command, cli: CliFactory) {
  program
    .command("uninstall-agent")
    .description("stop the agent service and remove its definition")
    .option("--platform <platform>", "darwin or linux (default: this machine's)")
    .action(async (o: { platform?: string }) => {
      const c = cli();
      const r = await uninstallAgent(c.engine().host, {
        platform: servicePlatform(o.platform),
      });
      if (c.opts.json) c.printJson(r);
      else c.print(`Removed ${r.file} and unloaded the agent.`);
    });
}
