#!/usr/bin/env bash
# The whole test suite, real services included. Installs what is missing from Debian's
# packages, starts each service on loopback in a temporary folder, runs every test on
# both database engines, and stops the services. A missing service is a failure.
#
# Everything a run writes outside target/ (service folders, tests' scratch files, the
# browser's profile) goes in one folder of its own, removed at the end: the system's
# temporary folder is left as it was found.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

RELAIS_RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relais-test.XXXXXX")
# Services run as their own users (postgres, dovecot…) and must reach their folders in it.
chmod 0755 "$RELAIS_RUN_DIR"
export TMPDIR=$RELAIS_RUN_DIR

finish() {
  stop_chromedriver; stop_kannel; stop_mta; stop_postgres; stop_dovecot; stop_dns
  rm -rf "$RELAIS_RUN_DIR"
}
trap finish EXIT
start_postgres
start_dns
start_dovecot
start_mta
start_kannel
start_chromedriver
start_python_tools

if [ "$#" -gt 0 ]; then
    # A subset, e.g. `scripts/test.sh --test it links::`, with the services running.
    cargo test --locked "$@"
else
    cargo test --locked --all-targets
fi
