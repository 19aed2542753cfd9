import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigRepo, dotops, minimalConfig, sandbox } from "./helpers.js";

describe("dev-env (setup-dev-env)", () => {
  it("writes a built-in .envrc named after the project, without any config repo", async () => {
    const { home } = sandbox();
    const project = join(home, "work/my-api");
    mkdirSync(project, { recursive: true });
    const r = await dotops(["setup-dev-env", "python"], { home, cwd: project });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("wrote .envrc");
    expect(r.stdout).toContain("direnv allow");
    const envrc = readFileSync(join(project, ".envrc"), "utf8");
    expect(envrc.split("\n")[0]).toBe("# my-api: Python (written by `dotops dev-env`; run `direnv allow`)");
    expect(envrc).toContain("layout python3");

    const go = await dotops(["dev-env", "go", join(home, "work/tool")], { home });
    expect(go.exitCode).toBe(0);
    expect(readFileSync(join(home, "work/tool/.envrc"), "utf8")).toContain(
      `export GOPATH="${join(home, "work/tool")}/.go"`,
    );
  });

  it("prefers the config repo's templates, renders them with user and project values, and lists them", async () => {
    const repo = await ConfigRepo.create(
      minimalConfig({
        "dotops.yaml": `${minimalConfig()["dotops.yaml"]}user: { email: alice@example.com }\n`,
        "templates/dev-env/python/.envrc": "layout python3\nexport GIT_AUTHOR_EMAIL={{ user.email }}\n",
        "templates/dev-env/ml/.envrc": "layout python3\nexport DATA={{ project.dir }}/data\n",
        "templates/dev-env/ml/requirements.txt": "numpy\n",
        "templates/dev-env/ml/bin/setup.sh.tmpl": "#!/bin/sh\necho setting up {{ project.name }}\n",
      }),
    );
    const { home } = sandbox();
    const project = join(home, "lab");
    const list = await dotops(["--repo", repo.dir, "--json", "dev-env", "--list"], { home });
    expect(JSON.parse(list.stdout)).toEqual(["go", "ml", "nodejs", "python", "rust"]);

    expect((await dotops(["--repo", repo.dir, "dev-env", "python", project], { home })).exitCode).toBe(0);
    expect(readFileSync(join(project, ".envrc"), "utf8")).toBe(
      "layout python3\nexport GIT_AUTHOR_EMAIL=alice@example.com\n",
    );
    const ml = await dotops(["--repo", repo.dir, "--json", "dev-env", "ml", join(home, "ml")], { home });
    expect(JSON.parse(ml.stdout).written.sort()).toEqual([".envrc", "bin/setup.sh", "requirements.txt"]);
    expect(readFileSync(join(home, "ml/.envrc"), "utf8")).toContain(`export DATA=${join(home, "ml")}/data`);
    expect(readFileSync(join(home, "ml/bin/setup.sh"), "utf8")).toBe("#!/bin/sh\necho setting up ml\n");
  });

  it("never overwrites a project's own file: refuses, or keeps it as .dotops-backup with --force", async () => {
    const { home } = sandbox();
    const project = join(home, "app");
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, ".envrc"), "use flake\n");
    const refused = await dotops(["dev-env", "nodejs", project], { home });
    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain(".envrc exists and differs");
    expect(readFileSync(join(project, ".envrc"), "utf8")).toBe("use flake\n");

    const forced = await dotops(["dev-env", "nodejs", project, "--force"], { home });
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(readFileSync(join(project, ".envrc.dotops-backup"), "utf8")).toBe("use flake\n");
    expect(readFileSync(join(project, ".envrc"), "utf8")).toContain("layout node");
    expect(statSync(join(project, ".envrc")).mode & 0o777).toBe(0o644);

    const again = await dotops(["dev-env", "nodejs", project], { home });
    expect(again.stdout).toContain(".envrc is already up to date");
  });

  it("names the templates there are when asked for one that is not", async () => {
    const { home } = sandbox();
    const r = await dotops(["dev-env", "cobol", join(home, "x")], { home });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('no dev-env template "cobol"; available: go, nodejs, python, rust');
    expect(existsSync(join(home, "x"))).toBe(false);
  });
});
