// The tool and the kiosk on one file: two store connections, each with its book. What one
// writes the other reads at its next read; a reservation waits for the other's write lock
// (and gives up, writing nothing, when it is held too long); reservations alternating
// between the two never reserve more than the balance.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { AccountError } from '../../../electron/accounts/account-book.js';
import { stores } from './helpers.js';

const opened = stores();
afterEach(() => opened.cleanup());

function twoConnections() {
  const file = join(opened.dir(), 'kiosk.sqlite');
  const kiosk = opened.open(file);
  const tool = opened.open(file);
  const ann = tool.book.addAccount({ name: 'Ann', type: 'prepaid', currency: 'EUR' }, 'cli:ops', 1);
  tool.book.addCard(ann.id, { uid: '04A1B2C3D4E5F6', suffix: false }, 'cli:ops', 1);
  return { kiosk, tool, ann };
}

describe('two connections on one file', () => {
  it('a top-up through the tool is seen by the kiosk at its next read, and the other way round', () => {
    const { kiosk, tool, ann } = twoConnections();
    expect(kiosk.book.accountOfTag('04A1B2C3D4E5F6')?.account.id).toBe(ann.id);
    expect(kiosk.book.balance(ann.id)).toBe(0);
    tool.book.topUp(ann.id, 2000, 'cash', 'cli:ops', 2);
    expect(kiosk.book.balance(ann.id)).toBe(2000);
    kiosk.book.reserve({ ref: 'k1', accountId: ann.id, sessionId: 's1', method: 'prepaid', amountMinor: 1500, at: 3 });
    expect(tool.book.balance(ann.id)).toBe(500);
    tool.book.setBlocked(ann.id, true, 'cli:ops', 4);
    expect(kiosk.book.accountOfTag('04A1B2C3D4E5F6')?.account.blocked).toBe(true);
    // One hash chain for both writers.
    expect(kiosk.store.verifyAudit()).toBeNull();
  });

  it('reservations alternating through the two connections never reserve more than the balance', () => {
    const { kiosk, tool, ann } = twoConnections();
    tool.book.topUp(ann.id, 1000, 'cash', 'cli:ops', 2);
    const books = [kiosk.book, tool.book];
    let granted = 0;
    for (let i = 0; i < 10; i++) {
      try {
        books[i % 2]!.reserve({ ref: `s${i}:authorize:1`, accountId: ann.id, sessionId: `s${i}`, method: 'prepaid', amountMinor: 300, at: 3 });
        granted++;
      } catch (error) {
        expect(error).toBeInstanceOf(AccountError);
        expect((error as AccountError).code).toBe('noCredit');
      }
    }
    expect(granted).toBe(3);
    expect(kiosk.book.openReservations('prepaid').reduce((sum, r) => sum + r.amountMinor, 0)).toBe(900);
    expect(tool.book.balance(ann.id)).toBe(100);
  });

  it('while one connection holds the write lock, the other waits, then gives up writing nothing', () => {
    const { kiosk, tool, ann } = twoConnections();
    tool.book.topUp(ann.id, 1000, 'cash', 'cli:ops', 2);
    const started = Date.now();
    tool.book.atomically(() => {
      tool.book.reserve({ ref: 'tool-held', accountId: ann.id, sessionId: null, method: 'prepaid', amountMinor: 1000, at: 3 });
      // The kiosk's reservation cannot start its transaction before this one ends: busy_timeout, then SQLITE_BUSY.
      expect(() => kiosk.book.reserve({ ref: 'k1', accountId: ann.id, sessionId: 's1', method: 'prepaid', amountMinor: 500, at: 3 })).toThrow(/locked|busy/i);
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(kiosk.book.reservation('k1')).toBeNull();
    expect(kiosk.book.balance(ann.id)).toBe(0);
    expect(() => kiosk.book.reserve({ ref: 'k1', accountId: ann.id, sessionId: 's1', method: 'prepaid', amountMinor: 500, at: 4 })).toThrow(AccountError);
  });
});
