// The operator's tool for station RFID accounts (electron/accounts/account-book.ts):
//
//   npm run accounts -- add NAME --type prepaid|account [--cap AMOUNT]
//   npm run accounts -- card ACCOUNT UID [--form hex|reversedHex|decimal|reversedDecimal|em4100]
//   npm run accounts -- topup ACCOUNT AMOUNT --reason TEXT
//   npm run accounts -- show ACCOUNT
//   npm run accounts -- ledger [ACCOUNT] [--csv]
//   … and uncard, refund, writeoff, correct, block, unblock, list (--help)
//
// It writes the kiosk's own database (<data>/kiosk.sqlite, --config and --data as the
// kiosk reads them) while the kiosk runs: SQLite's WAL lets both in, each change is one
// transaction, and the kiosk reads the accounts at every tap. Amounts are typed in major
// units ("20.00") and parsed exactly, never through a float. Exit codes: 0 done; 2 an
// error, said in one line on stderr.
import { parseArgs } from 'node:util';
import { UID_FORMS, UidFormatError, parseUid, type CardId, type UidForm } from '../devices/rfid/uid.js';
import { ACCOUNT_TYPES, AccountBook, AccountError, MAX_AMOUNT_MINOR, type Account, type AccountType, type LedgerEntry } from '../electron/accounts/account-book.js';
import { currencyExponent, minorToMajorString } from '../electron/billing/decimal.js';
import { argumentFailure, Failure, fromOperatorsDirectory, kioskConfigOf, kioskDataDirOf, openKioskStore, printable, runTool, toolUser } from './cli.js';

const USAGE = `usage: accounts COMMAND … [--config FILE] [--data DIR] [--by NAME]
commands:
  add NAME --type prepaid|account [--cap AMOUNT]
      create an account (on account: --cap, the most one session may cost); prints its id only
  card ACCOUNT UID [--form ${UID_FORMS.join('|')}]
      give the account a card: its UID in hex (default), or as the card or reader prints it
  uncard ACCOUNT UID [--form …]
      take a card from the account
  topup ACCOUNT AMOUNT --reason TEXT       money paid in (prepaid credit, or an on-account bill paid)
  refund ACCOUNT AMOUNT --reason TEXT [--session ID]
                                           a charge given back
  writeoff ACCOUNT AMOUNT --reason TEXT    move the balance toward zero (credit taken away, a debt forgiven)
  correct ACCOUNT SIGNED-AMOUNT --reason TEXT
                                           correct a mistake, e.g. -2.50 or +2.50
  block ACCOUNT, unblock ACCOUNT           its cards are declined / accepted again
  show ACCOUNT                             name, type, cap, blocked, balance, cards, the last 10 entries
  list                                     every account with its balance
  ledger [ACCOUNT] [--csv]                 the ledger entries, oldest first (--csv: time, account,
                                           entry, amount, balance, session, who, reason)
options:
  --config FILE   the kiosk configuration (KIOSK_CONFIG; default ./kiosk.yaml): its tariff's
                  currency is the currency of new accounts
  --data DIR      the kiosk's data folder (KIOSK_DATA_DIR; default ./data), with kiosk.sqlite
  --by NAME       who acts, recorded with every entry and audit line (default cli:<user name>)
AMOUNT is in major units of the account's currency, e.g. 20.00. It works while the kiosk runs.
exit codes: 0 done, 2 an error (one line on stderr)`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string' },
  data: { type: 'string' },
  by: { type: 'string' },
  type: { type: 'string' },
  cap: { type: 'string' },
  form: { type: 'string' },
  reason: { type: 'string' },
  session: { type: 'string' },
  csv: { type: 'boolean' },
} as const;
type OptionName = keyof typeof OPTIONS;
type Values = Partial<Record<OptionName, string | boolean>>;

const COMMON: readonly OptionName[] = ['config', 'data', 'by', 'help'];

/** Each command: its positional arguments (a trailing '?' marks one as optional) and its own options. */
const COMMANDS: Record<string, { args: string[]; options: OptionName[] }> = {
  add: { args: ['NAME'], options: ['type', 'cap'] },
  card: { args: ['ACCOUNT', 'UID'], options: ['form'] },
  uncard: { args: ['ACCOUNT', 'UID'], options: ['form'] },
  topup: { args: ['ACCOUNT', 'AMOUNT'], options: ['reason'] },
  refund: { args: ['ACCOUNT', 'AMOUNT'], options: ['reason', 'session'] },
  writeoff: { args: ['ACCOUNT', 'AMOUNT'], options: ['reason'] },
  correct: { args: ['ACCOUNT', 'SIGNED-AMOUNT'], options: ['reason'] },
  block: { args: ['ACCOUNT'], options: [] },
  unblock: { args: ['ACCOUNT'], options: [] },
  show: { args: ['ACCOUNT'], options: [] },
  list: { args: [], options: [] },
  ledger: { args: ['ACCOUNT?'], options: ['csv'] },
};

/** The minus of a negative amount, kept from parseArgs, which reads "-5.00" as an option. */
const MINUS = '\u2212';
const STRING_OPTIONS = new Set(Object.entries(OPTIONS).filter(([, o]) => o.type === 'string').map(([name]) => `--${name}`));

function parseOptions(args: string[]) {
  const marked = args.map((arg, i) => (/^-\d+(\.\d+)?$/.test(arg) && !STRING_OPTIONS.has(args[i - 1] ?? '') ? MINUS + arg.slice(1) : arg));
  try {
    return parseArgs({ args: marked, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw argumentFailure('accounts', error);
  }
}

function main(args: string[]): number {
  fromOperatorsDirectory('accounts');
  const { values, positionals } = parseOptions(args);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (command === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const spec = COMMANDS[command];
  if (!spec) throw new Failure(`unknown command ${JSON.stringify(command)}: ${Object.keys(COMMANDS).join(', ')} (accounts --help)`);
  const required = spec.args.filter((a) => !a.endsWith('?'));
  if (rest.length < required.length) throw new Failure(`${command} needs ${spec.args.map((a) => (a.endsWith('?') ? `[${a.slice(0, -1)}]` : a)).join(' ')} (accounts --help)`);
  if (rest.length > spec.args.length) throw new Failure(`unexpected argument ${JSON.stringify(rest[spec.args.length])}`);
  const misplaced = (Object.keys(values) as OptionName[]).find((name) => !COMMON.includes(name) && !spec.options.includes(name));
  if (misplaced) throw new Failure(`${command} takes no --${misplaced} (accounts --help)`);

  const config = kioskConfigOf(values.config);
  const store = openKioskStore(kioskDataDirOf(values.data), 'write');
  try {
    const tool = new Tool(new AccountBook(store), config.tariff.currency, values.by ?? toolUser(), values);
    tool.run(command, rest);
  } finally {
    store.close();
  }
  return 0;
}



class Tool {
  private readonly now = Date.now();

  constructor(
    private readonly book: AccountBook,
    private readonly currency: string,
    private readonly who: string,
    private readonly values: Values,
  ) {
    if (who.trim() === '') throw new Failure('--by needs a name');
  }

  run(command: string, args: string[]): void {
    const [first = '', second = ''] = args;
    switch (command) {
      case 'add':
        return this.add(first);
      case 'card':
        return this.card(first, second);
      case 'uncard': {
        const account = this.account(first);
        const card = this.cardId(second);
        this.book.removeCard(account.id, card.uid, this.who, this.now);
        return say(`card ${card.uid} taken from ${label(account)}`);
      }
      case 'topup':
      case 'refund':
      case 'writeoff':
      case 'correct':
        return this.money(command, first, second);
      case 'block':
      case 'unblock': {
        const account = this.book.setBlocked(this.account(first).id, command === 'block', this.who, this.now);
        return say(`${label(account)} ${account.blocked ? 'blocked: its cards are declined' : 'unblocked: its cards are accepted'}`);
      }
      case 'show':
        return this.show(this.account(first));
      case 'list':
        return this.list();
      case 'ledger':
        return this.ledger(args.length > 0 ? this.account(first) : null);
    }
  }

  private add(name: string): void {
    const type = this.values.type;
    if (type === undefined) throw new Failure('add needs --type prepaid or --type account');
    if (!ACCOUNT_TYPES.includes(type as AccountType)) throw new Failure(`--type: prepaid or account, not ${JSON.stringify(type)}`);
    const cap = this.values.cap;
    if (cap !== undefined && type !== 'account') throw new Failure('--cap is for an on-account account (--type account): a prepaid one is limited by its balance');
    const capMinor = typeof cap === 'string' ? parseAmount(cap, this.currency, '--cap') : null;
    const account = this.book.addAccount({ name, type: type as AccountType, capMinor, currency: this.currency }, this.who, this.now);
    say(account.id); // only the id, so that a script can capture it
  }

  private card(accountId: string, text: string): void {
    const account = this.account(accountId);
    const card = this.cardId(text);
    const added = this.book.addCard(account.id, card, this.who, this.now);
    say(`${added ? 'card' : 'already has card'} ${describeCard(card)}${added ? ` added to ${label(account)}` : ''}`);
  }

  private cardId(text: string): CardId {
    const form = this.values.form;
    if (typeof form === 'string' && !UID_FORMS.includes(form as UidForm)) throw new Failure(`--form: one of ${UID_FORMS.join(', ')}, not ${JSON.stringify(form)}`);
    // Ten digits are hex of a 5-byte tag and a decimal print alike: never guessed.
    if (form === undefined && /^\d{10}$/.test(text.trim())) {
      throw new Failure(`UID ${JSON.stringify(text)} is ambiguous (5 bytes of hex, or a decimal print): say which with --form hex, decimal, reversedDecimal or em4100`);
    }
    try {
      return parseUid(text, (form as UidForm | undefined) ?? 'hex');
    } catch (error) {
      if (error instanceof UidFormatError) throw new Failure(error.message);
      throw error;
    }
  }

  private money(command: 'topup' | 'refund' | 'writeoff' | 'correct', accountId: string, amountText: string): void {
    const account = this.account(accountId);
    const reason = this.values.reason;
    if (typeof reason !== 'string' || reason.trim() === '') throw new Failure(`${command} needs --reason TEXT: every money entry says why`);
    const minor = parseAmount(amountText, account.currency, 'AMOUNT', command === 'correct');
    const balance = this.book.balance(account.id);
    let entry: LedgerEntry;
    try {
      if (command === 'topup') entry = this.book.topUp(account.id, minor, reason, this.who, this.now);
      else if (command === 'refund') entry = this.book.refund(account.id, minor, reason, this.who, this.now, typeof this.values.session === 'string' ? { sessionId: this.values.session } : {});
      else if (command === 'writeoff') entry = this.book.writeOff(account.id, minor, reason, this.who, this.now);
      else entry = this.book.correct(account.id, minor, reason, this.who, this.now);
    } catch (error) {
      // The book counts in minor units; the operator typed major ones.
      const what = { topup: 'a top-up', refund: 'a refund', writeoff: 'a write-off', correct: 'a correction' }[command];
      if (error instanceof AccountError && error.code === 'noCredit') throw new Failure(`${label(account)} holds ${money(balance, account.currency)}: ${what} of ${signed(minor, account.currency)} would take it below zero`);
      if (error instanceof AccountError && command === 'writeoff' && balance !== 0 && minor > Math.abs(balance)) {
        throw new Failure(`${label(account)} has a balance of ${money(balance, account.currency)}: a write-off of more than ${money(Math.abs(balance), account.currency)} would cross zero`);
      }
      throw error;
    }
    say(`${entry.kind} ${signed(entry.amountMinor, account.currency)} on ${label(account)}: balance ${money(entry.balanceMinor, account.currency)}`);
  }

  private show(account: Account): void {
    const c = account.currency;
    const balance = this.book.balance(account.id);
    const cards = this.book.cards(account.id);
    const all = this.book.entries({ accountId: account.id });
    const last = all.slice(-10);
    const owed = account.type === 'account' ? (balance < 0 ? ' (owed, billed later)' : '') : '';
    const lines = [
      `account  ${account.id}`,
      `name     ${printable(account.name)}`,
      `type     ${account.type === 'prepaid' ? 'prepaid' : 'on account'}`,
      `cap      ${account.capMinor === null ? 'none' : money(account.capMinor, c)}`,
      `blocked  ${account.blocked ? 'yes' : 'no'}`,
      `balance  ${money(balance, c)}${owed}`,
      ...(cards.length === 0 ? ['cards    none'] : cards.map((card, i) => `${i === 0 ? 'cards    ' : '         '}${describeCard(card)}`)),
      all.length === 0 ? 'entries  none' : `entries  ${all.length > last.length ? `the last ${last.length} of ${all.length}` : all.length}`,
    ];
    if (last.length > 0) lines.push(...table(last, () => c, false).map((line) => `  ${line}`));
    say(lines.join('\n'));
  }

  private list(): void {
    const accounts = this.book.accounts();
    if (accounts.length === 0) return say('no accounts');
    const rows = [['id', 'name', 'type', 'blocked', 'balance', 'cards']];
    for (const a of accounts) {
      rows.push([a.id, printable(a.name), a.type, a.blocked ? 'blocked' : '', money(this.book.balance(a.id), a.currency), String(this.book.cards(a.id).length)]);
    }
    say(align(rows, new Set([4, 5])).join('\n'));
  }

  private ledger(account: Account | null): void {
    const entries = this.book.entries(account ? { accountId: account.id } : {});
    const currencies = new Map(this.book.accounts().map((a) => [a.id, a.currency]));
    const currencyOf = (id: string) => currencies.get(id) ?? this.currency;
    if (this.values.csv) {
      const rows = entries.map((e) => [iso(e.at), e.accountId, e.kind, minorToMajorString(e.amountMinor, currencyOf(e.accountId)), minorToMajorString(e.balanceMinor, currencyOf(e.accountId)), e.sessionId ?? '', e.who, e.reason ?? '']);
      process.stdout.write([CSV_COLUMNS, ...rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n');
      return;
    }
    if (entries.length === 0) return say('no entries');
    say(table(entries, currencyOf, account === null).join('\n'));
  }

  private account(id: string): Account {
    const account = this.book.account(id);
    if (!account) throw new Failure(`no account ${JSON.stringify(id)} (accounts list shows them)`);
    return account;
  }
}

// ── amounts ─────────────────────────────────────────────────────────────────

/** An amount in major units, exactly: "20", "20.5", "20.00"; `signed` allows "-2.50" and "+2.50". Never 0. */
function parseAmount(text: string, currency: string, what: string, signed = false): number {
  const match = /^([+\u2212-]?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  const shown = JSON.stringify(text.replace(MINUS, '-'));
  if (!match || (match[1] !== '' && !signed)) throw new Failure(`${what}: expected an amount such as 20.00${signed ? ' or -2.50' : ''}, got ${shown}`);
  const [, sign = '', whole = '0', fraction = ''] = match;
  const exponent = currencyExponent(currency);
  if (fraction.length > exponent) throw new Failure(`${what}: ${currency} has ${exponent} decimal${exponent === 1 ? '' : 's'}, got ${shown}`);
  const minor = BigInt(whole) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, '0') || '0');
  if (minor === 0n) throw new Failure(`${what}: must be more than 0, got ${shown}`);
  if (minor > BigInt(MAX_AMOUNT_MINOR)) throw new Failure(`${what}: at most ${minorToMajorString(MAX_AMOUNT_MINOR, currency)}, got ${shown}`);
  return Number(minor) * (sign === '-' || sign === MINUS ? -1 : 1);
}

const money = (minor: number, currency: string) => `${minorToMajorString(minor, currency)} ${currency}`;
const signed = (minor: number, currency: string) => `${minor > 0 ? '+' : ''}${money(minor, currency)}`;

// ── output ──────────────────────────────────────────────────────────────────

const CSV_COLUMNS = ['time', 'account', 'entry', 'amount', 'balance', 'session', 'who', 'reason'];

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

const iso = (at: number) => new Date(at).toISOString();

function table(entries: LedgerEntry[], currencyOf: (accountId: string) => string, withAccount: boolean): string[] {
  const head = ['time', ...(withAccount ? ['account'] : []), 'entry', 'amount', 'balance', 'session', 'who', 'reason'];
  const rows = entries.map((e) => [
    iso(e.at),
    ...(withAccount ? [e.accountId] : []),
    e.kind,
    minorToMajorString(e.amountMinor, currencyOf(e.accountId)),
    minorToMajorString(e.balanceMinor, currencyOf(e.accountId)),
    e.sessionId ?? '',
    printable(e.who),
    printable(e.reason ?? ''),
  ]);
  const amountColumn = withAccount ? 3 : 2;
  return align([head, ...rows], new Set([amountColumn, amountColumn + 1]));
}

/** Columns padded to one width; those in `right` right-aligned, so that digits line up. */
function align(rows: string[][], right: ReadonlySet<number>): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (right.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd());
}

function describeCard(card: CardId): string {
  return card.suffix ? `${card.uid} (an EM4100 print: any tag ending in it)` : card.uid;
}

const label = (account: Account) => `${account.id} (${printable(account.name)})`;

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

await runTool('accounts', () => main(process.argv.slice(2)), {
  // The book's refusals say what is wrong in its own words; every error is one line and exit 2.
  isRefusal: (error) => error instanceof AccountError,
  unexpectedExit: 2,
});
