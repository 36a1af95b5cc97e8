// The station accounts of a simulated station, so that every answer to an RFID tap can be
// shown: credit, no credit, an account billed later, a blocked card, and a card nobody
// knows. Made once, by fixed ids: later starts leave them (and their balances) as they are.
import { currencyExponent } from '../billing/decimal.js';
import type { AccountBook, AccountType } from './account-book.js';

/** A card of the simulator panel, and what it stands for. */
export interface DemoCard {
  uid: string;
  /** The demo account it belongs to; null for the unknown card. */
  accountId: string | null;
  description: string;
}

/** A tag no account knows. */
export const DEMO_UNKNOWN_UID = '0A0B0C0D';

const WHO = 'sim';

interface DemoAccount {
  id: string;
  name: string;
  type: AccountType;
  uid: string;
  /** The balance in hundredths of the major unit, converted to the currency's minor units. */
  balanceHundredths: number;
  blocked: boolean;
  description: string;
}

const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { id: 'demo-prepaid', name: 'Demo prepaid', type: 'prepaid', uid: '04A1B2C3D4E5F6', balanceHundredths: 2000, blocked: false, description: 'prepaid, 20.00 of credit' },
  { id: 'demo-empty', name: 'Demo empty', type: 'prepaid', uid: '04D5E6F7A8B9C0', balanceHundredths: 0, blocked: false, description: 'prepaid, no credit' },
  { id: 'demo-fleet', name: 'Demo fleet', type: 'account', uid: '1C78F2BF', balanceHundredths: 0, blocked: false, description: 'on account, no cap' },
  { id: 'demo-blocked', name: 'Demo blocked', type: 'prepaid', uid: '13005D1DA5', balanceHundredths: 500, blocked: true, description: 'prepaid, 5.00 of credit, blocked' },
];

/**
 * Creates the demo accounts that do not exist yet, all in one transaction, and returns
 * the demo cards (the unknown one last). `currency` is the station's; a balance given in
 * hundredths is converted to its minor units (JPY: 20.00 is 20).
 */
export function ensureDemoAccounts(book: AccountBook, at: number, currency: string): DemoCard[] {
  const minor = (hundredths: number) => Math.round((hundredths * 10 ** currencyExponent(currency)) / 100);
  book.atomically(() => {
    for (const demo of DEMO_ACCOUNTS) {
      if (book.account(demo.id)) continue; // made on an earlier start: never topped up again
      book.addAccount({ id: demo.id, name: demo.name, type: demo.type, currency }, WHO, at);
      // A demo UID an operator gave to an account of their own stays theirs.
      if (!book.accountOfTag(demo.uid)) book.addCard(demo.id, { uid: demo.uid, suffix: false }, WHO, at);
      if (demo.balanceHundredths > 0) book.topUp(demo.id, minor(demo.balanceHundredths), 'demo credit', WHO, at, { ref: `${demo.id}:demo-topup` });
      if (demo.blocked) book.setBlocked(demo.id, true, WHO, at);
    }
  });
  return [
    ...DEMO_ACCOUNTS.map((demo) => ({ uid: demo.uid, accountId: demo.id, description: demo.description })),
    { uid: DEMO_UNKNOWN_UID, accountId: null, description: 'no account knows it' },
  ];
}
