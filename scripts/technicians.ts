// The operator's tool for the technicians of the maintenance menu (electron/maintenance/technicians.ts):
//
//   npm run technicians -- add NAME        a technician, with a PIN asked for twice
//   npm run technicians -- passwd NAME     a new PIN for them
//   npm run technicians -- remove NAME
//   npm run technicians -- list [--json]
//
// The PIN is typed at the terminal without echo, or, from a script, given as the first
// line of standard input (`echo 482915 | npm run technicians -- add Alice`): never as an
// argument, which other users of the machine see in the process list. It writes the
// kiosk's own database (<data>/kiosk.sqlite, --config and --data as the kiosk reads
// them), also while the kiosk runs. Exit codes: 0 done; 2 an error, said in one line on
// stderr; 1 something unexpected; 130 cancelled at the PIN prompt.
import { zoneOf, type LocalTime } from '../electron/billing/local-time.js';
import { checkName, checkPin, TechnicianBook, TechnicianError, type TechnicianInfo } from '../electron/maintenance/technicians.js';
import { Failure, kioskConfigOf, kioskDataDirOf, openKioskStore, printable, runTool, toolArguments, toolUser } from './cli.js';

const USAGE = `usage: technicians COMMAND … [--config FILE] [--data DIR] [--by NAME]
commands:
  add NAME       add a technician; asks for their PIN twice
  passwd NAME    give a technician a new PIN
  remove NAME    remove a technician: their PIN no longer opens the menu
  list [--json]  every technician: name, when added, when their PIN was last set
The PIN is 6 to 12 digits, not easy to guess (111111, 123456, 121212 are refused), and
no other technician's: the PIN alone says who logs in. At a terminal it is typed without
echo; otherwise it is the first line of standard input (echo 482915 | technicians add Alice).
options:
  --config FILE   the kiosk configuration (KIOSK_CONFIG; default ./kiosk.yaml): the station's
                  time zone, for the times of list
  --data DIR      the kiosk's data folder (KIOSK_DATA_DIR; default ./data), with kiosk.sqlite
  --by NAME       who acts, recorded in the audit log (default cli:<user name>)
It works while the kiosk runs.
exit codes: 0 done, 2 an error (one line on stderr), 1 unexpected, 130 cancelled`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string' },
  data: { type: 'string' },
  by: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const COMMANDS: Record<string, { args: number; json: boolean }> = {
  add: { args: 1, json: false },
  passwd: { args: 1, json: false },
  remove: { args: 1, json: false },
  list: { args: 0, json: true },
};

/** Ctrl-C (or Ctrl-D) at the PIN prompt: nothing was changed. */
class Cancelled extends Error {}

async function main(args: string[]): Promise<number> {
  const parsed = toolArguments('technicians', args, OPTIONS, USAGE);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (command === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const spec = COMMANDS[command];
  if (!spec) throw new Failure(`unknown command ${JSON.stringify(command)}: ${Object.keys(COMMANDS).join(', ')} (technicians --help)`);
  if (rest.length < spec.args) throw new Failure(`${command} needs NAME (technicians --help)`);
  if (rest.length > spec.args) throw new Failure(`unexpected argument ${JSON.stringify(rest[spec.args])}${spec.args > 0 ? ' (a name with spaces is quoted: "Ann Example")' : ''}`);
  if (values.json && !spec.json) throw new Failure(`${command} takes no --json (technicians --help)`);
  const who = values.by ?? toolUser();
  if (who.trim() === '') throw new Failure('--by needs a name');

  const zone = zoneOf(kioskConfigOf(values.config).station.timeZone);
  const store = openKioskStore(kioskDataDirOf(values.data), 'write');
  try {
    const book = new TechnicianBook(store);
    const name = rest[0] ?? '';
    switch (command) {
      case 'add':
        return await add(book, name, who);
      case 'passwd':
        return await passwd(book, name, who);
      case 'remove': {
        const known = named(book, name);
        book.remove(known.name, Date.now(), who);
        say(`${printable(known.name)} removed`);
        return 0;
      }
      default:
        return list(book.list(), zone, values.json === true);
    }
  } catch (error) {
    if (error instanceof Cancelled) {
      process.stderr.write('technicians: cancelled, nothing changed\n');
      return 130;
    }
    throw error;
  } finally {
    store.close();
  }
}

async function add(book: TechnicianBook, name: string, who: string): Promise<number> {
  const clean = checkName(name);
  // Said before the PIN is asked for, not after it was typed twice.
  const existing = book.list().find((t) => sameName(t.name, clean));
  if (existing) throw new TechnicianError('exists', `a technician named ${existing.name} exists`);
  await book.add(clean, await newPin(), Date.now(), who);
  say(`${printable(clean)} added${book.count() === 1 ? ': the maintenance menu opens with their PIN' : ''}`);
  return 0;
}

async function passwd(book: TechnicianBook, name: string, who: string): Promise<number> {
  const known = named(book, name); // before the PIN is asked for
  await book.passwd(known.name, await newPin(), Date.now(), who);
  say(`PIN of ${printable(known.name)} changed`);
  return 0;
}

/** The technician of that name, as the book finds them: "alice" is Alice. */
function named(book: TechnicianBook, name: string): TechnicianInfo {
  const wanted = name.trim().normalize('NFC');
  const all = book.list();
  const known = all.find((t) => t.name === wanted) ?? all.find((t) => sameName(t.name, wanted));
  if (!known) throw new TechnicianError('unknown', `no technician named ${wanted}`);
  return known;
}

const sameName = (a: string, b: string) => a.toLocaleLowerCase('und') === b.toLocaleLowerCase('und');

function list(technicians: TechnicianInfo[], zone: LocalTime, json: boolean): number {
  const rows = technicians.map((t) => ({ name: t.name, added: localIso(t.createdAt, zone), pinChanged: localIso(t.updatedAt, zone) }));
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    say('no technicians (technicians add NAME adds one)');
    return 0;
  }
  const table = [['name', 'added', 'PIN changed'], ...rows.map((r) => [printable(r.name), r.added, r.pinChanged])];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  say(table.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n'));
  return 0;
}

/** ISO 8601 in the station's time zone, with its offset: "2025-03-01T14:05:09+01:00". */
function localIso(at: number, zone: LocalTime): string {
  const offset = zone.offsetMs(at);
  const minutes = Math.abs(offset) / 60_000;
  const sign = offset < 0 ? '-' : '+';
  const hhmm = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  return `${new Date(at + offset).toISOString().slice(0, 19)}${sign}${hhmm}`;
}

// ── the PIN ─────────────────────────────────────────────────────────────────

/** A new PIN: at a terminal typed twice without echo; else the first line of standard input. */
async function newPin(): Promise<string> {
  if (!process.stdin.isTTY) {
    const pin = await firstLine();
    if (pin === null || pin === '') throw new Failure('no PIN on standard input (the first line is the PIN: echo 482915 | technicians add NAME)');
    checkPin(pin);
    return pin;
  }
  const pin = await hidden('PIN: ');
  checkPin(pin); // said now, not after it was typed again
  if ((await hidden('PIN again: ')) !== pin) throw new Failure('the two PINs differ: nothing changed');
  return pin;
}

/** The first line of standard input (without its line end), read once; null when it is empty. */
function firstLine(): Promise<string | null> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    let text = '';
    const done = () => {
      input.off('data', onData).off('end', done).off('error', reject);
      input.pause();
      input.unref?.();
      resolve(text === '' ? null : text.split('\n')[0]!.replace(/\r$/, ''));
    };
    const onData = (chunk: string) => {
      text += chunk;
      if (text.includes('\n') || text.length > 1000) done();
    };
    input.setEncoding('utf8');
    input.on('data', onData).once('end', done).once('error', reject);
  });
}

/** A line typed at the terminal with nothing shown for it; Backspace takes back a key, Ctrl-C cancels. */
function hidden(prompt: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (end: () => void) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      end();
    };
    const onData = (chunk: string) => {
      for (const key of chunk) {
        if (key === '\r' || key === '\n') return finish(() => resolve(typed));
        if (key === '\u0003' || (key === '\u0004' && typed === '')) return finish(() => reject(new Cancelled()));
        if (key === '\u007f' || key === '\b') typed = typed.slice(0, -1);
        else if (key === '\u0015') typed = ''; // Ctrl-U: the whole line
        else if (key >= ' ') typed += key;
      }
    };
    input.setEncoding('utf8');
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}

// ── the rest ────────────────────────────────────────────────────────────────



function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

await runTool('technicians', () => main(process.argv.slice(2)), {
  // The book's refusals say what is wrong in its own words.
  isRefusal: (error) => error instanceof TechnicianError,
});
