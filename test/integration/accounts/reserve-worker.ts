// One of several processes racing for one prepaid account (reserve-race.test.ts): once
// told to go (a line on stdin), it reserves AMOUNT under refs of its own until the book
// refuses for lack of credit, then prints how many it got.
import { AccountBook, AccountError } from '../../../electron/accounts/account-book.js';
import { KioskStore } from '../../../electron/store/kiosk-store.js';

const [file, accountId, name, amountText] = process.argv.slice(2);
const amount = Number(amountText);
const store = KioskStore.open(file!);
const book = new AccountBook(store);
process.stdout.write('ready\n');
process.stdin.once('data', () => {
  let reserved = 0;
  for (;;) {
    try {
      book.reserve({ ref: `${name}:${reserved}:authorize:1`, accountId: accountId!, sessionId: `${name}:${reserved}`, method: 'prepaid', amountMinor: amount, at: Date.now() });
      reserved++;
    } catch (error) {
      if (error instanceof AccountError && error.code === 'noCredit') break;
      throw error;
    }
  }
  store.close();
  process.stdout.write(`${reserved}\n`);
  process.exit(0);
});
