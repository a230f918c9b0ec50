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
  RELAIS_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relais-pg.XXXXXX")
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
  RELAIS_DOVECOT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relais-dovecot.XXXXXX")
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

# start_python_tools: a virtual environment with Python's icalendar, a reader of the calendar
# feed independent of Relais's own crate, kept in target/ between runs (installed from PyPI
# the first time). Sets RELAIS_TEST_PYTHON.
start_python_tools() {
  local venv=target/test-python
  if ! "$venv/bin/python" -c 'import icalendar' 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "icalendar==6.3.2"
  fi
  RELAIS_TEST_PYTHON="$(cd "$venv/bin" && pwd)/python"
  export RELAIS_TEST_PYTHON
  echo "scripts: Python icalendar $("$RELAIS_TEST_PYTHON" -c 'import icalendar; print(icalendar.__version__)')" >&2
}

# start_mta: OpenSMTPD on a free loopback port, delivering every recipient to Dovecot's
# LMTP (start_dovecot first). Sets RELAIS_TEST_SMTP_PORT; stop_mta stops it.
start_mta() {
  ensure_packages opensmtpd
  RELAIS_MTA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relais-mta.XXXXXX")
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

# start_dns: dnsmasq on a free loopback port, authoritative for the test domain
# ciusss.example's mail records, and for nothing else:
#   relais-test._domainkey.ciusss.example  a fresh RSA key (private half in
#                                          $RELAIS_TEST_DKIM_KEY), so tests can sign mail;
#   ciusss.example                         SPF that allows only 192.0.2.1 (not loopback:
#                                          mail sent here passes DMARC only when signed);
#   _dmarc.ciusss.example                  DMARC p=reject.
# Sets RELAIS_TEST_DNS (IP:PORT) and RELAIS_TEST_DKIM_KEY; stop_dns stops it.
start_dns() {
  ensure_packages dnsmasq-base openssl
  RELAIS_DNS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relais-dns.XXXXXX")
  chmod 0755 "$RELAIS_DNS_DIR"
  local d=$RELAIS_DNS_DIR port key
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$d/dkim.pem" 2>/dev/null
  key=$(openssl pkey -in "$d/dkim.pem" -pubout -outform DER | base64 -w0)
  port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  # A TXT string holds at most 255 bytes: the key record is cut in two strings.
  cat > "$d/dnsmasq.conf" <<CONF
port=$port
listen-address=127.0.0.1
bind-interfaces
no-resolv
no-hosts
no-poll
user=root
pid-file=$d/dnsmasq.pid
log-facility=$d/dnsmasq.log
# Names it does not hold under example. do not exist (NXDOMAIN), as on the real DNS: DMARC
# looks for a policy up the tree (_dmarc.example).
local=/example/
txt-record=relais-test._domainkey.ciusss.example,"v=DKIM1; k=rsa; p=${key:0:200}","${key:200}"
txt-record=ciusss.example,"v=spf1 ip4:192.0.2.1 -all"
txt-record=_dmarc.ciusss.example,"v=DMARC1; p=reject; adkim=r; aspf=r"
CONF
  dnsmasq --conf-file="$d/dnsmasq.conf"
  for _ in $(seq 1 50); do
    [ -s "$d/dnsmasq.pid" ] && break
    sleep 0.1
  done
  [ -s "$d/dnsmasq.pid" ] || { echo "scripts: dnsmasq did not start; see $d" >&2; return 1; }
  export RELAIS_TEST_DNS=127.0.0.1:$port RELAIS_TEST_DKIM_KEY=$d/dkim.pem
  echo "scripts: dnsmasq $(dnsmasq --version | head -n 1 | awk '{print $3}') on 127.0.0.1:$port (ciusss.example: DKIM, SPF, DMARC)" >&2
}

stop_dns() {
  if [ -n "${RELAIS_DNS_DIR:-}" ]; then
    if [ -s "$RELAIS_DNS_DIR/dnsmasq.pid" ]; then
      kill "$(cat "$RELAIS_DNS_DIR/dnsmasq.pid")" 2>/dev/null || true
    fi
    rm -rf "$RELAIS_DNS_DIR"
  fi
}

# start_kannel: Kannel (bearerbox + smsbox) on free loopback ports, with one fake SMSC that
# Kannel's test tool fakesmsc (package kannel-extras) plays: it stands for the phone network,
# in both directions, for as long as Kannel runs.
# - Outbound: GET http://127.0.0.1:$RELAIS_TEST_KANNEL_SENDSMS_PORT/cgi-bin/sendsms with
#   username=relais&password=secret&from=..&to=..&text=.. answers HTTP 202 with the body
#   "0: Accepted for delivery" (a wrong password: 403 "Authorization failed for sendsms").
#   About a second later (fakesmsc polls once a second) $RELAIS_TEST_FAKESMSC_LOG has a line
#     2026-11-22 01:10:09 [12334] [0] DEBUG: Got message 1: <+15145550100 +15145550110 text Bonjour test>
#   that is "Got message N: <SENDER RECEIVER text TEXT>", TEXT as is, in UTF-8. Characters
#   outside the GSM alphabet become "?" unless the request asks for coding=2 (with
#   charset=UTF-8): then "<SENDER RECEIVER ucs-2 TEXT>", TEXT in UTF-16BE url-encoded
#   (%00s%00m%00i%00l%00e%00+%26%3A). Over 160 characters the SMS is split (up to 10 parts):
#   one line "<SENDER RECEIVER udh %05%00%03%02%02%01 data TEXT-PART-URL-ENCODED>" per part.
#   A newline in the text ends fakesmsc's line: what follows it is logged as another message.
# - Inbound: kannel_phone_sends FROM TO TEXT makes a phone send an SMS; Kannel's catch-all
#   sms-service passes it on at once with a GET (made once: no retry if it fails) to
#     /webhooks/sms/kannel?secret=kannel-secret&from=%2B15145550110&to=%2B15145550100&text=OUI+4821&id=0157025d-c8fb-4998-bf96-fad178e1296e
#   on 127.0.0.1:$RELAIS_TEST_KANNEL_WEBHOOK_PORT (set it before start_kannel; a free port
#   otherwise). Kannel sends the webhook's answer back to the phone as one SMS
#   (max-messages = 1), and nothing when the answer is empty (omit-empty).
# Sets RELAIS_TEST_KANNEL_SENDSMS_PORT, RELAIS_TEST_KANNEL_WEBHOOK_PORT,
# RELAIS_TEST_FAKESMSC_LOG and RELAIS_KANNEL_DIR; stop_kannel stops it all.
start_kannel() {
  ensure_packages kannel kannel-extras
  RELAIS_KANNEL_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relais-kannel.XXXXXX")
  chmod 0755 "$RELAIS_KANNEL_DIR"
  local d=$RELAIS_KANNEL_DIR admin smsbox sendsms fake webhook i
  admin=$(free_port)
  smsbox=$(free_port)
  sendsms=$(free_port)
  fake=$(free_port)
  webhook=${RELAIS_TEST_KANNEL_WEBHOOK_PORT:-$(free_port)}
  # The fake SMSC listens on every interface (Kannel has no setting for that) but lets only
  # 127.0.0.1 in. sendsms-user: max-messages is how many SMS one long text may become (0
  # would refuse every text and leave the HTTP request hanging).
  cat > "$d/kannel.conf" <<CONF
group = core
admin-port = $admin
admin-interface = 127.0.0.1
admin-password = relais-admin
status-password = relais-admin
admin-allow-ip = "127.0.0.1"
smsbox-port = $smsbox
smsbox-interface = 127.0.0.1
box-allow-ip = "127.0.0.1"
log-file = "$d/bearerbox.log"
log-level = 0
access-log = "$d/access.log"

group = smsc
smsc = fake
smsc-id = fake
port = $fake
connect-allow-ip = "127.0.0.1"

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $smsbox
sendsms-port = $sendsms
sendsms-interface = 127.0.0.1
log-file = "$d/smsbox.log"
log-level = 0
access-log = "$d/smsbox-access.log"

group = sendsms-user
username = relais
password = secret
max-messages = 10
concatenation = true

group = sms-service
keyword = default
catch-all = true
max-messages = 1
omit-empty = true
get-url = "http://127.0.0.1:$webhook/webhooks/sms/kannel?secret=kannel-secret&from=%p&to=%P&text=%a&id=%I"
CONF
  /usr/sbin/bearerbox "$d/kannel.conf" >"$d/bearerbox.out" 2>&1 &
  echo $! > "$d/bearerbox.pid"
  # The fake SMSC serves one client at a time; this probe's is over before fakesmsc's.
  for i in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$fake") 2>/dev/null && break
    sleep 0.1
  done
  # fakesmsc with no message on its command line sends the lines of its standard input
  # ("SENDER RECEIVER text TEXT") and logs every SMS Kannel hands it. A FIFO opened
  # read-write keeps that input open (at EOF it would crash) for kannel_phone_sends.
  mkfifo "$d/phone.fifo"
  /usr/lib/kannel/test/fakesmsc -H 127.0.0.1 -r "$fake" -i 0 -m -1 \
    <>"$d/phone.fifo" >"$d/fakesmsc.log" 2>&1 &
  echo $! > "$d/fakesmsc.pid"
  /usr/sbin/smsbox "$d/kannel.conf" >"$d/smsbox.out" 2>&1 &
  echo $! > "$d/smsbox.pid"
  # Ready: smsbox answers on its sendsms port and is connected to bearerbox, and fakesmsc
  # is the fake SMSC's client (the second one, after the probe).
  for i in $(seq 1 150); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$sendsms") 2>/dev/null \
      && grep -q 'Connected to bearerbox' "$d/smsbox.log" 2>/dev/null \
      && [ "$(grep -c 'Fakesmsc client connected' "$d/bearerbox.log" 2>/dev/null || true)" -ge 2 ]; then
      break
    fi
    if [ "$i" = 150 ]; then
      echo "scripts: Kannel did not start; its logs are in $d" >&2
      return 1
    fi
    sleep 0.1
  done
  export RELAIS_TEST_KANNEL_SENDSMS_PORT=$sendsms RELAIS_TEST_KANNEL_WEBHOOK_PORT=$webhook
  export RELAIS_KANNEL_DIR RELAIS_TEST_FAKESMSC_LOG=$d/fakesmsc.log
  echo "scripts: Kannel $(dpkg-query -W -f='${Version}' kannel) sendsms on 127.0.0.1:$sendsms, fake SMSC on $fake, SMS from phones to 127.0.0.1:$webhook" >&2
}

# kannel_phone_sends FROM TO TEXT: the phone FROM sends the SMS TEXT (one line, under about
# 200 bytes of UTF-8) to the number TO. Returns once fakesmsc has handed it to Kannel, which
# then calls the webhook within milliseconds: poll the webhook's side for it.
kannel_phone_sends() {
  local d=${RELAIS_KANNEL_DIR:?start_kannel first} before i
  before=$(grep -c 'fakesmsc: sent message' "$d/fakesmsc.log" || true)
  # Opened read-write, the FIFO never blocks, even with no fakesmsc reading it.
  printf '%s %s text %s\n' "$1" "$2" "$3" 1<>"$d/phone.fifo"
  # fakesmsc reads its input through stdio: let it send this line before the next one
  # comes, or that one could wait in its buffer until a third arrives.
  for i in $(seq 1 100); do
    [ "$(grep -c 'fakesmsc: sent message' "$d/fakesmsc.log" || true)" -gt "$before" ] && return 0
    sleep 0.05
  done
  echo "scripts: fakesmsc did not send the SMS from $1" >&2
  return 1
}

stop_kannel() {
  if [ -n "${RELAIS_KANNEL_DIR:-}" ] && [ -d "$RELAIS_KANNEL_DIR" ]; then
    local pids=() name pid i alive
    for name in fakesmsc smsbox bearerbox; do
      [ -f "$RELAIS_KANNEL_DIR/$name.pid" ] && pids+=("$(cat "$RELAIS_KANNEL_DIR/$name.pid")")
    done
    # All at once: each box takes a second or two to shut down.
    [ ${#pids[@]} -gt 0 ] && { kill "${pids[@]}" 2>/dev/null || true; }
    for i in $(seq 1 100); do
      alive=0
      for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
      [ "$alive" = 0 ] && break
      sleep 0.1
    done
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    rm -rf "$RELAIS_KANNEL_DIR"
    unset RELAIS_KANNEL_DIR
  fi
}

# start_chromedriver: headless Chromium driven over WebDriver (chromedriver) on a free
# loopback port. Sets RELAIS_TEST_WEBDRIVER_URL and RELAIS_CHROME_DIR; stop_chromedriver
# stops it. Tests start their own browser sessions (tests/it/browser.rs names the flags:
# headless, no sandbox as root, no background networking on a closed network).
start_chromedriver() {
  ensure_packages chromium chromium-driver
  RELAIS_CHROME_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relais-chrome.XXXXXX")
  local port i
  port=$(free_port)
  /usr/bin/chromedriver --port="$port" --allowed-ips=127.0.0.1 --log-level=INFO --log-path="$RELAIS_CHROME_DIR/chromedriver.log" >/dev/null 2>&1 &
  echo $! > "$RELAIS_CHROME_DIR/chromedriver.pid"
  for i in $(seq 1 100); do
    if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/status', timeout=1)" 2>/dev/null; then
      break
    fi
    if [ "$i" = 100 ]; then
      echo "scripts: chromedriver did not start; its log is in $RELAIS_CHROME_DIR" >&2
      return 1
    fi
    sleep 0.1
  done
  export RELAIS_TEST_WEBDRIVER_URL=http://127.0.0.1:$port RELAIS_CHROME_DIR
  echo "scripts: $(/usr/bin/chromium --version 2>/dev/null | head -n 1) through chromedriver on 127.0.0.1:$port" >&2
}

stop_chromedriver() {
  if [ -n "${RELAIS_CHROME_DIR:-}" ] && [ -f "$RELAIS_CHROME_DIR/chromedriver.pid" ]; then
    kill "$(cat "$RELAIS_CHROME_DIR/chromedriver.pid")" 2>/dev/null || true
    pkill -f "user-data-dir=$RELAIS_CHROME_DIR" 2>/dev/null || true
    mkdir -p target/tmp && cp "$RELAIS_CHROME_DIR/chromedriver.log" target/tmp/last-chromedriver.log 2>/dev/null || true
    rm -rf "$RELAIS_CHROME_DIR"
  fi
}
