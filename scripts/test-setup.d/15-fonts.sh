#!/usr/bin/env bash
# DejaVu fonts: the PDF certificate needs a Unicode font for names in any script.
set -euo pipefail
if [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  echo "[setup] installing fonts-dejavu-core from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq fonts-dejavu-core >&2
fi
