#!/usr/bin/env bash
# Measures Relais the way a bank loads it, on this machine, on loopback: builds the release
# binary, drives it with the load generator (benches/load.rs: ingest against the parse
# ceiling, outbox drain to an SMTP sink, mail-to-acknowledgement latency, a burst, the SMS
# webhook; then ingest and the webhook on PostgreSQL with one and two processes, and the
# same forms given to two processes at once, counted for duplicates), and writes the table
# to docs/performance.md, keeping the previous run's table below it for comparison.
#
# PostgreSQL is a throwaway cluster started here (scripts/services.sh, as for the tests:
# no fsync), so its rows compare processes, not disks.
#
#   scripts/bench.sh                  # the full run (about 10 minutes after the build)
#   scripts/bench.sh --mails 2000     # a shorter one; any option of benches/load.rs
#
# The release build takes a while on two cores (the binary is optimised at link time).
# Nothing here runs inside `cargo test`: the figures depend on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/services.sh

cargo build --release --locked --bin relais
cargo bench --locked --bench load --no-run

# The banks, the database cluster and the table go in one folder, removed at the end.
RELAIS_RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relais-bench.XXXXXX")
# PostgreSQL runs as its own user and must reach its folder in it.
chmod 0755 "$RELAIS_RUN_DIR"
export TMPDIR=$RELAIS_RUN_DIR
table=$RELAIS_RUN_DIR/table.md
finish() {
  stop_postgres
  rm -rf "$RELAIS_RUN_DIR"
}
trap finish EXIT
start_postgres

cargo bench --locked --bench load -- --relais target/release/relais --postgres "$RELAIS_TEST_POSTGRES_URL" "$@" > "$table"

doc=docs/performance.md
previous=""
notes=""
if [[ -f $doc ]]; then
    # The last run's section becomes "Previous run"; "Notes" and what follows are kept.
    previous=$(awk '/^## Last run/{keep=1; next} /^## /{keep=0} keep' "$doc")
    notes=$(awk '/^## Notes/{keep=1} keep' "$doc")
fi
{
    echo "# Performance"
    echo
    echo "Written by \`scripts/bench.sh\` (the load generator is \`benches/load.rs\`): the release"
    echo "binary on loopback, SQLite, one run. Figures are noisy on a shared machine; compare"
    echo "ratios and orders of magnitude, not the last digit. The goals, the figures before"
    echo "the work on them and where the time goes are in the notes at the end."
    echo
    echo "## Last run"
    echo
    cat "$table"
    echo
    if [[ -n $previous ]]; then
        echo "## Previous run"
        echo "$previous"
        echo
    fi
    if [[ -n $notes ]]; then
        echo "$notes"
    fi
} > "$doc.new"
mv "$doc.new" "$doc"
echo "bench: written to $doc"
