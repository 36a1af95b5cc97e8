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
];
