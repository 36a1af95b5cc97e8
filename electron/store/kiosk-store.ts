// The kiosk's durable memory: one SQLite file (WAL, synchronous=FULL: money moves
// here). Sessions, their journal and meter samples, payments with their idempotency
// keys, the connectors' machine snapshots, an append-only audit log chained by hash.
// No primary account number is ever stored: payments keep the masked PAN only.
import { createHash } from 'node:crypto';
import { DatabaseSync, type DatabaseSyncInstance, type StatementSyncInstance } from '@photostructure/sqlite';
import { faultPoint } from '../fault-point.js';
import { migrations } from './migrations.js';

export type PaymentOperation = 'authorize' | 'capture' | 'release' | 'refund';
export type PaymentStatus = 'pending' | 'done' | 'failed';

/** One payment request: an intent written before it is sent, its outcome written after. */
export interface PaymentRecord {
  key: string;
  sessionId: string;
  connectorId: number | null;
  method: string;
  operation: PaymentOperation;
  amountMinor: number;
  currency: string;
  status: PaymentStatus;
  /** The backend's reference of the authorisation (the card terminal's hold id); null for a refund. */
  reference: string | null;
  /** The session gave up on it: an approval that arrives later is released. */
  abandoned: boolean;
  /** Sends that failed without an answer, and the last error. */
  attempts: number;
  lastError: string | null;
  result: unknown;
  createdAt: number;
  updatedAt: number;
}

export interface PaymentIntent {
  key: string;
  sessionId: string;
  connectorId?: number | null;
  method?: string;
  operation: PaymentOperation;
  amountMinor: number;
  currency: string;
  reference?: string | null;
}

export interface DomainEventRecord {
  id: number;
  at: number;
  type: string;
  connectorId: number | null;
  sessionId: string | null;
  data: unknown;
}

export interface PersistedConnector {
  schemaVersion: number;
  phase: string;
  snapshot: unknown;
  updatedAt: number;
}

export interface SessionRecord {
  id: string;
  connectorId: number;
  method: string;
  status: 'active' | 'finished' | 'cancelled';
  createdAt: number;
  endedAt: number | null;
  energyWh: number | null;
  costMinor: number | null;
  capturedMinor: number | null;
  writtenOffMinor: number | null;
  maskedPan: string | null;
  stopReason: string | null;
  summary: unknown;
}

/** A receipt as issued: its number, sequential per station from 1, and what the export sends. */
export interface ReceiptRecord {
  number: number;
  sessionId: string;
  /** The secret of its e-receipt address. */
  token: string;
  issuedAt: number;
  content: unknown;
}

/**
 * The receipt of a session being closed as finished, issued in the same transaction:
 * `issue` is given the number assigned and returns the session's summary and the
 * receipt's content as they read with it.
 */
export interface ReceiptIssue {
  token: string;
  issue(receiptNumber: number): { summary: unknown; content: unknown };
}

type CloseRecord = Omit<SessionRecord, 'createdAt' | 'connectorId' | 'method'> & { status: 'finished' | 'cancelled' };

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  data: unknown;
  prevHash: string;
  hash: string;
}

const GENESIS = '0'.repeat(64);

/** What SQLite text cannot keep as given: a NUL ends the text, a lone surrogate becomes U+FFFD. */
const UNSTORABLE = /\0|\p{Cs}/u;

function auditHash(prevHash: string, at: number, actor: string, action: string, data: string): string {
  return createHash('sha256').update(JSON.stringify([prevHash, at, actor, action, data])).digest('hex');
}

type Row = Record<string, unknown>;

/** A value SQLite binds to a `?` of a statement. */
export type SqlValue = string | number | bigint | null;

/**
 * What a collaborator that keeps its own tables in this file is given (the account book,
 * electron/accounts/): statements on the same connection, prepared once and reused, and
 * the audit log. Its transactions are this store's `transaction`, so that its rows and
 * their audit entries land together.
 */
export interface StoreSql {
  get(sql: string, ...params: SqlValue[]): Row | undefined;
  all(sql: string, ...params: SqlValue[]): Row[];
  /** Runs a statement; returns the rows it changed and the last inserted rowid. */
  run(sql: string, ...params: SqlValue[]): { changes: number; lastInsertRowid: number };
  /** Whether a transaction is open on this connection now (a collaborator's work joins it rather than nest). */
  readonly inTransaction: boolean;
  /** Appends an audit entry; only inside `transaction`, so that it lands with what it records. */
  audit(at: number, actor: string, action: string, data: unknown): void;
}

export class KioskStore {
  private readonly db: DatabaseSyncInstance;
  /**
   * Each statement is prepared once and reused: the SQL texts are a fixed set, and a
   * statement prepared per call is compiled again every time and holds its native
   * memory until the garbage collector happens to finalise its wrapper.
   */
  private readonly statements = new Map<string, StatementSyncInstance>();

  private constructor(file: string, readOnly = false) {
    this.db = new DatabaseSync(file, readOnly ? { readOnly: true } : {});
    try {
      if (readOnly) {
        this.db.exec('PRAGMA busy_timeout = 2000;');
        const version = this.schemaVersion();
        if (version !== (migrations.at(-1)?.version ?? 0)) throw new Error(`the database has schema version ${version}; this kiosk reads ${migrations.at(-1)?.version}`);
        return;
      }
      this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 2000;');
      // The page cache grows with the file up to this bound (SQLite's default is 2 MiB).
      // The kiosk appends and reads back single rows by key or the newest ones, so 512 KiB
      // holds what it reads again; more would only keep pages of finished sessions.
      this.db.exec('PRAGMA cache_size = -512');
      this.migrate();
    } catch (error) {
      this.db.close(); // a refused database is not left open
      throw error;
    }
  }

  static open(file: string): KioskStore {
    return new KioskStore(file);
  }

  /**
   * The same file for reading only, beside a kiosk that runs on it (WAL lets readers
   * in): for tools and the chaos harness. Migrates nothing; refuses another schema.
   */
  static openReadOnly(file: string): KioskStore {
    return new KioskStore(file, true);
  }

  close(): void {
    this.statements.clear();
    this.db.close();
  }

  private statement(sql: string): StatementSyncInstance {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Statements and audit entries for a collaborator's own tables in this file (see StoreSql). */
  sql(): StoreSql {
    const db = this.db;
    return {
      get: (sql, ...params) => this.statement(sql).get(...params) as Row | undefined,
      all: (sql, ...params) => this.statement(sql).all(...params) as Row[],
      run: (sql, ...params) => {
        const result = this.statement(sql).run(...params);
        return { changes: Number(result.changes), lastInsertRowid: Number(result.lastInsertRowid) };
      },
      get inTransaction() {
        return db.isTransaction;
      },
      audit: (at, actor, action, data) => {
        if (!db.isTransaction) throw new Error('an audit entry of a collaborator is appended inside a transaction');
        this.appendAuditInTransaction(at, actor, action, data);
      },
    };
  }

  schemaVersion(): number {
    return Number((this.statement('PRAGMA user_version').get() as Row).user_version);
  }

  private migrate(): void {
    const current = this.schemaVersion();
    const known = migrations.at(-1)?.version ?? 0;
    if (current > known) {
      throw new Error(`the database has schema version ${current}, newer than this kiosk knows (${known}); refusing to touch it`);
    }
    for (const m of migrations) {
      if (m.version <= current) continue;
      this.transaction(() => {
        this.db.exec(m.sql);
        this.db.exec(`PRAGMA user_version = ${m.version}`);
      });
    }
  }

  /** Runs `work` in one transaction: all of it lands, or none. */
  transaction<T>(work: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      faultPoint('store.commit');
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  // ── connector machine snapshots ──────────────────────────────────────────

  saveConnector(connectorId: number, state: Omit<PersistedConnector, 'updatedAt'>, at: number): void {
    this.statement(
      `INSERT INTO connector_state (connector_id, schema_version, phase, snapshot, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (connector_id) DO UPDATE SET schema_version = excluded.schema_version, phase = excluded.phase,
         snapshot = excluded.snapshot, updated_at = excluded.updated_at`,
    ).run(connectorId, state.schemaVersion, state.phase, JSON.stringify(state.snapshot), at);
  }

  loadConnector(connectorId: number): PersistedConnector | null {
    const row = this.statement('SELECT * FROM connector_state WHERE connector_id = ?').get(connectorId) as Row | undefined;
    if (!row) return null;
    return {
      schemaVersion: Number(row.schema_version),
      phase: String(row.phase),
      snapshot: JSON.parse(String(row.snapshot)),
      updatedAt: Number(row.updated_at),
    };
  }

  /** Keeps a persisted connector state that could not be read, as it was, before anything replaces it. */
  quarantineConnector(connectorId: number, reason: string, at: number): void {
    this.transaction(() => {
      this.statement(
        `INSERT INTO connector_state_quarantine (connector_id, schema_version, phase, snapshot, reason, at)
         SELECT connector_id, schema_version, phase, snapshot, ?, ? FROM connector_state WHERE connector_id = ?`,
      ).run(reason, at, connectorId);
      this.appendAuditInTransaction(at, 'kiosk', 'connector.stateQuarantined', { connectorId, reason });
    });
  }

  quarantined(connectorId: number): { reason: string; at: number; snapshot: string | null }[] {
    return (this.statement('SELECT reason, at, snapshot FROM connector_state_quarantine WHERE connector_id = ? ORDER BY id').all(connectorId) as Row[]).map((row) => ({
      reason: String(row.reason),
      at: Number(row.at),
      snapshot: row.snapshot == null ? null : String(row.snapshot),
    }));
  }

  // ── sessions ─────────────────────────────────────────────────────────────

  openSession(session: { id: string; connectorId: number; method: string; createdAt: number }): void {
    this.statement(`INSERT OR IGNORE INTO sessions (id, connector_id, method, status, created_at) VALUES (?, ?, ?, 'active', ?)`)
      .run(session.id, session.connectorId, session.method, session.createdAt);
  }

  /**
   * Closes a session with its one durable record and its one audit entry, in one
   * transaction. Closing an already closed session changes nothing and returns false.
   * A finished session given `receipt` gets the next receipt number in that transaction
   * (the record keeps the summary `issue` returns); a cancelled one never gets one.
   */
  closeSession(record: CloseRecord, receipt?: ReceiptIssue): boolean {
    return this.transaction(() => this.closeSessionInTransaction(record, receipt));
  }

  /**
   * Closes the record of a session the kiosk lost in a crash (no connector holds it,
   * its money is settled): finished with what was captured, or cancelled if nothing
   * was. What it delivered is not known any more; the capture is the money record.
   * Returns false when it was already closed.
   */
  closeLostSession(id: string, capturedMinor: number, at: number): boolean {
    return this.transaction(() =>
      this.closeSessionInTransaction({
        id,
        status: capturedMinor > 0 ? 'finished' : 'cancelled',
        endedAt: at,
        energyWh: null,
        costMinor: capturedMinor,
        capturedMinor,
        writtenOffMinor: 0,
        maskedPan: null,
        stopReason: null,
        summary: null,
      }),
    );
  }

  /** Every session still open, on any connector. */
  activeSessions(): SessionRecord[] {
    return (this.statement(`SELECT * FROM sessions WHERE status = 'active' ORDER BY created_at`).all() as Row[]).map(toSession);
  }

  private closeSessionInTransaction(closing: CloseRecord, receipt?: ReceiptIssue): boolean {
    const row = this.statement('SELECT status FROM sessions WHERE id = ?').get(closing.id) as Row | undefined;
    if (!row) throw new Error(`no session ${closing.id}`);
    if (row.status !== 'active') return false;
    let record = closing;
    let receiptNumber: number | null = null;
    if (receipt && record.status === 'finished') {
      // Inside the write transaction no other writer can take the same number; a rollback takes it back.
      receiptNumber = Number((this.statement('SELECT COALESCE(MAX(number), 0) + 1 AS next FROM receipts').get() as Row).next);
      const issued = receipt.issue(receiptNumber);
      this.statement('INSERT INTO receipts (number, session_id, token, issued_at, content) VALUES (?, ?, ?, ?, ?)')
        .run(receiptNumber, record.id, receipt.token, record.endedAt ?? 0, JSON.stringify(issued.content ?? null));
      record = { ...record, summary: issued.summary };
    }
    this.statement(
      `UPDATE sessions SET status = ?, ended_at = ?, energy_wh = ?, cost_minor = ?, captured_minor = ?, written_off_minor = ?,
         masked_pan = ?, stop_reason = ?, summary = ? WHERE id = ?`,
    ).run(
      record.status,
      record.endedAt,
      record.energyWh,
      record.costMinor,
      record.capturedMinor,
      record.writtenOffMinor,
      record.maskedPan,
      record.stopReason,
      JSON.stringify(record.summary ?? null),
      record.id,
    );
    this.appendAuditInTransaction(record.endedAt ?? 0, 'kiosk', `session.${record.status}`, {
      sessionId: record.id,
      energyWh: record.energyWh,
      costMinor: record.costMinor,
      capturedMinor: record.capturedMinor,
      writtenOffMinor: record.writtenOffMinor,
      stopReason: record.stopReason,
      ...(receiptNumber === null ? {} : { receiptNumber }),
    });
    return true;
  }

  /** The receipt issued for a session, if one was. */
  receiptOf(sessionId: string): ReceiptRecord | null {
    const row = this.statement('SELECT * FROM receipts WHERE session_id = ?').get(sessionId) as Row | undefined;
    return row ? toReceipt(row) : null;
  }

  /** The receipts issued from `fromMs` (inclusive) to `toMs` (exclusive), by number. */
  receiptsIssued(fromMs: number, toMs: number): ReceiptRecord[] {
    return (this.statement('SELECT * FROM receipts WHERE issued_at >= ? AND issued_at < ? ORDER BY number').all(fromMs, toMs) as Row[]).map(toReceipt);
  }

  updateSessionSummary(id: string, summary: unknown): void {
    this.statement('UPDATE sessions SET summary = ? WHERE id = ?').run(JSON.stringify(summary), id);
  }

  getSession(id: string): SessionRecord | null {
    const row = this.statement('SELECT * FROM sessions WHERE id = ?').get(id) as Row | undefined;
    return row ? toSession(row) : null;
  }

  listSessions(limit = 100): SessionRecord[] {
    return (this.statement('SELECT * FROM sessions ORDER BY created_at DESC LIMIT ?').all(limit) as Row[]).map(toSession);
  }

  journal(sessionId: string, at: number, entry: string, data?: unknown): void {
    this.statement('INSERT INTO session_journal (session_id, at, entry, data) VALUES (?, ?, ?, ?)')
      .run(sessionId, at, entry, data === undefined ? null : JSON.stringify(data));
  }

  journalOf(sessionId: string): { at: number; entry: string; data: unknown }[] {
    return (this.statement('SELECT at, entry, data FROM session_journal WHERE session_id = ? ORDER BY id').all(sessionId) as Row[]).map(
      (row) => ({ at: Number(row.at), entry: String(row.entry), data: row.data == null ? null : JSON.parse(String(row.data)) }),
    );
  }

  /** Sessions of a connector whose record is still open (no capture or release has closed them). */
  activeSessionsOf(connectorId: number): SessionRecord[] {
    return (this.statement(`SELECT * FROM sessions WHERE connector_id = ? AND status = 'active' ORDER BY created_at`).all(connectorId) as Row[]).map(toSession);
  }

  addMeterSample(sessionId: string, at: number, meterWh: number, powerW: number): void {
    this.statement('INSERT INTO meter_samples (session_id, at, meter_wh, power_w) VALUES (?, ?, ?, ?)')
      .run(sessionId, at, Math.round(meterWh), Math.round(powerW));
  }

  meterSamples(sessionId: string): { at: number; meterWh: number; powerW: number }[] {
    return (this.statement('SELECT at, meter_wh, power_w FROM meter_samples WHERE session_id = ? ORDER BY at').all(sessionId) as Row[]).map(
      (row) => ({ at: Number(row.at), meterWh: Number(row.meter_wh), powerW: Number(row.power_w) }),
    );
  }

  // ── payments: written before the request is sent, completed when it answers ──

  /** Records a payment request before it is sent. Returns the existing record when the key is known. */
  beginPayment(p: PaymentIntent, at: number): PaymentRecord {
    this.statement(
      `INSERT OR IGNORE INTO payments (idempotency_key, session_id, connector_id, method, operation, amount_minor, currency, status, reference, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
    ).run(p.key, p.sessionId, p.connectorId ?? null, p.method ?? 'card', p.operation, p.amountMinor, p.currency, p.reference ?? null, at, at);
    return this.payment(p.key)!;
  }

  /**
   * Writes the outcome of a pending request, with its audit entry, once: a request
   * already answered is left as it is and false is returned. An approved authorisation
   * opens its session's record in the same transaction, and `also` (a refund's
   * 'session.refunded', which the reports count) lands with the outcome or not at all.
   */
  completePayment(key: string, status: 'done' | 'failed', result: unknown, at: number, reference?: string | null, also?: { actor: string; action: string; data: unknown }): boolean {
    return this.transaction(() => {
      const p = this.payment(key);
      if (!p) throw new Error(`no payment with key ${key}`);
      if (p.status !== 'pending') return false;
      this.statement('UPDATE payments SET status = ?, result = ?, reference = COALESCE(?, reference), updated_at = ? WHERE idempotency_key = ?')
        .run(status, JSON.stringify(result ?? null), reference ?? null, at, key);
      // An approval is a session that reached a payment: its record is written with it, so no crash can separate them.
      if (p.operation === 'authorize' && status === 'done') this.openSession({ id: p.sessionId, connectorId: p.connectorId ?? 0, method: p.method, createdAt: p.createdAt });
      this.appendAuditInTransaction(at, 'kiosk', `payment.${p.operation}.${status}`, {
        sessionId: p.sessionId,
        key,
        amountMinor: p.amountMinor,
        reference: reference ?? p.reference,
        abandoned: p.abandoned,
        result,
      });
      if (also) this.appendAuditInTransaction(at, also.actor, also.action, also.data);
      return true;
    });
  }

  /** The session no longer wants what the request brings: an approval that comes now is released. */
  abandonPayment(key: string, at: number): void {
    this.statement('UPDATE payments SET abandoned = 1, updated_at = ? WHERE idempotency_key = ?').run(at, key);
  }

  /** A send that failed without an answer: the intent stays pending, the failure is counted. */
  notePaymentFailure(key: string, error: string, at: number): PaymentRecord | null {
    this.statement('UPDATE payments SET attempts = attempts + 1, last_error = ?, updated_at = ? WHERE idempotency_key = ?').run(error.slice(0, 500), at, key);
    return this.payment(key);
  }

  payment(key: string): PaymentRecord | null {
    const row = this.statement('SELECT * FROM payments WHERE idempotency_key = ?').get(key) as Row | undefined;
    return row ? toPayment(row) : null;
  }

  paymentsOf(sessionId: string): PaymentRecord[] {
    return (this.statement('SELECT * FROM payments WHERE session_id = ? ORDER BY created_at, rowid').all(sessionId) as Row[]).map(toPayment);
  }

  /** Every payment request, oldest first (tools and the chaos harness). */
  listPayments(): PaymentRecord[] {
    return (this.statement('SELECT * FROM payments ORDER BY created_at, rowid').all() as Row[]).map(toPayment);
  }

  /** The newest approved authorisation with this device reference, if any. */
  approvalByReference(method: string, reference: string): PaymentRecord | null {
    const row = this.statement(
      `SELECT * FROM payments WHERE method = ? AND reference = ? AND operation = 'authorize' AND status = 'done' ORDER BY created_at DESC, rowid DESC LIMIT 1`,
    ).get(method, reference) as Row | undefined;
    return row ? toPayment(row) : null;
  }

  /** Authorisations approved and neither captured nor released, oldest first (found in SQL: the journal holds years of payments). */
  openAuthorizations(): PaymentRecord[] {
    return (
      this.statement(
        `SELECT a.* FROM payments a
          WHERE a.operation = 'authorize' AND a.status = 'done' AND json_extract(a.result, '$.authorization') IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM payments s WHERE s.status = 'done' AND s.idempotency_key IN (a.idempotency_key || ':capture', a.idempotency_key || ':release'))
          ORDER BY a.created_at, a.rowid`,
      ).all() as Row[]
    ).map(toPayment);
  }

  /** When the audit log last recorded `action` (e.g. 'terminal.endOfDay'), or null. */
  lastAuditAt(action: string): number | null {
    const row = this.statement('SELECT MAX(at) AS at FROM audit_log WHERE action = ?').get(action) as Row | undefined;
    return row?.at == null ? null : Number(row.at);
  }

  pendingPayments(): PaymentRecord[] {
    return (this.statement(`SELECT * FROM payments WHERE status = 'pending' ORDER BY created_at, rowid`).all() as Row[]).map(toPayment);
  }

  // ── domain events: one persisted stream of what happened ─────────────────

  /** Appends a domain event; `extra` runs in the same transaction (a meter sample beside its event). */
  appendEvent(event: Omit<DomainEventRecord, 'id'>, extra?: () => void): number {
    return this.transaction(() => {
      extra?.();
      const result = this.statement('INSERT INTO domain_events (at, type, connector_id, session_id, data) VALUES (?, ?, ?, ?, ?)')
        .run(event.at, event.type, event.connectorId, event.sessionId, JSON.stringify(event.data ?? null));
      return Number(result.lastInsertRowid);
    });
  }

  events(options: { afterId?: number; sessionId?: string; limit?: number } = {}): DomainEventRecord[] {
    const rows = options.sessionId
      ? this.statement('SELECT * FROM domain_events WHERE session_id = ? AND id > ? ORDER BY id LIMIT ?').all(options.sessionId, options.afterId ?? 0, options.limit ?? 10_000)
      : this.statement('SELECT * FROM domain_events WHERE id > ? ORDER BY id LIMIT ?').all(options.afterId ?? 0, options.limit ?? 10_000);
    return (rows as Row[]).map((row) => ({
      id: Number(row.id),
      at: Number(row.at),
      type: String(row.type),
      connectorId: row.connector_id == null ? null : Number(row.connector_id),
      sessionId: row.session_id == null ? null : String(row.session_id),
      data: JSON.parse(String(row.data)),
    }));
  }

  // ── audit: append-only, each entry chained to the previous by hash ─────────

  appendAudit(at: number, actor: string, action: string, data: unknown): void {
    this.transaction(() => this.appendAuditInTransaction(at, actor, action, data));
  }

  private appendAuditInTransaction(at: number, actor: string, action: string, data: unknown): void {
    // Stored differently from what was hashed, the entry would fail verification for ever.
    if (UNSTORABLE.test(actor) || UNSTORABLE.test(action)) throw new Error(`audit actor and action must be text SQLite keeps as is: ${JSON.stringify([actor, action])}`);
    const last = this.statement('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as Row | undefined;
    const prevHash = last ? String(last.hash) : GENESIS;
    const text = JSON.stringify(data ?? null);
    this.statement('INSERT INTO audit_log (at, actor, action, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)')
      .run(at, actor, action, text, prevHash, auditHash(prevHash, at, actor, action, text));
  }

  auditLog(limit = 1000): AuditEntry[] {
    return (this.statement('SELECT * FROM audit_log ORDER BY id LIMIT ?').all(limit) as Row[]).map((row) => ({
      id: Number(row.id),
      at: Number(row.at),
      actor: String(row.actor),
      action: String(row.action),
      data: JSON.parse(String(row.data)),
      prevHash: String(row.prev_hash),
      hash: String(row.hash),
    }));
  }

  /** Recomputes the chain; returns the id of the first entry that does not match, or null. */
  verifyAudit(): number | null {
    let prev = GENESIS;
    for (const row of this.statement('SELECT * FROM audit_log ORDER BY id').iterate() as Iterable<Row>) {
      const expected = auditHash(prev, Number(row.at), String(row.actor), String(row.action), String(row.data));
      if (row.prev_hash !== prev || row.hash !== expected) return Number(row.id);
      prev = expected;
    }
    return null;
  }

  // ── run-time settings (technicians' changes; they win over the config file) ──

  /**
   * A secret of the station (the card-token key): made by `make` the first time, then the
   * same for good. Kept apart from the settings a technician changes, and never audited by value.
   */
  secret(name: string, make: () => string, at: number): string {
    const key = `secret:${name}`;
    return this.transaction(() => {
      const row = this.statement('SELECT value FROM settings WHERE key = ?').get(key) as Row | undefined;
      if (row) return JSON.parse(String(row.value)) as string;
      this.statement('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)').run(key, JSON.stringify(make()), at);
      this.appendAuditInTransaction(at, 'kiosk', 'secret.created', { name });
      return JSON.parse(String((this.statement('SELECT value FROM settings WHERE key = ?').get(key) as Row).value)) as string;
    });
  }

  getSetting(key: string): unknown {
    const row = this.statement('SELECT value FROM settings WHERE key = ?').get(key) as Row | undefined;
    return row ? JSON.parse(String(row.value)) : undefined;
  }

  /** An operator's setting: written with an audit entry of who changed it. */
  setSetting(key: string, value: unknown, at: number, actor: string): void {
    this.transaction(() => {
      this.writeSetting(key, value, at);
      this.appendAuditInTransaction(at, actor, 'setting.changed', { key, value });
    });
  }

  /** State the kiosk keeps for itself (which screen is shown): no audit entry, it is no one's decision. */
  keepState(key: string, value: unknown, at: number): void {
    this.writeSetting(key, value, at);
  }

  private writeSetting(key: string, value: unknown, at: number): void {
    this.statement('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at').run(
      key,
      JSON.stringify(value),
      at,
    );
  }
}

function toSession(row: Row): SessionRecord {
  const num = (v: unknown) => (v == null ? null : Number(v));
  return {
    id: String(row.id),
    connectorId: Number(row.connector_id),
    method: String(row.method),
    status: row.status as SessionRecord['status'],
    createdAt: Number(row.created_at),
    endedAt: num(row.ended_at),
    energyWh: num(row.energy_wh),
    costMinor: num(row.cost_minor),
    capturedMinor: num(row.captured_minor),
    writtenOffMinor: num(row.written_off_minor),
    maskedPan: row.masked_pan == null ? null : String(row.masked_pan),
    stopReason: row.stop_reason == null ? null : String(row.stop_reason),
    summary: row.summary == null ? null : JSON.parse(String(row.summary)),
  };
}

function toReceipt(row: Row): ReceiptRecord {
  return {
    number: Number(row.number),
    sessionId: String(row.session_id),
    token: String(row.token),
    issuedAt: Number(row.issued_at),
    content: JSON.parse(String(row.content)),
  };
}

function toPayment(row: Row): PaymentRecord {
  return {
    key: String(row.idempotency_key),
    sessionId: String(row.session_id),
    connectorId: row.connector_id == null ? null : Number(row.connector_id),
    method: String(row.method),
    operation: row.operation as PaymentOperation,
    amountMinor: Number(row.amount_minor),
    currency: String(row.currency),
    status: row.status as PaymentStatus,
    reference: row.reference == null ? null : String(row.reference),
    abandoned: Number(row.abandoned) === 1,
    attempts: Number(row.attempts),
    lastError: row.last_error == null ? null : String(row.last_error),
    result: row.result == null ? null : JSON.parse(String(row.result)),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
