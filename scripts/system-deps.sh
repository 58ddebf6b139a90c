#!/usr/bin/env bash
# Installs the Debian packages voice-sim's tests and live calls need, when missing.
#   libportaudio2      sounddevice's PortAudio (live microphone calls)
#   pulseaudio, libasound2-plugins  a virtual sound card for the microphone tests
#   chromium           headless browser for the HTML report and web app tests
#   postgresql         server binaries (initdb, pg_ctl) the store's PostgreSQL tests start
# Needs root (or sudo); prints what to run by hand otherwise.
set -euo pipefail
want=(libportaudio2 pulseaudio libasound2-plugins chromium postgresql)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "voice-sim: please install: apt-get install ${missing[*]}" >&2; exit 0
fi
echo "voice-sim: installing system packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
