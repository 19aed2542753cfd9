import type { AwsSsoOptions } from "./aws-sso.schema.js";
import { header, lines, type ProgramContext, type Shell, shellDropIn } from "./program.js";

/**
 * programs.awsSso → ~/.aws/config with an [sso-session x] section per
 * session and a [profile y] section per profile (the profile named default
 * is [default], as the AWS CLI writes it), and the awsp function for zsh,
 * bash and fish in ~/.config/dotops/shell/<shell>.d/awsp.<shell>.
 *
 * awsp reads the profiles from the config file when it runs (so switching
 * generation switches them too): `awsp` lists them with * at AWS_PROFILE,
 * `awsp dev` exports AWS_PROFILE=dev (an unknown profile fails, status 1),
 * `awsp -` unsets it. Completion: compdef in zsh (when compinit has run),
 * complete -F in bash, complete -c in fish.
 */
export function awsSsoProgram(p: ProgramContext, options: AwsSsoOptions): void {
  const o = p.render(options);
  const sections: string[] = [];
  const value = (v: string, at: (string | number)[]) => {
    if (/[\r\n]/.test(v)) p.problem("an AWS config value cannot hold a line break", at);
    return v;
  };
  for (const [name, s] of Object.entries(o.sessions ?? {})) {
    const at = ["sessions", name];
    sections.push(
      [
        `[sso-session ${name}]`,
        `sso_start_url = ${value(s.startUrl, [...at, "startUrl"])}`,
        `sso_region = ${s.region}`,
        `sso_registration_scopes = ${(s.registrationScopes ?? ["sso:account:access"]).join(",")}`,
      ].join("\n"),
    );
  }
  for (const [name, prof] of Object.entries(o.profiles ?? {})) {
    const at = ["profiles", name];
    if (!Object.hasOwn(o.sessions ?? {}, prof.session))
      p.problem(
        `profile ${name} names session "${prof.session}", which is not in programs.awsSso.sessions (${
          Object.keys(o.sessions ?? {}).join(", ") || "none"
        })`,
        [...at, "session"],
      );
    sections.push(
      [
        name === "default" ? "[default]" : `[profile ${name}]`,
        `sso_session = ${prof.session}`,
        `sso_account_id = ${prof.accountId}`,
        `sso_role_name = ${prof.roleName}`,
        prof.region && `region = ${prof.region}`,
        prof.output && `output = ${prof.output}`,
      ]
        .filter(Boolean)
        .join("\n"),
    );
  }
  p.link("~/.aws/config", lines([header("#", "programs.awsSso"), sections.join("\n\n")]));

  const shells: [Shell, boolean | undefined, string][] = [
    ["zsh", o.enableZshIntegration, `${POSIX_AWSP}\n${ZSH_COMPLETION}`],
    ["bash", o.enableBashIntegration, `${POSIX_AWSP}\n${BASH_COMPLETION}`],
    ["fish", o.enableFishIntegration, FISH_AWSP],
  ];
  for (const [shell, enabled, code] of shells)
    if (enabled !== false) p.link(shellDropIn(shell, "awsp"), lines([header("#", "programs.awsSso"), code]));
}

/** The profile names of an AWS config file, one a line: [profile x] sections, and [default]. */
const SED_PROFILES = [
  "sed -n",
  "-e 's/^[[:space:]]*\\[[[:space:]]*profile[[:space:]][[:space:]]*\\([^][:space:]]*\\)[[:space:]]*\\].*$/\\1/p'",
  "-e 's/^[[:space:]]*\\[[[:space:]]*default[[:space:]]*\\].*$/default/p'",
].join(" ");

/** awsp for bash and zsh (the same code runs in both). */
const POSIX_AWSP = `# awsp [profile | -]: list the AWS profiles (* marks AWS_PROFILE), switch to one, or unset it.
_awsp_config() { printf '%s\\n' "\${AWS_CONFIG_FILE:-$HOME/.aws/config}"; }
_awsp_profiles() { ${SED_PROFILES} "$(_awsp_config)" 2>/dev/null; }
awsp() {
  local __awsp_profiles __awsp_p
  __awsp_profiles="$(_awsp_profiles)"
  if [ "$#" -gt 1 ]; then
    echo "usage: awsp [profile | -]" >&2
    return 2
  fi
  if [ "$#" -eq 0 ]; then
    if [ -z "$__awsp_profiles" ]; then
      echo "awsp: no profiles in $(_awsp_config)" >&2
      return 1
    fi
    printf '%s\\n' "$__awsp_profiles" | while IFS= read -r __awsp_p; do
      if [ "$__awsp_p" = "\${AWS_PROFILE-}" ]; then printf '* %s\\n' "$__awsp_p"; else printf '  %s\\n' "$__awsp_p"; fi
    done
    return 0
  fi
  if [ "$1" = "-" ]; then
    unset AWS_PROFILE
    return 0
  fi
  if ! printf '%s\\n' "$__awsp_profiles" | grep -qxF -- "$1"; then
    echo "awsp: no profile $1 in $(_awsp_config) (awsp lists them)" >&2
    return 1
  fi
  export AWS_PROFILE="$1"
}`;

const ZSH_COMPLETION = `_awsp() {
  local -a profiles
  profiles=(\${(f)"$(_awsp_profiles)"} -)
  compadd -a profiles
}
# compdef exists once compinit has run (programs.zsh runs it before this file).
if (( $+functions[compdef] )); then compdef _awsp awsp; fi`;

const BASH_COMPLETION = `_awsp_complete() {
  COMPREPLY=($(compgen -W "$(_awsp_profiles) -" -- "\${COMP_WORDS[COMP_CWORD]}"))
}
complete -F _awsp_complete awsp`;

const FISH_AWSP = `function __awsp_config
    if set -q AWS_CONFIG_FILE
        echo $AWS_CONFIG_FILE
    else
        echo $HOME/.aws/config
    end
end
function __awsp_profiles
    ${SED_PROFILES} (__awsp_config) 2>/dev/null
end
function awsp --description 'awsp [profile | -]: list the AWS profiles, switch AWS_PROFILE, or unset it'
    set -l profiles (__awsp_profiles)
    if test (count $argv) -gt 1
        echo "usage: awsp [profile | -]" >&2
        return 2
    end
    if test (count $argv) -eq 0
        if test (count $profiles) -eq 0
            echo "awsp: no profiles in "(__awsp_config) >&2
            return 1
        end
        for p in $profiles
            if set -q AWS_PROFILE; and test "$p" = "$AWS_PROFILE"
                echo "* $p"
            else
                echo "  $p"
            end
        end
        return 0
    end
    if test "$argv[1]" = -
        set -e AWS_PROFILE
        return 0
    end
    if not contains -- $argv[1] $profiles
        echo "awsp: no profile $argv[1] in "(__awsp_config)" (awsp lists them)" >&2
        return 1
    end
    set -gx AWS_PROFILE $argv[1]
end
complete -c awsp -f -a '(__awsp_profiles)' -d 'AWS profile'
complete -c awsp -f -a - -d 'unset AWS_PROFILE'`;
