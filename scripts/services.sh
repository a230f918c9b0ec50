# Helpers for scripts/test.sh: install what is missing from Debian's packages and start
# real services on loopback, each in a temporary folder. Source this file; don't run it.

relais_need_root_for() {
  if [ "$(id -u)" != 0 ]; then
    echo "scripts: $1 is missing and installing it needs root (apt-get install $1)" >&2
    exit 1
  fi
}

# ensure_packages PACKAGE... : apt-get install the ones dpkg does not know as installed.
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    relais_need_root_for "${missing[*]}"
    echo "scripts: installing ${missing[*]}" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_postgres: a throwaway cluster (trust auth, no fsync) on a free loopback port.
# Sets RELAIS_TEST_POSTGRES_URL and RELAIS_PG_DIR; stop_postgres stops it.
start_postgres() {
  ensure_packages postgresql
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -x "$bin/initdb" ] || { echo "scripts: PostgreSQL's initdb not found" >&2; exit 1; }
  RELAIS_PG_DIR=$(mktemp -d /tmp/relais-pg.XXXXXX)
  local as=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$RELAIS_PG_DIR"
    as=(runuser -u postgres --)
  fi
  local port
  port=$(free_port)
  "${as[@]}" "$bin/initdb" -D "$RELAIS_PG_DIR/data" -A trust -U postgres -E UTF8 >/dev/null
  "${as[@]}" "$bin/pg_ctl" -D "$RELAIS_PG_DIR/data" -l "$RELAIS_PG_DIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $RELAIS_PG_DIR -c fsync=off -c max_connections=300" start >/dev/null
  RELAIS_PG_BIN=$bin
  RELAIS_PG_AS=("${as[@]}")
  export RELAIS_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "scripts: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
}

stop_postgres() {
  if [ -n "${RELAIS_PG_DIR:-}" ] && [ -d "$RELAIS_PG_DIR/data" ]; then
    "${RELAIS_PG_AS[@]}" "$RELAIS_PG_BIN/pg_ctl" -D "$RELAIS_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$RELAIS_PG_DIR"
  fi
}

# start_dovecot: an IMAP server (and LMTP) on free loopback ports, plain text, one
# mailbox per user under a temporary folder; every user's password is "secret".
# Sets RELAIS_TEST_IMAP_PORT, RELAIS_TEST_LMTP_PORT and RELAIS_DOVECOT_DIR; stop_dovecot stops it.
start_dovecot() {
  ensure_packages dovecot-imapd dovecot-lmtpd
  RELAIS_DOVECOT_DIR=$(mktemp -d /tmp/relais-dovecot.XXXXXX)
  local d=$RELAIS_DOVECOT_DIR imap lmtp
  imap=$(free_port)
  lmtp=$(free_port)
  chmod 0755 "$d"
  mkdir -p "$d/run" "$d/state" "$d/mail"
  chmod 0777 "$d/mail"
  cat > "$d/dovecot.conf" <<CONF
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
passdb {
  driver = static
  args = password=secret
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$d/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $lmtp
  }
  unix_listener lmtp {
    mode = 0666
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
protocol lmtp {
  postmaster_address = postmaster@bi.example
}
CONF
  dovecot -c "$d/dovecot.conf"
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$imap") 2>/dev/null && break
    sleep 0.1
  done
  export RELAIS_TEST_IMAP_PORT=$imap RELAIS_TEST_LMTP_PORT=$lmtp
  echo "scripts: Dovecot $(dovecot --version | awk '{print $1}') IMAP on 127.0.0.1:$imap, LMTP on $lmtp" >&2
}

stop_dovecot() {
  if [ -n "${RELAIS_DOVECOT_DIR:-}" ] && [ -f "$RELAIS_DOVECOT_DIR/run/master.pid" ]; then
    kill "$(cat "$RELAIS_DOVECOT_DIR/run/master.pid")" 2>/dev/null || true
    sleep 0.2
    rm -rf "$RELAIS_DOVECOT_DIR"
  fi
}

# start_mta: OpenSMTPD on a free loopback port, delivering every recipient to Dovecot's
# LMTP (start_dovecot first). Sets RELAIS_TEST_SMTP_PORT; stop_mta stops it.
start_mta() {
  ensure_packages opensmtpd
  RELAIS_MTA_DIR=$(mktemp -d /tmp/relais-mta.XXXXXX)
  chmod 0755 "$RELAIS_MTA_DIR"
  local port
  port=$(free_port)
  cat > "$RELAIS_MTA_DIR/smtpd.conf" <<CONF
table domains { "bi.example", "ciusss.example", "chu.example", "interpretes.example", "localhost" }
# Every address of those domains is virtual: Dovecot, not the system, knows the users.
table virtuals { "@" = "nobody" }
listen on 127.0.0.1 port $port
action "dovecot" lmtp "127.0.0.1:$RELAIS_TEST_LMTP_PORT" rcpt-to virtual <virtuals>
match from any for domain <domains> action "dovecot"
CONF
  smtpd -f "$RELAIS_MTA_DIR/smtpd.conf"
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  export RELAIS_TEST_SMTP_PORT=$port RELAIS_TEST_MTA_CONF=$RELAIS_MTA_DIR/smtpd.conf
  echo "scripts: OpenSMTPD on 127.0.0.1:$port, delivering to Dovecot LMTP" >&2
}

stop_mta() {
  if [ -n "${RELAIS_MTA_DIR:-}" ]; then
    pkill -TERM -f "smtpd -f $RELAIS_MTA_DIR" || true
    rm -rf "$RELAIS_MTA_DIR"
  fi
}
