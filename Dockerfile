# dotops as a container: `dotops check` / `dotops plan` in any CI, and the
# agent on Linux hosts and dev containers.
#
#   docker build -t dotops .
#   docker run --rm -v "$PWD:/repo" dotops check
#   docker run --rm -v "$PWD:/repo" dotops plan --from origin/main --to HEAD --markdown
#
# scripts/verify-docker-runtime.sh runs the runtime stage's steps on a machine
# without Docker (as the tests do).

# The newest Node LTS, as the Action runs on (node24); CI tests it with the
# others package.json's engines admits (test/docker.test.ts checks they agree).
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: compile TypeScript, then keep only production dependencies ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts/build.mjs ./scripts/
COPY src ./src
RUN npm run build \
 && chmod 0755 dist/cli/main.js \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: node, git and the built CLI, run as a non-root user ----
FROM ${NODE_IMAGE} AS runtime
# git reads config repos; ca-certificates for HTTPS remotes and the GitHub API;
# openssh-client for SSH remotes and SSH commit-signature checks. A mounted
# repo is owned by the host's user, not the container's: git must accept it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates=20230311+deb12u1 \
      git=1:2.39.5-0+deb12u3 \
      openssh-client=1:9.2p1-2+deb12u10 \
 && rm -rf /var/lib/apt/lists/* \
 && git config --system --add safe.directory '*'

ENV NODE_ENV=production
WORKDIR /opt/dotops
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY config-examples ./config-examples
RUN ln -s /opt/dotops/dist/cli/main.js /usr/local/bin/dotops \
 && mkdir -p /repo \
 && chown node:node /repo

# The base image's unprivileged user (uid 1000); state lives in its HOME.
USER node
ENV HOME=/home/node
WORKDIR /repo
ENTRYPOINT ["dotops"]
CMD ["--help"]
