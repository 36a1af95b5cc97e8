// The maintenance menu's brain through a whole kiosk in sim mode: who may send technician
// commands (a token from a correct PIN, bound to its screen connection, closed after the
// timeout, with the connection, or by logging out), what each action does to the station,
// the accounts and the journal, what it refuses, and what the audit log keeps.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AccountBook } from '../../../electron/accounts/account-book.js';
import type { TariffsPage, TechCommand, TechResult } from '../../../electron/contract/index.js';
import { refundedOf } from '../../../electron/maintenance/reports.js';
import { TechnicianBook } from '../../../electron/maintenance/technicians.js';
import { KioskHarness, payAndPlug } from '../station/kiosk-harness.js';

const PIN = '482916';
const SCREEN = 'ws-1';
const PREPAID = '04A1B2C3D4E5F6';
/** A cheap scrypt for tests: the hash names its cost, so the kiosk's book checks it as made. */
const FAST = { scrypt: { N: 2 ** 10, r: 8, p: 1 } };

let harness: KioskHarness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

async function kioskWithTechnician(overrides = {}): Promise<KioskHarness> {
  harness = await KioskHarness.start(overrides);
  await new TechnicianBook(harness.store, FAST).add('Alice', PIN, harness.clock.now(), 'test');
  return harness;
}

function tech(h: KioskHarness, command: unknown, token?: string, connection: string | null = SCREEN, background?: boolean): Promise<TechResult> {
  return h.kiosk.service.handleTech({ token, command, background }, connection);
}

async function login(h: KioskHarness, connection = SCREEN): Promise<string> {
  const result = await tech(h, { type: 'login', pin: PIN }, undefined, connection);
  expect(result.ok).toBe(true);
  return (result as { data: { token: string } }).data.token;
}

/** Runs a technician command while the kiosk's clock moves (a relay test or a print wait on it). */
async function run(h: KioskHarness, command: TechCommand, token: string): Promise<TechResult> {
  let done = false;
  const work = tech(h, command, token).finally(() => (done = true));
  for (let i = 0; i < 200 && !done; i++) await h.run(100);
  return work;
}

function refusal(result: TechResult) {
  expect(result.ok).toBe(false);
  return (result as Extract<TechResult, { ok: false }>).error;
}

function data<T>(result: TechResult): T {
  expect(result).toMatchObject({ ok: true });
  return (result as { data: T }).data;
}

const maintenanceAudit = (h: KioskHarness) => h.store.auditLog().filter((a) => a.action.startsWith('maintenance.'));

describe('who may send technician commands', () => {
  it('only the screen connection that entered the PIN, with its token', async () => {
    const h = await kioskWithTechnician();
    const token = await login(h);
    expect((await tech(h, { type: 'accounts' }, token)).ok).toBe(true);
    // Another screen connection, the HTTP API, no token, a made-up token: all refused.
    expect(refusal(await tech(h, { type: 'accounts' }, token, 'ws-2')).reason).toBe('noMenu');
    expect(refusal(await tech(h, { type: 'accounts' }, token, null)).reason).toBe('noMenu');
    expect(refusal(await tech(h, { type: 'accounts' })).reason).toBe('noMenu');
    expect(refusal(await tech(h, { type: 'accounts' }, 'f'.repeat(48))).reason).toBe('noMenu');
    // Even the login is refused over HTTP.
    expect(refusal(await tech(h, { type: 'login', pin: PIN }, undefined, null)).reason).toBe('noMenu');
  });

  it('refuses what is not a technician command, with the field that is wrong', async () => {
    const h = await kioskWithTechnician();
    const token = await login(h);
    expect(refusal(await tech(h, { type: 'selectConnector', connectorId: 1 }, token)).code).toBe('invalid');
    const bad = refusal(await tech(h, { type: 'topUp', accountId: 'x', amountMinor: -5, reason: 'why' }, token));
    expect(bad.code).toBe('invalid');
    expect(bad.message).toMatch(/amountMinor/);
    expect(refusal(await h.kiosk.service.handleTech('garbage', SCREEN)).code).toBe('invalid');
    expect(refusal(await h.kiosk.service.handleTech({ command: { type: 'hello' }, extra: 1 }, SCREEN)).code).toBe('invalid');
  });

  it('a wrong PIN says how many tries are left; five lock entry, and the right PIN is refused while locked', async () => {
    const h = await kioskWithTechnician();
    const first = refusal(await tech(h, { type: 'login', pin: '000000' }));
    expect(first).toMatchObject({ reason: 'wrongPin', attemptsLeft: 4 });
    for (let i = 0; i < 3; i++) await tech(h, { type: 'login', pin: '000000' });
    const fifth = refusal(await tech(h, { type: 'login', pin: '000000' }));
    expect(fifth.reason).toBe('locked');
    expect(fifth.lockedUntil).toBe(h.clock.now() + 60_000);
    expect(refusal(await tech(h, { type: 'login', pin: PIN })).reason).toBe('locked');
    expect(data<{ lockedUntil: number | null }>(await tech(h, { type: 'hello' })).lockedUntil).toBe(h.clock.now() + 60_000);
  });

  it('the menu closes after maintenance.timeoutS without a touch; background refreshes do not keep it open', async () => {
    const h = await kioskWithTechnician({ maintenance: { timeoutS: 30 } });
    const token = await login(h);
    h.clock.advance(20_000);
    expect((await tech(h, { type: 'touch' }, token)).ok).toBe(true); // renews
    h.clock.advance(20_000);
    expect((await tech(h, { type: 'payments' }, token, SCREEN, true)).ok).toBe(true); // does not renew
    h.clock.advance(11_000);
    expect(refusal(await tech(h, { type: 'payments' }, token)).reason).toBe('noMenu');
    expect(maintenanceAudit(h).at(-1)).toMatchObject({ actor: 'Alice', action: 'maintenance.closed', data: { why: 'timedOut' } });
  });

  it('closes with its screen connection, on logout, and when the same screen logs in again', async () => {
    const h = await kioskWithTechnician();
    const first = await login(h);
    const second = await login(h);
    expect(refusal(await tech(h, { type: 'touch' }, first)).reason).toBe('noMenu');
    h.kiosk.service.connectionClosed(SCREEN);
    expect(refusal(await tech(h, { type: 'touch' }, second)).reason).toBe('noMenu');
    const third = await login(h);
    expect(data(await tech(h, { type: 'logout' }, third))).toBeNull();
    expect(refusal(await tech(h, { type: 'touch' }, third)).reason).toBe('noMenu');
    expect(maintenanceAudit(h).filter((a) => a.action === 'maintenance.closed').map((a) => (a.data as { why: string }).why)).toEqual(['replaced', 'disconnected', 'loggedOut']);
  });

  it('audits every action with the technician, and no read', async () => {
    const h = await kioskWithTechnician();
    const token = await login(h);
    await tech(h, { type: 'accounts' }, token);
    await tech(h, { type: 'payments' }, token);
    await tech(h, { type: 'setService', connectorId: 2, inService: false, reason: 'cable damaged' }, token);
    const entries = maintenanceAudit(h);
    expect(entries.map((a) => a.action)).toEqual(['maintenance.login', 'maintenance.setService']);
    expect(entries[1]).toMatchObject({ actor: 'Alice', data: { connectorId: 2, inService: false, reason: 'cable damaged' } });
    expect(JSON.stringify(h.store.auditLog())).not.toContain(PIN);
  });
});

describe('what the technician does', () => {
  it('takes a connector out of service with a reason, kept across a restart, and back again', async () => {
    const h = await kioskWithTechnician();
    const token = await login(h);
    expect((await tech(h, { type: 'setService', connectorId: 2, inService: false, reason: 'Cable damaged' }, token)).ok).toBe(true);
    expect(h.connector(2).phase).toBe('outOfService');
    expect(h.connector(2).service).toMatchObject({ note: 'Cable damaged', station: false });
    expect(await h.command({ type: 'selectConnector', connectorId: 2 })).toMatchObject({ ok: false });
    await h.restart();
    expect(h.connector(2).phase).toBe('outOfService');
    const again = await login(h);
    expect((await tech(h, { type: 'setService', connectorId: 2, inService: true, reason: 'Cable replaced' }, again)).ok).toBe(true);
    await h.run(500);
    expect(h.connector(2).phase).toBe('available');
  });

  it('loads a tariff file from the exchange folder only once it is valid; the new price shows, a running session keeps its own', async () => {
    const h = await kioskWithTechnician();
    const token = await login(h);
    const exchange = h.kiosk.maintenance.exchangeDir;
    const tariff = (price: string, currency = 'EUR') => JSON.stringify({ id: `t-${price}`, currency, elements: [{ price_components: [{ type: 'ENERGY', price_incl_vat: Number(price), vat: 19 }] }] });
    writeFileSync(join(exchange, 'winter.json'), tariff('0.59'));
    writeFileSync(join(exchange, 'dollars.json'), tariff('0.59', 'USD'));
    writeFileSync(join(exchange, 'broken.yaml'), 'elements: [ {');
    writeFileSync(join(exchange, 'notes.txt'), 'not a tariff');
    await payAndPlug(h, 1);
    const configured = h.snapshot().tariff.lines;

    const page = data<TariffsPage>(await tech(h, { type: 'tariffs' }, token));
    expect(page.active).toEqual({ source: 'config' });
    expect(page.files.map((f) => [f.file, f.error === null])).toEqual([
      ['broken.yaml', false],
      ['dollars.json', false],
      ['winter.json', true],
    ]);
    expect(page.files.find((f) => f.file === 'dollars.json')!.error).toMatch(/USD.*EUR/);
    expect(page.files.find((f) => f.file === 'winter.json')!.view!.lines).toEqual([{ kind: 'energy', price: '0.59', unit: 'kWh' }]);

    expect(refusal(await tech(h, { type: 'loadTariff', file: 'dollars.json' }, token)).reason).toBe('invalidFile');
    expect(refusal(await tech(h, { type: 'loadTariff', file: '../kiosk.db' }, token)).reason).toBe('invalidFile');
    expect(refusal(await tech(h, { type: 'loadTariff', file: 'missing.json' }, token)).reason).toBe('notFound');
    expect(h.snapshot().tariff.lines).toEqual(configured);

    const loaded = data<TariffsPage>(await tech(h, { type: 'loadTariff', file: 'winter.json' }, token));
    expect(loaded.active).toMatchObject({ source: 'loaded', file: 'winter.json', by: 'Alice' });
    expect(h.snapshot().tariff.lines).toEqual([{ kind: 'energy', price: '0.59', unit: 'kWh' }]);
    expect(h.connector(2).tariff.lines).toEqual([{ kind: 'energy', price: '0.59', unit: 'kWh' }]);
    // The session that started before keeps its prices.
    await h.run(60_000, 1000);
    await h.sim({ type: 'plug', connectorId: 1, plugged: false });
    await h.run(5000);
    const energyLine = h.connector(1).lastSummary!.lines.find((l) => l.kind === 'energy')!;
    expect(energyLine.unitPrice).toBe(configured.find((l) => l.kind === 'energy')!.price);
    expect(energyLine.unitPrice).not.toBe('0.59');
    // The loaded tariff is the station's after a restart.
    await h.restart();
    expect(h.snapshot().tariff.lines).toEqual([{ kind: 'energy', price: '0.59', unit: 'kWh' }]);
  });

  it('tops up a prepaid card with a reason, blocks it, and shows the ledger', async () => {
    const h = await kioskWithTechnician();
    const token = await login(h);
    const accountId = new AccountBook(h.store).accountOfTag(PREPAID)!.account.id;
    const accounts = data<{ id: string; balanceMinor: number | null }[]>(await tech(h, { type: 'accounts' }, token));
    expect(accounts.find((a) => a.id === accountId)!.balanceMinor).toBe(2000);
    expect((await tech(h, { type: 'topUp', accountId, amountMinor: 1500, reason: 'paid cash at the desk' }, token)).ok).toBe(true);
    expect(new AccountBook(h.store).balance(accountId)).toBe(3500);
    const ledger = data<{ kind: string; amountMinor: number; reason: string | null; who: string }[]>(await tech(h, { type: 'ledger', accountId }, token));
    expect(ledger.at(-1)).toMatchObject({ kind: 'topup', amountMinor: 1500, reason: 'paid cash at the desk', who: 'Alice' });
    expect(refusal(await tech(h, { type: 'topUp', accountId: 'nobody', amountMinor: 100, reason: 'a test refusal' }, token)).reason).toBe('notFound');
    expect((await tech(h, { type: 'setBlocked', accountId, blocked: true, reason: 'card reported lost' }, token)).ok).toBe(true);
    expect(new AccountBook(h.store).account(accountId)!.blocked).toBe(true);
  });

  it('refunds part of a prepaid session to its account, and a bank card through the terminal; never more than was taken, and the reports count it', async () => {
    const h = await kioskWithTechnician();
    const book = new AccountBook(h.store);
    const accountId = book.accountOfTag(PREPAID)!.account.id;
    expect(await h.command({ type: 'selectConnector', connectorId: 1 })).toEqual({ ok: true });
    await h.sim({ type: 'tag', uid: PREPAID });
    await h.run(500);
    await h.sim({ type: 'plug', connectorId: 1, plugged: true });
    await h.run(120_000, 1000);
    await h.sim({ type: 'plug', connectorId: 1, plugged: false });
    await h.run(2000);
    const summary = h.connector(1).lastSummary!;
    expect(summary.capturedMinor).toBeGreaterThan(20);
    const balance = book.balance(accountId);

    // A bank card session on the other connector.
    expect(await h.command({ type: 'closeSummary', connectorId: 1 })).toEqual({ ok: true });
    await payAndPlug(h, 2);
    await h.run(120_000, 1000);
    await h.sim({ type: 'plug', connectorId: 2, plugged: false });
    await h.run(5000);
    const card = h.connector(2).lastSummary!;
    expect(card.capturedMinor).toBeGreaterThan(40);
    const token = await login(h); // after the charges: the menu would have timed out during them

    expect(data(await tech(h, { type: 'refund', sessionId: summary.sessionId, amountMinor: 20, reason: 'slow charge' }, token))).toEqual({ via: 'account', amountMinor: 20 });
    expect(book.balance(accountId)).toBe(balance + 20);
    const tooMuch = refusal(await tech(h, { type: 'refund', sessionId: summary.sessionId, amountMinor: summary.capturedMinor, reason: 'again' }, token));
    expect(tooMuch.message).toContain(`at most ${summary.capturedMinor - 20}`);
    expect(refusal(await tech(h, { type: 'refund', sessionId: 'no-such', amountMinor: 1, reason: 'a test refusal' }, token)).reason).toBe('notFound');

    // The card: part of it refunded to the card the terminal asks for (06 31), then the rest; never more.
    expect(data(await run(h, { type: 'refund', sessionId: card.sessionId, amountMinor: 20, reason: 'connector fault' }, token))).toEqual({ via: 'terminal', amountMinor: 20 });
    const cardTooMuch = refusal(await run(h, { type: 'refund', sessionId: card.sessionId, amountMinor: card.capturedMinor, reason: 'again' }, token));
    expect(cardTooMuch).toMatchObject({ reason: 'notPossibleNow', message: expect.stringContaining(`at most ${card.capturedMinor - 20}`) });
    // The terminal declines: nothing is counted.
    await h.sim({ type: 'cardOutcome', outcome: 'decline' });
    const declined = refusal(await run(h, { type: 'refund', sessionId: card.sessionId, amountMinor: 5, reason: 'declined test' }, token));
    expect(declined).toMatchObject({ reason: 'notPossibleNow', message: expect.stringMatching(/nothing was refunded: the card terminal declined/) });
    await h.sim({ type: 'cardOutcome', outcome: 'approve' });
    expect(data(await run(h, { type: 'refund', sessionId: card.sessionId, amountMinor: card.capturedMinor - 20, reason: 'the rest' }, token))).toEqual({ via: 'terminal', amountMinor: card.capturedMinor - 20 });
    expect(refusal(await run(h, { type: 'refund', sessionId: card.sessionId, amountMinor: 1, reason: 'once more' }, token)).message).toContain('at most 0');

    // The journal: each refund its own key, journalled with the technician and the reason.
    const refunds = h.store.paymentsOf(card.sessionId).filter((p) => p.operation === 'refund');
    expect(refunds.map((p) => [p.key, p.status, p.amountMinor])).toEqual([
      [`${card.sessionId}:refund:1`, 'done', 20],
      [`${card.sessionId}:refund:2`, 'failed', 5],
      [`${card.sessionId}:refund:3`, 'done', card.capturedMinor - 20],
    ]);
    expect(refunds[0]!.result).toMatchObject({ outcome: 'refunded', kind: 'refund', by: 'Alice', reason: 'connector fault' });
    expect(refunds[1]!.result).toMatchObject({ outcome: 'refused', refusal: 'declined' });
    const audited = h.store.auditLog().filter((a) => a.action === 'session.refunded' && (a.data as { sessionId: string }).sessionId === card.sessionId);
    expect(audited.map((a) => [a.actor, (a.data as { amountMinor: number; via: string }).amountMinor, (a.data as { via: string }).via])).toEqual([
      ['Alice', 20, 'terminal'],
      ['Alice', card.capturedMinor - 20, 'terminal'],
    ]);

    // What is left and the reports count both ways of refunding.
    expect(refundedOf(h.store, h.store.getSession(card.sessionId)!)).toBe(card.capturedMinor);
    expect(refundedOf(h.store, h.store.getSession(summary.sessionId)!)).toBe(20);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: h.config.station.timeZone }).format(h.clock.now());
    const report = data<{ totals: { refundedMinor: number } }>(await tech(h, { type: 'report', from: today, to: today }, token));
    expect(report.totals.refundedMinor).toBe(20 + card.capturedMinor);
  });

  it('the whole of a card payment of the day is reversed at the terminal, no card needed; after the end of day it goes to the card', async () => {
    const h = await kioskWithTechnician();
    const charged = async (connectorId: number) => {
      await payAndPlug(h, connectorId);
      await h.run(60_000, 1000);
      await h.sim({ type: 'plug', connectorId, plugged: false });
      await h.run(5000);
      const summary = h.connector(connectorId).lastSummary!;
      expect(await h.command({ type: 'closeSummary', connectorId })).toEqual({ ok: true });
      return summary;
    };
    const first = await charged(1);
    const second = await charged(2);
    const token = await login(h);
    expect(data(await run(h, { type: 'refund', sessionId: first.sessionId, amountMinor: first.capturedMinor, reason: 'did not charge' }, token))).toEqual({ via: 'terminal', amountMinor: first.capturedMinor });
    expect(h.store.payment(`${first.sessionId}:refund:1`)!.result).toMatchObject({ outcome: 'refunded', kind: 'reversal' });
    // After the terminal's end of day the day's payments cannot be reversed: a refund to the card.
    expect((await run(h, { type: 'endOfDay' }, token)).ok).toBe(true);
    expect(data(await run(h, { type: 'refund', sessionId: second.sessionId, amountMinor: second.capturedMinor, reason: 'did not charge' }, token))).toEqual({ via: 'terminal', amountMinor: second.capturedMinor });
    expect(h.store.payment(`${second.sessionId}:refund:1`)!.result).toMatchObject({ outcome: 'refunded', kind: 'refund' });
  });

  it('reprints a receipt by its number, marked as a copy; an unknown number is refused', async () => {
    const h = await kioskWithTechnician();
    await payAndPlug(h, 1);
    await h.run(30_000, 1000);
    await h.sim({ type: 'plug', connectorId: 1, plugged: false });
    await h.run(5000);
    const summary = h.connector(1).lastSummary!;
    expect(await h.command({ type: 'chooseReceipt', connectorId: 1, receipt: 'print' })).toEqual({ ok: true });
    await h.run(2000);
    const original = h.snapshot().sim!.printer!.lastReceipt!;
    expect(original).not.toContain('COPY');
    const token = await login(h);
    expect((await run(h, { type: 'reprint', receiptNumber: summary.receiptNumber! }, token)).ok).toBe(true);
    await h.run(1000);
    const copy = h.snapshot().sim!.printer!.lastReceipt!;
    expect(copy).toContain('COPY (reprint)');
    expect(copy.replace(/.*COPY \(reprint\).*\n/, '')).toBe(original);
    expect(refusal(await run(h, { type: 'reprint', receiptNumber: 999 }, token)).reason).toBe('notFound');
  });

  it('a relay test enables an idle charger for at most 5 s and puts it back to sleep, never with a vehicle connected', async () => {
    const h = await kioskWithTechnician();
    const token = await login(h);
    const result = data<{ enabledMs: number }>(await run(h, { type: 'relayTest', connectorId: 1 }, token));
    expect(result.enabledMs).toBeGreaterThanOrEqual(4900);
    expect(result.enabledMs).toBeLessThanOrEqual(5300);
    const done = h.store.auditLog().find((a) => a.action === 'charger.relayTestDone');
    expect(done).toMatchObject({ actor: 'Alice', data: { connectorId: 1, asleep: true } });
    await h.sim({ type: 'plug', connectorId: 1, plugged: true });
    await h.run(1000);
    expect(refusal(await run(h, { type: 'relayTest', connectorId: 1 }, token)).reason).toBe('notPossibleNow');
  });

  it('ends a driver\'s session by hand with a reason, and settles it', async () => {
    const h = await kioskWithTechnician();
    const token = await login(h);
    await payAndPlug(h, 1);
    await h.run(30_000, 1000);
    expect((await run(h, { type: 'endSession', connectorId: 1, reason: 'driver lost card and code' }, token)).ok).toBe(true);
    await h.run(3000);
    expect(h.connector(1).phase).not.toBe('charging');
    expect(h.store.auditLog().some((a) => a.actor === 'Alice' && a.action === 'maintenance.endSession')).toBe(true);
    expect(refusal(await run(h, { type: 'endSession', connectorId: 2, reason: 'nothing there' }, token)).reason).toBe('notPossibleNow');
  });

  it("lists a running session's hold as open, and will not mark it failed while the session settles it", async () => {
    const h = await kioskWithTechnician();
    const token = await login(h);
    await payAndPlug(h, 1);
    const page = data<{ openHolds: { key: string; sessionRunning: boolean }[]; pending: unknown[] }>(await tech(h, { type: 'payments' }, token));
    expect(page.openHolds).toHaveLength(1);
    expect(page.openHolds[0]!.sessionRunning).toBe(true);
    expect(page.pending).toEqual([]);
    const refused = refusal(await tech(h, { type: 'resolvePayment', key: page.openHolds[0]!.key, outcome: 'failed', reason: 'test' }, token));
    expect(refused.reason).toBe('sessionRunning');
    expect(refusal(await tech(h, { type: 'resolvePayment', key: 'nope', outcome: 'done', reason: 'test' }, token)).reason).toBe('notFound');
  });
});
