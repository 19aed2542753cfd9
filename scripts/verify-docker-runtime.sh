#!/usr/bin/env bash
# Runs the Dockerfile's steps on this machine, without a Docker engine, in a
# temp dir laid out like the image (/opt/dotops, /usr/local/bin/dotops):
#   build stage    the built dist/, chmod 0755 main.js, `npm prune --omit=dev`
#                  (the repo's node_modules stands in for `npm ci`);
#   runtime stage  the apt pins exist, git is there, the files are copied,
#                  the `dotops` symlink is made, and as a non-root user (when
#                  run as root) with NODE_ENV=production and git's
#                  safe.directory: `dotops --version`, then `dotops check` and
#                  `dotops plan` on config-examples/minimal as a Git repo.
# Exits non-zero on the first failure.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/dotops-docker-XXXXXX")"
trap 'rm -rf "$work"' EXIT
step() { printf '==> %s\n' "$*"; }
fail() { printf 'verify-docker-runtime: %s\n' "$*" >&2; exit 1; }

# ---- build stage ----
step "build stage: dist, production node_modules"
[ -f "$root/dist/cli/main.js" ] || (cd "$root" && npm run build --silent)
app="$work/app"
mkdir -p "$app"
cp "$root/package.json" "$root/package-lock.json" "$app/"
cp -R "$root/node_modules" "$app/node_modules"
cp -R "$root/dist" "$app/dist"
chmod 0755 "$app/dist/cli/main.js"
(cd "$app" && npm prune --omit=dev --no-audit --no-fund --offline --loglevel=error)
for dev in typescript vitest @biomejs/biome esbuild; do
  [ ! -e "$app/node_modules/$dev" ] || fail "npm prune --omit=dev left the dev dependency $dev"
done

# ---- runtime stage ----
step "runtime stage: apt packages"
command -v git >/dev/null || fail "git is not installed (the image installs it)"
pins="$(sed -n 's/^ *\([a-z0-9.+-]*\)=\([0-9][^ ]*\) *\\\?$/\1=\2/p' "$root/Dockerfile")"
[ -n "$pins" ] || fail "no pinned apt packages found in the Dockerfile"
for pin in $pins; do
  if command -v apt-cache >/dev/null && [ -n "$(apt-cache policy "${pin%%=*}" 2>/dev/null)" ]; then
    [ -n "$(apt-cache show "$pin" 2>/dev/null)" ] ||
      printf 'warning: %s is not in this machine'"'"'s apt index (apt-get update, or bump the pin)\n' "$pin" >&2
  fi
done

step "runtime stage: /opt/dotops and /usr/local/bin/dotops"
opt="$work/opt/dotops"
bin="$work/usr/local/bin"
mkdir -p "$opt" "$bin"
cp "$app/package.json" "$opt/"
mv "$app/node_modules" "$opt/node_modules"
mv "$app/dist" "$opt/dist"
cp -R "$root/config-examples" "$opt/config-examples"
ln -s "$opt/dist/cli/main.js" "$bin/dotops"

home="$work/home/node"
repo="$work/repo"
mkdir -p "$home"
cp -R "$root/config-examples/minimal" "$repo"
git -C "$repo" init -q -b main
git -C "$repo" add -A
GIT_CONFIG_GLOBAL=/dev/null git -C "$repo" -c user.name=Docker -c user.email=docker@example.com \
  commit -q -m "config-examples/minimal"

# USER node: an unprivileged user when this runs as root (nobody here).
as_user=()
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  chmod 0755 "$work"
  chown -R 65534:65534 "$home"
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
fi
runtime() {
  (cd "$repo" && env -i PATH="$bin:$PATH" HOME="$home" NODE_ENV=production NO_COLOR=1 \
    GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=safe.directory GIT_CONFIG_VALUE_0='*' \
    "${as_user[@]}" "$@")
}

step "dotops --version${as_user:+ (as uid 65534)}"
version="$(runtime dotops --version)"
expected="$(node -p "require('$root/package.json').version")"
[ "$version" = "$expected" ] || fail "dotops --version printed '$version', expected '$expected'"

step "dotops check (config-examples/minimal)"
out="$(runtime dotops check)" || fail "dotops check failed: $out"
printf '%s\n' "$out"
case "$out" in *"ok"*) ;; *) fail "dotops check did not say ok" ;; esac

step "dotops plan"
out="$(runtime dotops plan)" || fail "dotops plan failed: $out"
printf '%s\n' "$out" | tail -n 1
[ ! -e "$home/.gitconfig" ] || fail "dotops plan changed HOME"

echo "ok: the runtime stage works (dotops $version)"
