// The operator's tool for the kiosk's receipts (electron/receipts/receipt-record.ts):
//
//   npm run receipts -- export --since YYYY-MM-DD [--until YYYY-MM-DD] --out FILE
//
// writes the receipts issued in those days (the station's time zone, --until included)
// as JSON for the e-receipt site: an array, by receipt number, of what each receipt
// says, with its token and its address (`receipts.urlTemplate`, null without one).
// It reads the kiosk's database (<data>/kiosk.sqlite, --config and --data as the kiosk
// reads them) read-only, so it runs beside the kiosk. The file is written whole or not
// at all (a temporary file renamed). Exit codes: 0 done; 2 an error, in one line on stderr.
import path from 'node:path';
import { DAY_MS, dayNumber, zoneOf } from '../electron/billing/local-time.js';
import { receiptUrl, type ExportedReceipt, type ReceiptContent } from '../electron/receipts/receipt-record.js';
import { type ReceiptRecord } from '../electron/store/kiosk-store.js';
import { Failure, kioskConfigOf, kioskDataDirOf, openKioskStore, printable, runTool, toolArguments, writeFileAtomically } from './cli.js';

const USAGE = `usage: receipts export --since YYYY-MM-DD [--until YYYY-MM-DD] --out FILE [--config FILE] [--data DIR]
  export    write the receipts issued from --since to --until (both days included; to today
            without --until), in the station's time zone, to FILE as JSON for the e-receipt site
options:
  --config FILE   the kiosk configuration (KIOSK_CONFIG; default ./kiosk.yaml): the station's
                  time zone and the e-receipt address (receipts.urlTemplate)
  --data DIR      the kiosk's data folder (KIOSK_DATA_DIR; default ./data), with kiosk.sqlite
It works while the kiosk runs (it only reads).
exit codes: 0 done, 2 an error (one line on stderr)`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string' },
  data: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  out: { type: 'string' },
} as const;

function main(args: string[]): number {
  const parsed = toolArguments('receipts', args, OPTIONS, USAGE);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (command === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (command !== 'export') throw new Failure(`unknown command ${JSON.stringify(command)}: export (receipts --help)`);
  if (rest.length > 0) throw new Failure(`unexpected argument ${JSON.stringify(rest[0])}`);
  if (values.since === undefined) throw new Failure('export needs --since YYYY-MM-DD (receipts --help)');
  if (values.out === undefined || values.out === '') throw new Failure('export needs --out FILE (receipts --help)');
  const since = day('--since', values.since);
  const until = values.until === undefined ? null : day('--until', values.until);
  if (until !== null && until < since) throw new Failure(`--until ${values.until} is before --since ${values.since}`);

  const config = kioskConfigOf(values.config);
  const zone = config.station.timeZone;
  const from = localMidnight(since, zone);
  const to = until === null ? Number.MAX_SAFE_INTEGER : localMidnight(until + 1, zone);

  const store = openKioskStore(kioskDataDirOf(values.data), 'read');
  let receipts: ExportedReceipt[];
  try {
    receipts = store.receiptsIssued(from, to).map((record) => exported(record, config.receipts.urlTemplate));
  } finally {
    store.close();
  }
  const out = path.resolve(values.out);
  writeFileAtomically(out, `${JSON.stringify(receipts, null, 2)}\n`);
  process.stdout.write(`${receipts.length} receipt${receipts.length === 1 ? '' : 's'} written to ${printable(out)}\n`);
  return 0;
}

/** A date as the operator types it, as days since 1970-01-01; a date the calendar lacks (2025-02-30) is refused. */
function day(option: string, text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const valid = match !== null && new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))).toISOString().startsWith(text);
  if (!valid) throw new Failure(`${option} ${JSON.stringify(printable(text))} is not a date YYYY-MM-DD`);
  return dayNumber(text);
}

/** The instant a local day begins in the zone (its midnight, or the first moment after a clock change skipped it). */
function localMidnight(dayNo: number, timeZone: string): number {
  const zone = zoneOf(timeZone);
  const wall = dayNo * DAY_MS;
  // The offset at the guess, then again at the instant it gives: right on either side of a change.
  const guess = wall - zone.offsetMs(wall);
  return wall - zone.offsetMs(guess);
}

function exported(record: ReceiptRecord, template: string | null): ExportedReceipt {
  const content = record.content as ReceiptContent;
  return {
    receiptNumber: record.number,
    token: record.token,
    url: template === null ? null : receiptUrl(template, record.number, record.token),
    issuedAt: new Date(record.issuedAt).toISOString(),
    ...content,
  };
}


/** Beside the target, then renamed over it: a reader of FILE sees the old export or the new one, never half. */

await runTool('receipts', () => main(process.argv.slice(2)), { unexpectedExit: 2 });
