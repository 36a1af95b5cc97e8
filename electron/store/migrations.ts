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
];
