#!/usr/bin/env bash
# The tests, with everything they need set up first (README's second command; .ci/run calls it too). Extra
# arguments go to `dotnet test` (e.g. --filter 'FullyQualifiedName~Soak').
#
# Beyond the .NET SDK the tests use: the sqlite3 shell (a real SQLite database for `vdi engine register`), g++ and
# binutils (the drop-in libsqlvdi.so's C++ clients, and nm/readelf/objdump on the library), Node.js with npm and the
# tedious package pinned in tests/tds-clients/package-lock.json (a second real TDS client). Whatever is missing is
# installed here: Debian packages with apt-get, tedious with npm ci.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v readelf >/dev/null 2>&1 || missing+=(binutils)
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -d tests/tds-clients/node_modules ] || [ tests/tds-clients/package-lock.json -nt tests/tds-clients/node_modules ]; then
  (cd tests/tds-clients && npm ci --no-audit --no-fund --loglevel=error)
fi

exec dotnet test OpenVdi.sln "$@"
