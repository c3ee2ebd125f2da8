#!/usr/bin/env bash
# Installs exactly what package-lock.json says. CI (.ci/run) and the Docker image's build stage
# (Dockerfile) both run this script, so the tree CI tests is the tree the image is built from.
set -euo pipefail
cd "$(dirname "$0")/.."

# A dependency of the n8n tooling runs npx while it installs, and npx refuses to fetch without a
# yes on a machine configured like CI's; the rest silence prompts and telemetry nobody reads.
export npm_config_yes=true
export CI=true DISABLE_ZAPIER_ANALYTICS=1 NO_UPDATE_NOTIFIER=1

# package.json's allowScripts approves the `node` package's install script (it fetches Node 24 into
# node_modules/.bin) and denies the others, among them isolated-vm's, which needs a C++ toolchain.
# npm 11.19 (what CI runs, and what the Dockerfile installs) skips denied scripts and still links
# the denied packages' bins; an older npm may run them or drop the links, so refuse it here.
npm_version=$(npm --version)
IFS=. read -r npm_major npm_minor _ <<<"$npm_version"
if ((npm_major < 11 || (npm_major == 11 && npm_minor < 19))); then
  echo "scripts/install.sh: npm $npm_version is older than 11.19, which CI and the Docker image use (try: npm install -g npm@11.19.1)" >&2
  exit 1
fi

npm ci --no-audit --no-fund
