import { defineCase } from "../case.js";

export default defineCase({
  title: "names dotops turns into file names: a service label and a script name with ../",
  decision:
    "refused (exit 2) by the schema: a label names ~/Library/LaunchAgents/<label>.plist or a systemd unit, a script name its record in the state dir, so both are plain names",
  files: {
    "dotops.yaml":
      "version: 1\nhosts:\n  box: { platform: linux }\n" +
      'services:\n  - { label: "../../../outside/victim/evil", program: [/bin/true] }\n' +
      'scripts:\n  - { name: "../../../../outside/victim/evil", run: once, command: [/bin/true] }\n',
  },
  commands: [
    {
      args: ["check"],
      exit: 2,
      stderr: [
        "dotops.yaml:5:7: a reverse-DNS label such as com.alice.sync (at services[0].label)",
        "dotops.yaml:7:7: letters, digits and . _ - @ + (it names the script's record) (at scripts[0].name)",
      ],
    },
    { args: ["apply"], exit: 2 },
  ],
});
