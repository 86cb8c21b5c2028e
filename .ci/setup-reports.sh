#!/usr/bin/env bash
# Set up what the report tests need beyond Python packages: Debian's Chromium (the browser test),
# fonts metric-compatible with Arial (the PDF and screenshots), poppler-utils (pdftoppm, to look at
# PDF pages) and axe-core from the npm registry (the accessibility check). Idempotent; runs as root
# on Debian 12. Prints the one variable the tests read as an `export` line for .ci/run to eval.
set -euo pipefail

AXE_VERSION="${AXE_VERSION:-4.10.3}"
AXE_PREFIX="${AIASSURE_TOOLS_DIR:-/opt/aiassure-tools}/axe-core-${AXE_VERSION}"
AXE_JS="${AXE_PREFIX}/node_modules/axe-core/axe.min.js"

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ -e /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ] || missing+=(fonts-liberation)
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if [ ! -s "$AXE_JS" ]; then
  mkdir -p "$AXE_PREFIX"
  npm install --silent --no-audit --no-fund --prefix "$AXE_PREFIX" "axe-core@${AXE_VERSION}" >&2
fi

echo "export AIASSURE_AXE_JS=${AXE_JS}"
