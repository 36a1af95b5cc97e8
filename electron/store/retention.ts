// What the kiosk keeps and for how long (`retention.years`, `retention.cardTokenDays`),
// applied once a day by the kiosk, in one transaction with its audit entry.
//
// Card tokens. A bank card's token (a keyed hash of the card, so that the same card can
// stop its session; never the card number) is needed only while its session runs and
// shortly after. It is removed `cardTokenDays` after the session was settled (closed),
// wherever the kiosk keeps it:
// - payments: the result of an approved authorisation, `{ authorization: { cardToken } }`,
//   of a closed session, or of an attempt no session came of (no session record), once the
//   request was answered (never a pending one);
// - domain events and the session journal, should their data hold one, of closed sessions;
// - a connector's saved machine state: the proof of its last session (`lastProof.cardToken`,
//   to show that summary again) once that session ended before the window; set to null.
//   The machine keeps its own copy in memory, and saves it again with its next change of
//   state: the next day's run takes it out again, and it goes for good when the
//   connector's next session replaces the proof.
// A session still active is never touched, nor a payment request still pending.
// The audit log is not changed: it is a hash chain, and an entry changed would break it
// for good. Its entry of an approval (payment.authorize.done) holds the authorisation with
// its token as the backend gave it: only the writer of that entry can leave the token out.
//
// Money records. Sessions that finished or were cancelled more than `years` ago (by their
// end) go, with their journal, meter samples, domain events, receipts and their payment
// requests that were answered (done or failed); payment requests that no session came of
// go `years` after they were answered, and domain events of no session `years` after they
// happened. A session with a payment request still pending stays, with all it has, and so
// does the session of the newest receipt (the next number is counted from it).
// Kept for good: the account ledger (a balance is the sum of its entries: dropping old ones
// would change balances) with the accounts' reservations, and the audit log (hash-chained:
// dropping its head would break the chain; it is what shows this ran).
//
// Receipts refuse DELETE (the trigger receipts_no_delete, migration 5): issued receipts are
// never removed in the kiosk's life, only by this, after the years the law asks. Inside the
// one transaction the trigger is dropped, the receipts deleted and the trigger created again
// from its own text as the database holds it (the migration's), and the text is checked to
// be back before the transaction commits; another connection never sees the table without it
// (it sees the schema as of before, or after, the commit). An error anywhere rolls all back.
import { DAY_MS } from '../billing/local-time.js';
import type { KioskStore, StoreSql } from './kiosk-store.js';
import { migrations } from './migrations.js';

export interface RetentionOptions {
  /** `retention.years`: money records are kept this many years after their session ended. */
  years: number;
  /** `retention.cardTokenDays`: a card token is dropped this many days after its session was settled. */
  cardTokenDays: number;
  /** The brain's clock, ms. */
  now: number;
}

export interface RetentionReport {
  /** Records a card token was taken out of (payments, events, journal entries, saved connector states). */
  cardTokensDropped: number;
  sessionsDeleted: number;
  receiptsDeleted: number;
  paymentsDeleted: number;
}

const NO_DELETE_TRIGGER = 'receipts_no_delete';

/** Where a record's JSON may hold a card token. */
const TOKEN_PATHS = ["'$.authorization.cardToken'", "'$.cardToken'"] as const;
/**
 * Whether `column` holds a token: the text is searched first (cheap), the JSON read only
 * where the word is. Tables are scanned whole each day (none has an index by time), so
 * the scan is kept to reading the text.
 */
const hasToken = (column: string) =>
  `(instr(${column}, '"cardToken"') > 0 AND json_valid(${column}) AND (${TOKEN_PATHS.map((p) => `json_extract(${column}, ${p}) IS NOT NULL`).join(' OR ')}))`;
const withoutToken = (column: string) => `json_remove(${column}, ${TOKEN_PATHS.join(', ')})`;
/** The record's session (by `column`) was settled (closed) before ?: its token may go. */
const settledBefore = (column: string) => `EXISTS (SELECT 1 FROM sessions s WHERE s.id = ${column} AND s.status <> 'active' AND COALESCE(s.ended_at, s.created_at) < ?)`;
const noSession = (column: string) => `NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = ${column})`;

/**
 * Sessions closed before ? with no payment request pending: the ones removed. The one with
 * the newest receipt stays whatever its age: receipt numbers go on from the highest kept
 * (KioskStore.closeSession), so a station idle for the whole period never issues a number twice.
 */
const EXPIRED_BEFORE = `SELECT id FROM sessions s WHERE s.status IN ('finished', 'cancelled') AND COALESCE(s.ended_at, s.created_at) < ?
  AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.session_id = s.id AND p.status = 'pending')
  AND NOT EXISTS (SELECT 1 FROM receipts r WHERE r.session_id = s.id AND r.number = (SELECT MAX(number) FROM receipts))`;

export function applyRetention(store: KioskStore, options: RetentionOptions): RetentionReport {
  const { years, cardTokenDays, now } = options;
  if (!Number.isInteger(years) || years < 1) throw new RangeError(`retention.years is a whole number of years, at least 1, not ${years}`);
  if (!Number.isInteger(cardTokenDays) || cardTokenDays < 0) throw new RangeError(`retention.cardTokenDays is a whole number of days, at least 0, not ${cardTokenDays}`);
  if (!Number.isSafeInteger(now)) throw new RangeError(`not a time: ${now}`);
  const moneyBefore = yearsBefore(now, years);
  const tokensBefore = now - cardTokenDays * DAY_MS;

  return store.transaction(() => {
    const sql = store.sql();
    // The money records first (a token of a record that goes is not counted as dropped),
    // session by session through the tables' session_id indexes.
    const expired = sql.all(EXPIRED_BEFORE, moneyBefore).map((row) => String(row.id));
    const receiptsDeleted = deleteReceipts(sql, expired);
    let paymentsDeleted = 0;
    let sessionsDeleted = 0;
    for (const id of expired) {
      sql.run('DELETE FROM session_journal WHERE session_id = ?', id);
      sql.run('DELETE FROM meter_samples WHERE session_id = ?', id);
      sql.run('DELETE FROM domain_events WHERE session_id = ?', id);
      paymentsDeleted += sql.run(`DELETE FROM payments WHERE session_id = ? AND status IN ('done', 'failed')`, id).changes;
      sessionsDeleted += sql.run('DELETE FROM sessions WHERE id = ?', id).changes;
    }
    paymentsDeleted += sql.run(`DELETE FROM payments WHERE status IN ('done', 'failed') AND updated_at < ? AND ${noSession('payments.session_id')}`, moneyBefore).changes;
    sql.run('DELETE FROM domain_events WHERE session_id IS NULL AND at < ?', moneyBefore);

    let cardTokensDropped = 0;
    cardTokensDropped += sql.run(
      `UPDATE payments SET result = ${withoutToken('result')}
        WHERE status <> 'pending' AND ${hasToken('result')}
          AND (${settledBefore('payments.session_id')} OR (updated_at < ? AND ${noSession('payments.session_id')}))`,
      tokensBefore,
      tokensBefore,
    ).changes;
    cardTokensDropped += sql.run(`UPDATE domain_events SET data = ${withoutToken('data')} WHERE ${hasToken('data')} AND ${settledBefore('domain_events.session_id')}`, tokensBefore).changes;
    cardTokensDropped += sql.run(`UPDATE session_journal SET data = ${withoutToken('data')} WHERE ${hasToken('data')} AND ${settledBefore('session_journal.session_id')}`, tokensBefore).changes;
    cardTokensDropped += sql.run(
      `UPDATE connector_state SET snapshot = json_set(snapshot, '$.context.lastProof.cardToken', NULL)
        WHERE json_valid(snapshot) AND json_extract(snapshot, '$.context.lastProof.cardToken') IS NOT NULL
          AND json_extract(snapshot, '$.context.lastSummary.endedAt') < ?`,
      tokensBefore,
    ).changes;

    const report = { cardTokensDropped, sessionsDeleted, receiptsDeleted, paymentsDeleted };
    sql.audit(now, 'kiosk', 'retention.applied', { years, cardTokenDays, moneyBefore, tokensBefore, ...report });
    return report;
  });
}

/** The same instant `years` calendar years earlier (UTC; 29 February falls on 1 March). */
function yearsBefore(now: number, years: number): number {
  const date = new Date(now);
  date.setUTCFullYear(date.getUTCFullYear() - years);
  return date.getTime();
}

/** Deletes the receipts of the sessions that go, around their no-delete trigger (see the head of this file). */
function deleteReceipts(sql: StoreSql, sessionIds: readonly string[]): number {
  const ids = sessionIds.filter((id) => sql.get('SELECT 1 AS x FROM receipts WHERE session_id = ?', id) !== undefined);
  if (ids.length === 0) return 0;
  const trigger = triggerText(sql);
  sql.run(`DROP TRIGGER IF EXISTS ${NO_DELETE_TRIGGER}`);
  let deleted = 0;
  for (const id of ids) deleted += sql.run('DELETE FROM receipts WHERE session_id = ?', id).changes;
  sql.run(trigger);
  if (triggerText(sql) !== trigger) throw new Error(`the trigger ${NO_DELETE_TRIGGER} did not come back as it was`);
  return deleted;
}

/** The trigger's text as the database holds it; the migration's if it went missing (it comes back with this). */
function triggerText(sql: StoreSql): string {
  const row = sql.get(`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?`, NO_DELETE_TRIGGER);
  if (row?.sql != null) return String(row.sql);
  const fromMigration = new RegExp(`CREATE TRIGGER ${NO_DELETE_TRIGGER}\\b[\\s\\S]*?END`).exec(migrations.find((m) => m.version === 5)?.sql ?? '');
  if (!fromMigration) throw new Error(`the migration of ${NO_DELETE_TRIGGER} is not known`);
  return fromMigration[0];
}
