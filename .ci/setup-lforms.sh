#!/usr/bin/env bash
# Set up what the FHIR form-tool test needs beyond Python packages: LHC-Forms (npm `lforms`), the
# NLM's FHIR Questionnaire renderer, served from 127.0.0.1 by the test (no CDN). Chromium comes from
# setup-reports.sh. Idempotent; prints the variable the test reads as an `export` line for .ci/run.
set -euo pipefail

LFORMS_VERSION="${LFORMS_VERSION:-40.1.3}"
LFORMS_PREFIX="${AIASSURE_TOOLS_DIR:-/opt/aiassure-tools}/lforms-${LFORMS_VERSION}"
LFORMS_DIST="${LFORMS_PREFIX}/node_modules/lforms/dist/lforms"

if ! command -v npm >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends npm >&2
fi

if [ ! -s "${LFORMS_DIST}/webcomponent/main.js" ] || [ ! -s "${LFORMS_DIST}/fhir/R4/lformsFHIR.min.js" ]; then
  mkdir -p "$LFORMS_PREFIX"
  npm install --silent --no-audit --no-fund --prefix "$LFORMS_PREFIX" "lforms@${LFORMS_VERSION}" >&2
fi

echo "export AIASSURE_LFORMS_DIR=${LFORMS_DIST}"
