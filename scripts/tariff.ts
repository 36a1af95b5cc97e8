// The operator's tariff tool (README, "The tariff tool"):
//
//   npm run tariff -- check FILE
//   npm run tariff -- quote FILE --energy-kwh X --charging-min M [--parking-min P] --start ISO-8601 [--max-power-kw K]
//   npm run tariff -- quote FILE --cdr CDR.json
//
// A quote comes from the kiosk's own engine (electron/billing/tariff-engine.ts), so it is
// what the kiosk would charge. Exit codes: 0 done; 2 a file or an argument is wrong, said
// in one line on stderr; 1 anything unexpected, also in one line.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { Cdr, usageOfCdr } from '../electron/billing/cdr.js';
import { currencyExponent, exact, formatMinor, minorToMajorString, toDecimalString } from '../electron/billing/decimal.js';
import { LocalTime, zoneOf } from '../electron/billing/local-time.js';
import { priceUsage, usageOfTotals, type PricedSession, type TariffUsage } from '../electron/billing/tariff-engine.js';
import { TariffConfig } from '../electron/billing/tariff-schema.js';
import { parseGuardedYaml } from '../electron/config/yaml.js';
import type { CostLine } from '../electron/contract/snapshot.js';
import { argumentFailure, Failure, oneLine, printable, runTool } from './cli.js';

const USAGE = `usage:
  tariff check FILE
      validate an OCPI 2.2.1 tariff (JSON or YAML) and explain each problem
  tariff quote FILE --energy-kwh X --charging-min M [--parking-min P] --start ISO-8601 [--max-power-kw K]
      price a session: X kWh delivered evenly over M minutes from the start, then P minutes parked
  tariff quote FILE --cdr CDR.json
      price the session of an OCPI 2.2.1 CDR
options of quote:
  --json              print one JSON object: OCPI's totals (as in a CDR) and the cost lines
  --time-zone IANA    local time of the tariff's restrictions (default: station.timeZone of
                      --config, else Europe/Berlin)
  --config FILE       the kiosk configuration whose station.timeZone applies
exit codes: 0 done, 2 a file or an argument is wrong, 1 an unexpected error`;

/** A file or an argument is wrong: exit 2, with this message as the one line on stderr. */

const DEFAULT_TIME_ZONE = 'Europe/Berlin';
/** Far more than any tariff or CDR; a bigger file is a mistake (a log, a disk image), not worth reading. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;
/** Bounds of the session arguments: within them every quantity stays an exact integer of mWh and ms. */
const MAX_ARGUMENT = 1_000_000;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  'energy-kwh': { type: 'string' },
  'charging-min': { type: 'string' },
  'parking-min': { type: 'string' },
  start: { type: 'string' },
  'max-power-kw': { type: 'string' },
  cdr: { type: 'string' },
  'time-zone': { type: 'string' },
  config: { type: 'string' },
} as const;
type Values = ReturnType<typeof parseOptions>['values'];

function parseOptions(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw argumentFailure('tariff', error);
  }
}

async function main(args: string[]): Promise<number> {
  // npm runs scripts in the package root: read the operator's paths from where they typed them.
  if (process.env.npm_lifecycle_event === 'tariff' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
  const { values, positionals } = parseOptions(args);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [command, ...files] = positionals;
  if (command === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (command !== 'check' && command !== 'quote') throw new Failure(`unknown command ${JSON.stringify(command)}: check or quote (tariff --help)`);
  const [file, ...extra] = files;
  if (file === undefined) throw new Failure(`${command} needs a tariff file (tariff --help)`);
  if (extra.length > 0) throw new Failure(`unexpected argument ${JSON.stringify(extra[0])}`);
  if (command === 'check') {
    const given = Object.keys(values).map((name) => `--${name}`);
    if (given.length > 0) throw new Failure(`check takes no options; ${given[0]} is for quote`);
    return check(file);
  }
  return quote(file, values);
}

// ── check ───────────────────────────────────────────────────────────────────

const TARIFF = 'an OCPI 2.2.1 Tariff object';
const COMPONENT_ORDER = ['ENERGY', 'TIME', 'PARKING_TIME', 'FLAT'] as const;

function check(file: string): number {
  const raw = readData(file);
  const result = TariffConfig.safeParse(raw, { error: wording, reportInput: true });
  if (!result.success) {
    for (const problem of problems(result.error, TARIFF, raw)) process.stderr.write(`tariff: ${file}: ${problem}\n`);
    return 2;
  }
  const tariff = result.data;
  // Reservation elements never price a charging session (tariff-engine.ts): they are not what the kiosk charges.
  const priced = new Set(tariff.elements.filter((e) => e.restrictions?.reservation === undefined).flatMap((e) => e.price_components.map((c) => c.type)));
  const dimensions = COMPONENT_ORDER.filter((type) => priced.has(type));
  process.stdout.write(
    `${file}: a valid OCPI 2.2.1 tariff\n` +
      `  id        ${tariff.id}\n` +
      `  currency  ${tariff.currency}\n` +
      `  elements  ${tariff.elements.length}\n` +
      `  priced    ${dimensions.length > 0 ? dimensions.join(', ') : 'nothing (reservations only)'}\n`,
  );
  return 0;
}

// ── quote ───────────────────────────────────────────────────────────────────

const SESSION_OPTIONS = ['energy-kwh', 'charging-min', 'parking-min', 'start', 'max-power-kw'] as const;

async function quote(file: string, values: Values): Promise<number> {
  const tariff = parseWith(TariffConfig, file, TARIFF);
  const zone = zoneOf(await timeZone(values));
  let usage: TariffUsage;
  if (values.cdr !== undefined) {
    const mixed = SESSION_OPTIONS.find((name) => values[name] !== undefined);
    if (mixed) throw new Failure(`--cdr gives the whole session: leave out --${mixed}`);
    const cdr = parseWith(Cdr, values.cdr, 'an OCPI 2.2.1 CDR object');
    if (cdr.currency !== undefined && cdr.currency !== tariff.currency) throw new Failure(`${values.cdr}: the CDR is in ${cdr.currency}, the tariff in ${tariff.currency}`);
    usage = usageOfCdr(tariff, cdr, zone);
  } else {
    const missing = (['energy-kwh', 'charging-min', 'start'] as const).filter((name) => values[name] === undefined);
    if (missing.length > 0) throw new Failure(`quote needs ${missing.map((name) => `--${name}`).join(', ')} (or --cdr CDR.json)`);
    const powerKw = number(values, 'max-power-kw');
    usage = usageOfTotals(
      tariff,
      {
        start: instant(values.start!),
        energyWh: number(values, 'energy-kwh')! * 1000,
        chargingS: number(values, 'charging-min')! * 60,
        parkingS: (number(values, 'parking-min') ?? 0) * 60,
        powerW: powerKw === undefined ? undefined : powerKw * 1000,
      },
      zone,
    );
  }
  const priced = priceUsage(tariff, usage);
  process.stdout.write(values.json ? `${JSON.stringify(ocpiTotals(priced, usage), null, 2)}\n` : breakdown(tariff, priced, usage, zone));
  return 0;
}

function number(values: Values, name: (typeof SESSION_OPTIONS)[number]): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(text)) throw new Failure(`--${name}: expected a number such as 20 or 7.5, got ${JSON.stringify(text)}`);
  const value = Number(text);
  if (value > MAX_ARGUMENT) throw new Failure(`--${name}: at most ${MAX_ARGUMENT}, got ${text}`);
  return value;
}

function instant(text: string): number {
  if (!z.iso.datetime({ offset: true }).safeParse(text).success) {
    throw new Failure(`--start: expected a date and time with its UTC offset, e.g. 2026-12-02T21:30:00+01:00 or 2026-12-02T20:30:00Z, got ${JSON.stringify(text)}`);
  }
  return Date.parse(text);
}

/** --time-zone, else the kiosk configuration's station.timeZone, else the kiosk's default. */
async function timeZone(values: Values): Promise<string> {
  let zone = DEFAULT_TIME_ZONE;
  if (values.config !== undefined) {
    // Loaded only when asked for: the configuration's schema brings the device drivers along.
    const { loadConfig } = await import('../electron/config/load-config.js');
    try {
      zone = loadConfig(values.config, true).config.station.timeZone;
    } catch (error) {
      // "… is invalid:\n  key: problem\n  key: problem" on one line.
      const [first = '', ...rest] = (error instanceof Error ? error.message : String(error)).split('\n').map((line) => line.trim());
      throw new Failure([first, rest.filter(Boolean).join('; ')].filter(Boolean).join(' '));
    }
  }
  if (values['time-zone'] !== undefined) zone = values['time-zone'];
  try {
    LocalTime.check(zone);
  } catch (error) {
    throw new Failure(`--time-zone: ${oneLine(error)}`);
  }
  return zone;
}

// ── output ──────────────────────────────────────────────────────────────────

/** OCPI's Price, in major units as a CDR writes it, from the exact sums of minor units. */
function ocpiPrice(netMinor: number, grossMinor: number, currency: string) {
  return { excl_vat: Number(minorToMajorString(netMinor, currency)), incl_vat: Number(minorToMajorString(grossMinor, currency)) };
}

/** The totals as a CDR carries them; the bounds' adjustment lines count only in total_cost. */
function ocpiTotals(priced: PricedSession, usage: TariffUsage) {
  const { currency, lines } = priced;
  const ofKind = (kind: CostLine['kind']) => {
    const own = lines.filter((line) => line.kind === kind);
    return ocpiPrice(own.reduce((sum, l) => sum + l.netMinor, 0), own.reduce((sum, l) => sum + l.amountMinor, 0), currency);
  };
  const hours = (ms: number) => Number(toDecimalString(exact(ms, 3_600_000), 6));
  return {
    currency,
    total_cost: ocpiPrice(priced.netMinor, priced.totalMinor, currency),
    total_fixed_cost: ofKind('flat'),
    total_energy: Number(toDecimalString(exact(usage.energyMwh, 1_000_000), 6)),
    total_energy_cost: ofKind('energy'),
    // OCPI: the session's whole duration, parking included.
    total_time: hours(usage.chargingMs + usage.parkingMs),
    total_time_cost: ofKind('time'),
    total_parking_time: hours(usage.parkingMs),
    total_parking_cost: ofKind('parking'),
    lines,
  };
}

const kwh = (mwh: number) => `${toDecimalString(exact(mwh, 1_000_000), 3, 3)} kWh`;

/** h:mm:ss. */
function duration(ms: number): string {
  const total = Math.round(ms / 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(total / 3600)}:${two(Math.floor(total / 60) % 60)}:${two(total % 60)}`;
}

/** A unit price, exact, to the precision the engine shows it and never fewer digits than money. */
function unitPrice(decimal: string, currency: string): string {
  const digits = Math.max(decimal.split('.')[1]?.length ?? 0, currencyExponent(currency));
  return new Intl.NumberFormat('en', { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(decimal as `${number}`);
}

const PER: Record<CostLine['unit'], string> = { kWh: '/kWh', hour: '/h', session: '/session' };

function breakdown(tariff: TariffConfig, priced: PricedSession, usage: TariffUsage, zone: LocalTime): string {
  const money = (minor: number) => formatMinor(minor, priced.currency, 'en');
  const from = zone.describe(usage.startedAt);
  const to = zone.describe(usage.at);
  const head =
    `tariff ${tariff.id}, ${from.date} ${from.time} to ${to.date === from.date ? '' : `${to.date} `}${to.time} ${zone.timeZone}: ` +
    `${kwh(usage.energyMwh)}, charging ${duration(usage.chargingMs)}, parking ${duration(usage.parkingMs)}`;
  const rows = priced.lines.map((line) => [
    line.kind,
    line.kind === 'energy' ? kwh(Math.round(line.quantity * 1000)) : line.unit === 'hour' ? duration(line.quantity * 1000) : line.kind === 'flat' ? '1 session' : '',
    line.unitPrice === '' ? '' : `${unitPrice(line.unitPrice, priced.currency)}${PER[line.unit]}`,
    line.vatPercent === null ? 'no VAT' : `${line.vatPercent}%`,
    money(line.amountMinor),
  ]);
  rows.push(['net', '', '', '', money(priced.netMinor)]);
  for (const rate of priced.vatRates) rows.push(['VAT', `on ${money(rate.netMinor)}`, '', rate.vatPercent === null ? 'no VAT' : `${rate.vatPercent}%`, money(rate.vatMinor)]);
  rows.push(['total', '', '', '', money(priced.totalMinor)]);
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  // Quantities and amounts right-aligned, so that digits line up.
  const text = rows.map((row) => row.map((cell, column) => (column === 1 || column === 4 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('   ').trimEnd());
  const note = usage.energyMwh === 0 ? ['nothing delivered, nothing charged: a session without energy costs nothing'] : [];
  return `${[head, ...note, ...text].join('\n')}\n`;
}

// ── reading files ───────────────────────────────────────────────────────────

/** The file as data: JSON or YAML by its extension, else whichever it parses as. */
function readData(file: string): unknown {
  let text: string;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Failure(`${file} is not a file`);
    if (stat.size > MAX_FILE_BYTES) throw new Failure(`${file} is too large (over ${MAX_FILE_BYTES / 1024 / 1024} MB)`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof Failure) throw error;
    const code = (error as { code?: string }).code;
    throw new Failure(code === 'ENOENT' ? `${file} does not exist` : `${file} cannot be read: ${oneLine(error)}`);
  }
  const extension = path.extname(file).toLowerCase();
  try {
    if (extension === '.json') return JSON.parse(text);
    if (extension === '.yaml' || extension === '.yml') return parseGuardedYaml(text);
    try {
      return JSON.parse(text);
    } catch {
      return parseGuardedYaml(text);
    }
  } catch (error) {
    const format = extension === '.json' ? 'JSON' : extension === '.yaml' || extension === '.yml' ? 'YAML' : 'JSON or YAML';
    // JSON's message quotes the file, line breaks and all; YAML's puts a code frame after its first line.
    const reason = error instanceof SyntaxError ? printable(error.message) : oneLine(error).replace(/:$/, '');
    throw new Failure(`${file} is not valid ${format}: ${reason}`);
  }
}

function parseWith<T>(schema: z.ZodType<T>, file: string, what: string): T {
  const raw = readData(file);
  const result = schema.safeParse(raw, { error: wording, reportInput: true });
  if (result.success) return result.data;
  throw new Failure(`${file} is not ${what}: ${problems(result.error, what, raw).join('; ')}`);
}

// ── explaining problems ─────────────────────────────────────────────────────

/** "elements[1].price_components[0].price". */
function pathText(keys: readonly PropertyKey[]): string {
  return keys.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '') || '(top level)';
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}…` : JSON.stringify(value);
  return String(value);
}

const NOUNS: Record<string, string> = { object: 'an object', array: 'a list', string: 'a string', number: 'a number', int: 'a whole number', boolean: 'true or false' };

/** Plainer words than zod's where the schema has none of its own (the schema's own messages win). */
const wording: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type': {
      const noun = NOUNS[issue.expected] ?? issue.expected;
      return issue.input === undefined ? `missing (expected ${noun})` : `expected ${noun}, got ${describe(issue.input)}`;
    }
    case 'invalid_union':
      // The schemas' one union: OCPI's decimals, a JSON number or a string.
      return `expected a decimal number such as 0.25, got ${describe(issue.input)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map(String).join(', ')}, got ${describe(issue.input)}`;
    case 'invalid_format':
      if (issue.format === 'datetime') return `expected a date and time such as 2015-06-29T20:39:09Z, got ${describe(issue.input)}`;
      if (issue.format === 'url') return `expected a URL, got ${describe(issue.input)}`;
      return undefined;
    case 'too_small':
    case 'too_big': {
      const [bound, word] = issue.code === 'too_small' ? [issue.minimum, issue.inclusive ? 'at least' : 'more than'] : [issue.maximum, issue.inclusive ? 'at most' : 'less than'];
      const how = issue.exact ? 'exactly' : word;
      if (issue.origin === 'array') return `needs ${how} ${bound} ${bound === 1 ? 'entry' : 'entries'}`;
      if (issue.origin === 'string') return `must be ${how} ${bound} characters long, got ${describe(issue.input)}`;
      return `must be ${how} ${bound}, got ${describe(issue.input)}`;
    }
    default:
      return undefined;
  }
};

/** One line per problem, each led by the path of what is wrong. */
function problems(error: z.ZodError, what: string, raw: unknown): string[] {
  // A kiosk configuration (examples/night-rate.yaml) holds its tariff under `tariff`: say so rather than list every key.
  if (what === TARIFF && typeof raw === 'object' && raw !== null && 'tariff' in raw && !('elements' in raw)) {
    return [`a kiosk configuration, not ${TARIFF}: give its tariff (the key "tariff") in a file of its own`];
  }
  return error.issues.flatMap((issue) => {
    if (issue.path.length === 0 && issue.code === 'invalid_type') return [`${issue.input == null ? 'the file is empty' : `the file holds ${describe(issue.input)}`}, not ${what}`];
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${pathText([...issue.path, key])}: unknown field (misspelt? OCPI 2.2.1 has no such field here)`);
    // A schema's own message says what is expected; what was found helps find the line.
    const got = issue.code === 'invalid_format' && issue.format === 'regex' ? `, got ${describe(issue.input)}` : '';
    return [`${pathText(issue.path)}: ${issue.message}${got}`];
  });
}

await runTool('tariff', () => main(process.argv.slice(2)));
