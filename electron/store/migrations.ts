// Versioned schema migrations. Append only: a shipped migration is never edited.
export const migrations: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE connector_state (
        connector_id INTEGER PRIMARY KEY,
        schema_version INTEGER NOT NULL,
        phase TEXT NOT NULL,
        snapshot TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        connector_id INTEGER NOT NULL,
        method TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'finished', 'cancelled')),
        created_at INTEGER NOT NULL,
        ended_at INTEGER,
        energy_wh INTEGER,
        cost_minor INTEGER,
        captured_minor INTEGER,
        written_off_minor INTEGER,
        masked_pan TEXT,
        stop_reason TEXT,
        summary TEXT
      );
      CREATE TABLE session_journal (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        entry TEXT NOT NULL,
        data TEXT
      );
      CREATE INDEX session_journal_session ON session_journal (session_id);
      CREATE TABLE payments (
        idempotency_key TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        operation TEXT NOT NULL CHECK (operation IN ('authorize', 'capture', 'release')),
        amount_minor INTEGER NOT NULL,
        currency TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
        hold_id TEXT,
        result TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX payments_session ON payments (session_id);
      CREATE TABLE meter_samples (
        session_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        meter_wh INTEGER NOT NULL,
        power_w INTEGER NOT NULL
      );
      CREATE INDEX meter_samples_session ON meter_samples (session_id, at);
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        data TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    // Payments owned by the brain: every request is an intent with its method and
    // connector; an intent the session gave up on is marked abandoned (a late approval
    // is released); failed attempts are counted. Domain events, persisted. Persisted
    // connector states that could not be read are kept aside, never dropped.
    version: 2,
    sql: `
      ALTER TABLE payments RENAME COLUMN hold_id TO reference;
      ALTER TABLE payments ADD COLUMN method TEXT NOT NULL DEFAULT 'card';
      ALTER TABLE payments ADD COLUMN connector_id INTEGER;
      ALTER TABLE payments ADD COLUMN abandoned INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE payments ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE payments ADD COLUMN last_error TEXT;
      CREATE INDEX payments_status ON payments (status);
      CREATE TABLE domain_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        type TEXT NOT NULL,
        connector_id INTEGER,
        session_id TEXT,
        data TEXT NOT NULL
      );
      CREATE INDEX domain_events_session ON domain_events (session_id);
      CREATE TABLE connector_state_quarantine (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        connector_id INTEGER NOT NULL,
        schema_version INTEGER,
        phase TEXT,
        snapshot TEXT,
        reason TEXT NOT NULL,
        at INTEGER NOT NULL
      );
    `,
  },
  {
    // An approved authorisation always has its session's record: written in the same
    // transaction as the approval from now on; this repairs stores where a crash fell
    // between the two (the sweep closes such a record once its money is settled).
    version: 3,
    sql: `
      INSERT OR IGNORE INTO sessions (id, connector_id, method, status, created_at)
        SELECT session_id, COALESCE(connector_id, 0), method, 'active', created_at FROM payments
        WHERE operation = 'authorize' AND status = 'done' AND reference IS NOT NULL;
    `,
  },
  {
    // Station RFID accounts (electron/accounts/account-book.ts): accounts, their cards, the
    // reservations of sessions paid from them (keyed by the payment journal's key) and an
    // append-only ledger, whose sum per account is its balance. UIDs are canonical hex
    // (devices/rfid/uid.ts); a suffix card is an EM4100 print knowing only a tag's last bytes.
    version: 4,
    sql: `
      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('prepaid', 'account')),
        cap_minor INTEGER CHECK (cap_minor IS NULL OR cap_minor > 0),
        blocked INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
        currency TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE account_cards (
        uid TEXT PRIMARY KEY,
        suffix INTEGER NOT NULL DEFAULT 0 CHECK (suffix IN (0, 1)),
        account_id TEXT NOT NULL REFERENCES accounts (id),
        added_at INTEGER NOT NULL
      );
      CREATE INDEX account_cards_account ON account_cards (account_id);
      CREATE TABLE account_reservations (
        ref TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts (id),
        session_id TEXT,
        method TEXT NOT NULL CHECK (method IN ('prepaid', 'account')),
        amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
        limit_minor INTEGER NOT NULL CHECK (limit_minor >= 0),
        state TEXT NOT NULL CHECK (state IN ('open', 'settled', 'released')),
        charged_minor INTEGER,
        balance_before_minor INTEGER NOT NULL,
        balance_after_minor INTEGER,
        created_at INTEGER NOT NULL,
        ended_at INTEGER
      );
      CREATE INDEX account_reservations_open ON account_reservations (method, state);
      CREATE TABLE account_ledger (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        account_id TEXT NOT NULL REFERENCES accounts (id),
        kind TEXT NOT NULL CHECK (kind IN ('topup', 'reservation', 'release', 'charge', 'writeoff', 'refund', 'correction')),
        amount_minor INTEGER NOT NULL,
        balance_minor INTEGER NOT NULL,
        session_id TEXT,
        ref TEXT UNIQUE,
        who TEXT NOT NULL,
        reason TEXT
      );
      CREATE INDEX account_ledger_account ON account_ledger (account_id, id);
      CREATE TRIGGER account_ledger_no_update BEFORE UPDATE ON account_ledger
        BEGIN SELECT RAISE(ABORT, 'the account ledger is append-only: entries are never changed'); END;
      CREATE TRIGGER account_ledger_no_delete BEFORE DELETE ON account_ledger
        BEGIN SELECT RAISE(ABORT, 'the account ledger is append-only: entries are never deleted'); END;
    `,
  },
  {
    // Receipts: numbered 1, 2, 3… per station, each issued in the transaction that closes
    // its session as finished, so a crash leaves neither a gap nor a number used twice.
    // `token` is the secret of its e-receipt address; `content` what the export sends
    // (electron/receipts/receipt-record.ts). Never changed or removed once issued.
    version: 5,
    sql: `
      CREATE TABLE receipts (
        number INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL UNIQUE REFERENCES sessions (id),
        token TEXT NOT NULL,
        issued_at INTEGER NOT NULL,
        content TEXT NOT NULL
      );
      CREATE INDEX receipts_issued ON receipts (issued_at);
      CREATE TRIGGER receipts_no_update BEFORE UPDATE ON receipts
        BEGIN SELECT RAISE(ABORT, 'receipts are never changed once issued'); END;
      CREATE TRIGGER receipts_no_delete BEFORE DELETE ON receipts
        BEGIN SELECT RAISE(ABORT, 'receipts are never deleted'); END;
    `,
  },
  {
    // The maintenance menu: technicians (a salted scrypt hash of each PIN, never the PIN),
    // the PIN lockout (one row: it survives a restart), and what technicians changed of
    // the station's service state (a connector, or 0 for the whole station).
    version: 6,
    sql: `
      CREATE TABLE technicians (
        name TEXT PRIMARY KEY,
        pin_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE tech_lockout (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        failures INTEGER NOT NULL,
        lockouts INTEGER NOT NULL,
        locked_until INTEGER,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE service_state (
        connector_id INTEGER PRIMARY KEY,
        note TEXT NOT NULL,
        since INTEGER NOT NULL,
        by TEXT NOT NULL
      );
    `,
  },
  {
    // Refunds are payment requests too (a technician gives back money a bank card paid):
    // journalled before they are sent like the others. SQLite cannot change a CHECK, so
    // the journal is copied into a table whose CHECK knows 'refund', in the same
    // transaction, columns named one by one; its indexes are made again.
    version: 7,
    sql: `
      CREATE TABLE payments_v7 (
        idempotency_key TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        operation TEXT NOT NULL CHECK (operation IN ('authorize', 'capture', 'release', 'refund')),
        amount_minor INTEGER NOT NULL,
        currency TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
        reference TEXT,
        result TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        method TEXT NOT NULL DEFAULT 'card',
        connector_id INTEGER,
        abandoned INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
      );
      INSERT INTO payments_v7 (idempotency_key, session_id, operation, amount_minor, currency, status, reference, result, created_at, updated_at, method, connector_id, abandoned, attempts, last_error)
        SELECT idempotency_key, session_id, operation, amount_minor, currency, status, reference, result, created_at, updated_at, method, connector_id, abandoned, attempts, last_error
          FROM payments ORDER BY rowid;
      DROP TABLE payments;
      ALTER TABLE payments_v7 RENAME TO payments;
      CREATE INDEX payments_session ON payments (session_id);
      CREATE INDEX payments_status ON payments (status);
    `,
  },
];
