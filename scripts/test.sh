#!/usr/bin/env bash
# The whole test suite, real services included. Installs what is missing from Debian's
# packages, starts each service on loopback in a temporary folder, runs every test on
# both database engines, and stops the services. A missing service is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

trap 'stop_chromedriver; stop_kannel; stop_mta; stop_postgres; stop_dovecot' EXIT
start_postgres
start_dovecot
start_mta
start_kannel
start_chromedriver

if [ "$#" -gt 0 ]; then
    # A subset, e.g. `scripts/test.sh --test links`, with the services running.
    cargo test --locked "$@"
else
    cargo test --locked --all-targets
fi
