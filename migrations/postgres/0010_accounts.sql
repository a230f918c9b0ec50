-- Web accounts: who may sign in, how, and what proves it. A person gets an account row
-- when a coordinator imports or invites them; the password is set by the person through
-- an activation link. Secrets are never stored as given: passwords as Argon2id PHC
-- strings, session ids and one-time secrets as hashes, the TOTP secret sealed with a key
-- derived from the signing key (docs/accounts.md).

CREATE TABLE accounts (
    person_id            BIGINT PRIMARY KEY REFERENCES people (id),
    -- Argon2id PHC string; NULL until the person sets a password through their activation link.
    password_hash        TEXT,
    password_changed_at  TIMESTAMPTZ,
    -- The second factor: NULL (none yet), 'totp' (an authenticator app) or 'email' (a code by mail).
    mfa_method           TEXT,
    -- The TOTP secret, sealed (AES-256-GCM); the pending one during enrolment.
    totp_secret          TEXT,
    totp_pending_secret  TEXT,
    -- The last TOTP time step accepted: a code is accepted once.
    totp_last_step       BIGINT,
    created_at           TIMESTAMPTZ NOT NULL,
    activated_at         TIMESTAMPTZ,
    CONSTRAINT accounts_mfa_method_check CHECK (mfa_method IS NULL OR mfa_method IN ('totp', 'email')),
    CONSTRAINT accounts_totp_check CHECK (mfa_method IS NULL OR mfa_method <> 'totp' OR totp_secret IS NOT NULL)
);

-- Ten per enrolment, shown once; each works once.
CREATE TABLE account_recovery_codes (
    id          BIGSERIAL PRIMARY KEY,
    person_id   BIGINT NOT NULL REFERENCES people (id),
    code_hash   TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ
);
CREATE INDEX account_recovery_codes_person_idx ON account_recovery_codes (person_id, code_hash);

-- The SHA-256 of the cookie's random id. Valid while now < expires_at (absolute) and
-- now < last_seen_at + the idle timeout.
CREATE TABLE account_sessions (
    id_hash       TEXT PRIMARY KEY,
    person_id     BIGINT NOT NULL REFERENCES people (id),
    created_at    TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    mfa_passed    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX account_sessions_person_idx ON account_sessions (person_id);
CREATE INDEX account_sessions_expires_idx ON account_sessions (expires_at);

-- Activation and reset links, codes by mail. The secret itself is derived from the
-- signing key and the nonce when the mail is rendered; only its keyed hash is kept.
CREATE TABLE account_tokens (
    id           BIGSERIAL PRIMARY KEY,
    person_id    BIGINT NOT NULL REFERENCES people (id),
    purpose      TEXT NOT NULL,
    nonce        TEXT NOT NULL,
    secret_hash  TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    used_at      TIMESTAMPTZ,
    CONSTRAINT account_tokens_purpose_check CHECK (purpose IN ('activation', 'password_reset', 'login_code', 'mfa_email'))
);
CREATE INDEX account_tokens_hash_idx ON account_tokens (secret_hash);
CREATE INDEX account_tokens_person_idx ON account_tokens (person_id, purpose, expires_at);

-- Failed and successful attempts, counted per account and per client address over a
-- window, so limits hold across processes. account_key never holds a typed address:
-- 'person:ID' for a known account, else a keyed hash of what was typed.
CREATE TABLE login_attempts (
    id           BIGSERIAL PRIMARY KEY,
    kind         TEXT NOT NULL,
    account_key  TEXT NOT NULL,
    client       TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL,
    succeeded    BOOLEAN NOT NULL,
    CONSTRAINT login_attempts_kind_check CHECK (kind IN ('password', 'second_factor', 'reset', 'code_sent'))
);
CREATE INDEX login_attempts_account_idx ON login_attempts (account_key, kind, at);
CREATE INDEX login_attempts_client_idx ON login_attempts (client, kind, at);
CREATE INDEX login_attempts_at_idx ON login_attempts (at);
