#!/usr/bin/env bash
# Install the pinned uv if this machine lacks it. Everything else comes from uv.lock.
set -euo pipefail
UV_VERSION="${UV_VERSION:-0.13.8}"
if command -v uv >/dev/null 2>&1 && [ "$(uv --version | awk '{print $2}')" = "$UV_VERSION" ]; then
  exit 0
fi
echo "installing uv ${UV_VERSION}" >&2
python3 -m pip install --quiet --disable-pip-version-check "uv==${UV_VERSION}" 2>/dev/null \
  || python3 -m pip install --quiet --user --disable-pip-version-check "uv==${UV_VERSION}"
