#!/usr/bin/env bash
# Install the Debian packages listed in the given files that are not installed yet.
# A line is a package name, optionally followed by `if-missing COMMAND`: then the package is
# needed only while COMMAND is not on PATH (another installation of it counts).
# Uses apt-get directly as root, sudo otherwise; says exactly what to install when it cannot.
set -euo pipefail
missing=()
for file in "$@"; do
  while read -r package condition command; do
    [ -z "$package" ] && continue
    if [ "$condition" = if-missing ] && command -v "$command" >/dev/null 2>&1; then
      continue
    fi
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done < <(grep -v '^\s*#' "$file")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  apt=(apt-get)
elif command -v sudo >/dev/null 2>&1; then
  apt=(sudo apt-get)
else
  echo "error: please install these Debian packages: ${missing[*]}" >&2
  echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${apt[@]}" update -qq
"${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
