// The operator's accounts tool, run as the operator runs it (a child process) on a
// temporary data folder: its exact output, --help, and every error as one line with exit 2.
// Times are the tool's own clock: each is checked as ISO-8601 UTC, then written as TIME.
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stores } from './helpers.js';
import { runToolScript, type ToolRun } from '../tool-process.js';

const opened = stores();
afterEach(() => opened.cleanup());

const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;

type Run = ToolRun;

const tool = (args: string[], env: Record<string, string> = {}): Run => runToolScript('accounts.ts', args, { env });

/** The tool on a fresh data folder, with the default (embedded) configuration unless told. */
function folder() {
  const data = opened.dir();
  const run = (...args: string[]) => tool([...args, '--data', data, '--by', 'cli:ops']);
  const ok = (...args: string[]) => {
    const result = run(...args);
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });
    return result.stdout;
  };
  return { data, run, ok };
}

function timesOf(text: string, from: number): string {
  for (const time of text.match(ISO) ?? []) {
    expect(Date.parse(time)).toBeGreaterThanOrEqual(from - 1000);
    expect(Date.parse(time)).toBeLessThanOrEqual(Date.now() + 1000);
  }
  return text.replace(ISO, 'TIME');
}

function expectError(result: Run, message: RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^accounts: [^\n]+\n$/); // one line, no stack trace
  expect(result.stderr).toMatch(message);
}

describe('npm run accounts', () => {
  it('adds an account (printing only its id), gives it cards, tops it up, shows it and its ledger', () => {
    const from = Date.now();
    const { ok } = folder();
    const id = ok('add', 'Ann Example', '--type', 'prepaid');
    expect(id).toMatch(/^A[0-9A-HJKMNP-TV-Z]{6}\n$/);
    const ann = id.trim();
    expect(ok('card', ann, '04:a1:b2:c3:d4:e5:f6')).toBe(`card 04A1B2C3D4E5F6 added to ${ann} (Ann Example)\n`);
    expect(ok('card', ann, '0006102437', '--form', 'em4100')).toBe(`card 005D1DA5 (an EM4100 print: any tag ending in it) added to ${ann} (Ann Example)\n`);
    expect(ok('card', ann, '04A1B2C3D4E5F6')).toBe('already has card 04A1B2C3D4E5F6\n');
    expect(ok('topup', ann, '20.00', '--reason', 'cash at the desk')).toBe(`topup +20.00 EUR on ${ann} (Ann Example): balance 20.00 EUR\n`);
    expect(ok('correct', ann, '-2.5', '--reason', 'typo, "twice"')).toBe(`correction -2.50 EUR on ${ann} (Ann Example): balance 17.50 EUR\n`);
    expect(timesOf(ok('show', ann), from)).toBe(
      [
        `account  ${ann}`,
        'name     Ann Example',
        'type     prepaid',
        'cap      none',
        'blocked  no',
        'balance  17.50 EUR',
        'cards    04A1B2C3D4E5F6',
        '         005D1DA5 (an EM4100 print: any tag ending in it)',
        'entries  2',
        '  time  entry       amount  balance  session  who      reason',
        '  TIME  topup        20.00    20.00           cli:ops  cash at the desk',
        '  TIME  correction   -2.50    17.50           cli:ops  typo, "twice"',
        '',
      ]
        .join('\n')
        // The table's first column is as wide as a time, not as the placeholder.
        .replace('  time  ', `  time${' '.repeat(22)}`),
    );
    expect(timesOf(ok('ledger', '--csv'), from)).toBe(
      [
        'time,account,entry,amount,balance,session,who,reason',
        `TIME,${ann},topup,20.00,20.00,,cli:ops,cash at the desk`,
        `TIME,${ann},correction,-2.50,17.50,,cli:ops,"typo, ""twice"""`,
        '',
      ].join('\n'),
    );
    expect(timesOf(ok('ledger', ann), from).split('\n')[0]).toMatch(/^time +entry +amount +balance +session +who +reason$/);
  });

  it('an on-account account with a cap; block and unblock; the list; a ledger of several accounts', () => {
    const from = Date.now();
    const { ok } = folder();
    const fleet = ok('add', 'Fleet', '--type', 'account', '--cap', '50').trim();
    const ann = ok('add', 'Ann', '--type', 'prepaid').trim();
    ok('topup', ann, '5', '--reason', 'cash');
    expect(ok('block', fleet)).toBe(`${fleet} (Fleet) blocked: its cards are declined\n`);
    const shown = ok('show', fleet);
    expect(shown).toContain('type     on account\ncap      50.00 EUR\nblocked  yes\nbalance  0.00 EUR\ncards    none\nentries  none\n');
    expect(ok('unblock', fleet)).toBe(`${fleet} (Fleet) unblocked: its cards are accepted\n`);
    expect(ok('list').split('\n').slice(1, 3)).toEqual([expect.stringMatching(new RegExp(`^${fleet} +Fleet +account +0\\.00 EUR +0$`)), expect.stringMatching(new RegExp(`^${ann} +Ann +prepaid +5\\.00 EUR +0$`))]);
    expect(timesOf(ok('ledger', '--csv'), from)).toBe(`time,account,entry,amount,balance,session,who,reason\nTIME,${ann},topup,5.00,5.00,,cli:ops,cash\n`);
  });

  it('writes while the kiosk has the file open: the kiosk reads the top-up at its next read', () => {
    const { data, ok } = folder();
    const ann = ok('add', 'Ann', '--type', 'prepaid').trim();
    ok('card', ann, '1C78F2BF');
    const kiosk = opened.open(join(data, 'kiosk.sqlite'));
    expect(kiosk.book.balance(ann)).toBe(0);
    ok('topup', ann, '12.34', '--reason', 'cash');
    expect(kiosk.book.accountOfTag('1C78F2BF')?.account.id).toBe(ann);
    expect(kiosk.book.balance(ann)).toBe(1234);
    expect(kiosk.store.auditLog().at(-1)).toMatchObject({ actor: 'cli:ops', action: 'account.topup', data: { accountId: ann, amountMinor: 1234 } });
  });

  it('reads --data and --config from KIOSK_DATA_DIR and KIOSK_CONFIG, and the currency from the tariff', () => {
    const data = opened.dir();
    const config = join(opened.dir(), 'kiosk.yaml');
    writeFileSync(config, 'tariff:\n  id: yen\n  currency: JPY\n  elements:\n    - price_components:\n        - { type: ENERGY, price: "40", vat: "10", step_size: 1 }\n');
    const env = { KIOSK_DATA_DIR: data, KIOSK_CONFIG: config };
    const add = tool(['add', 'Taro', '--type', 'prepaid'], env);
    expect(add.code).toBe(0);
    const id = add.stdout.trim();
    expectError(tool(['topup', id, '20.5', '--reason', 'x'], env), /AMOUNT: JPY has 0 decimals, got "20\.5"/);
    expect(tool(['topup', id, '2000', '--reason', 'x'], env).stdout).toBe(`topup +2000 JPY on ${id} (Taro): balance 2000 JPY\n`);
    expect(tool(['show', id], env).stdout).toContain('balance  2000 JPY');
  });

  it('--help lists every subcommand', () => {
    const help = tool(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['add', 'card', 'uncard', 'topup', 'refund', 'writeoff', 'correct', 'block', 'unblock', 'show', 'list', 'ledger']) {
      expect(help.stdout).toMatch(new RegExp(`^  (${command}|.*, ${command}) `, 'm'));
    }
    expect(help.stdout).toContain('--csv');
    expect(help.stdout).toContain('--by NAME');
  });

  it('says errors of commands and amounts in one line on stderr, with exit code 2', () => {
    const { run, ok } = folder();
    const ann = ok('add', 'Ann', '--type', 'prepaid').trim();
    ok('topup', ann, '1.00', '--reason', 'cash');
    expectError(run('frobnicate'), /unknown command "frobnicate": add, card/);
    expectError(run('show', 'A000000'), /no account "A000000"/);
    expectError(run('topup', ann, '20.001', '--reason', 'x'), /AMOUNT: EUR has 2 decimals, got "20\.001"/);
    expectError(run('topup', ann, '1,50', '--reason', 'x'), /expected an amount such as 20\.00, got "1,50"/);
    expectError(run('topup', ann, '-5', '--reason', 'x'), /expected an amount such as 20\.00, got "-5"/);
    expectError(run('topup', ann, '0', '--reason', 'x'), /must be more than 0/);
    expectError(run('topup', ann, '5'), /topup needs --reason TEXT/);
    expectError(run('correct', ann, '-1.01', '--reason', 'x'), /holds 1\.00 EUR: a correction of -1\.01 EUR would take it below zero/);
    expectError(run('writeoff', ann, '2', '--reason', 'x'), /a write-off of more than 1\.00 EUR would cross zero/);
  });

  it('says errors of cards, options and arguments in one line, with exit code 2', () => {
    const { run, ok } = folder();
    const ann = ok('add', 'Ann', '--type', 'prepaid').trim();
    expectError(run('card', ann, '0006102437'), /UID "0006102437" is ambiguous .*--form hex, decimal, reversedDecimal or em4100/);
    expectError(run('card', ann, 'XYZ'), /not a card UID in hex/);
    expectError(run('card', ann, '1C78F2BF', '--form', 'octal'), /--form: one of hex, reversedHex/);
    expectError(run('add', 'Bob'), /add needs --type prepaid or --type account/);
    expectError(run('add', 'Bob', '--type', 'prepaid', '--cap', '5'), /--cap is for an on-account account/);
    expectError(run('block', ann, '--csv'), /block takes no --csv/);
    expectError(run('show'), /show needs ACCOUNT/);
    expectError(run('show', ann, 'extra'), /unexpected argument "extra"/);
    expectError(run('show', ann, '--colour'), /unknown option --colour/);
  });

  it('says what is wrong with the configuration or the data folder in one line, with exit code 2', () => {
    const { run } = folder();
    const garbage = join(opened.dir(), 'kiosk.yaml');
    writeFileSync(garbage, '{{{: [\n  - :\n\u0000');
    expectError(run('list', '--config', garbage), /configuration file .*kiosk\.yaml cannot be read/);
    writeFileSync(garbage, 'tariff: 12\nnonsense: true\n');
    expectError(run('list', '--config', garbage), /kiosk\.yaml is invalid: /);
    expectError(run('list', '--config', join(opened.dir(), 'missing.yaml')), /does not exist/);
    expectError(tool(['list', '--data', join(opened.dir(), 'nowhere')]), /the data folder .*nowhere does not exist/);
  });
});
