// The operator's tariff tool as operators run it, a child process: what it prints, where,
// and its exit codes; every failure one line on stderr, never a stack trace.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const F = 'test/fixtures/tariffs';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function tariff(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  // Not as `npm run tariff` unless a test says so: that reads paths from INIT_CWD.
  const { npm_lifecycle_event: _event, INIT_CWD: _cwd, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/tariff.ts', ...args], { cwd: ROOT, env: { ...inherited, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/** A run that failed as a bad file or argument does: exit 2, one line on stderr, nothing on stdout. */
async function failure(args: string[]): Promise<string> {
  const run = await tariff(args);
  expect(run).toMatchObject({ code: 2, stdout: '' });
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^tariff: /);
  return lines[0]!;
}

const words = (text: string) => text.trimEnd().split('\n').map((line) => line.replace(/\s+/g, ' '));
const json = (run: Run) => JSON.parse(run.stdout) as Record<string, unknown>;
const fixture = (name: string) => JSON.parse(readFileSync(join(ROOT, F, name), 'utf8')) as Record<string, unknown>;

// Each run is a Node process compiling TypeScript: runs within a test go in parallel, tests one after another.
const SLOW = { timeout: 60_000 };

describe('tariff: usage', SLOW, () => {
  it('--help prints the usage and exits 0; no command prints it on stderr and exits 2', async () => {
    const [help, none] = await Promise.all([tariff(['--help']), tariff([])]);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^usage:\n {2}tariff check FILE\n/);
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(none.stderr).toBe(help.stdout);
  });

  it('bad arguments: one line each', async () => {
    const results = await Promise.all([
      failure(['price', `${F}/ocpi-tariff-12.json`]),
      failure(['check']),
      failure(['check', `${F}/ocpi-tariff-12.json`, '--json']),
      failure(['quote', `${F}/ocpi-tariff-12.json`, '--energy', '5']),
    ]);
    expect(results).toEqual([
      'tariff: unknown command "price": check or quote (tariff --help)',
      'tariff: check needs a tariff file (tariff --help)',
      'tariff: check takes no options; --json is for quote',
      'tariff: unknown option --energy (tariff --help lists them)',
    ]);
  });
});

describe('tariff check', SLOW, () => {
  it('summarises a valid JSON tariff', async () => {
    const run = await tariff(['check', `${F}/ocpi-tariff-12.json`]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(words(run.stdout)).toEqual([`${F}/ocpi-tariff-12.json: a valid OCPI 2.2.1 tariff`, ' id 12', ' currency EUR', ' elements 1', ' priced TIME']);
  });

  it('reads YAML, by its extension or, under another, when it is not JSON', async () => {
    const [yaml, other] = await Promise.all([tariff(['check', `${F}/ocpi-tariff-13.yaml`]), tariff(['check', `${F}/tariff-as-yaml.tariff`])]);
    expect(yaml).toMatchObject({ code: 0, stderr: '' });
    expect(yaml.stdout).toMatch(/priced +ENERGY, PARKING_TIME, FLAT\n$/);
    expect(other).toMatchObject({ code: 0, stderr: '' });
    expect(other.stdout).toMatch(/id +default\n/);
  });

  it('explains each problem of an invalid tariff by its path, one line each, and exits 2', async () => {
    const run = await tariff(['check', `${F}/tariff-problems.yaml`]);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      `tariff: ${F}/tariff-problems.yaml: currency: an ISO 4217 code such as EUR, got "eur"`,
      `tariff: ${F}/tariff-problems.yaml: elements[1].price_components[0].price: give exactly one of price (excl. VAT) and price_incl_vat`,
      `tariff: ${F}/tariff-problems.yaml: elements[1].restrictions.start_time: a time of day as HH:MM, 24 h, e.g. 22:00, got "25:00"`,
      `tariff: ${F}/tariff-problems.yaml: elements[1].restrictions.max_powr: unknown field (misspelt? OCPI 2.2.1 has no such field here)`,
    ]);
  });

  it('refuses a garbage file, a missing one, a folder, YAML nested past the guard against the YAML parser\'s recursion, and an empty file, in one line', async () => {
    const results = await Promise.all(['garbage.json', 'no-such-tariff.json', '', 'deep.yaml', 'empty.yaml'].map((name) => failure(['check', name ? `${F}/${name}` : F])));
    expect(results).toEqual([
      expect.stringMatching(new RegExp(`^tariff: ${F}/garbage.json is not valid JSON: Unexpected token`)),
      `tariff: ${F}/no-such-tariff.json does not exist`,
      `tariff: ${F} is not a file`,
      `tariff: ${F}/deep.yaml is not valid YAML: it nests deeper than 64 levels`,
      `tariff: ${F}/empty.yaml: the file is empty, not an OCPI 2.2.1 Tariff object`,
    ]);
  });

  it('says so when given a kiosk configuration instead of a tariff', async () => {
    expect(await failure(['check', 'examples/night-rate.yaml'])).toBe(
      'tariff: examples/night-rate.yaml: a kiosk configuration, not an OCPI 2.2.1 Tariff object: give its tariff (the key "tariff") in a file of its own',
    );
  });

  it('as `npm run tariff`, reads paths from where the operator typed them (INIT_CWD), not the package root', async () => {
    const run = await tariff(['check', 'ocpi-tariff-12.json'], { npm_lifecycle_event: 'tariff', INIT_CWD: join(ROOT, F) });
    expect(run).toMatchObject({ code: 0, stderr: '' });
  });
});

describe('tariff quote', SLOW, () => {
  const session = ['--energy-kwh', '20', '--charging-min', '60', '--parking-min', '40', '--start', '2026-03-02T08:00:00Z'];

  it('prints the breakdown: one line per cost line, then net, VAT per rate and total', async () => {
    // OCPI's "0.25/kWh + 2.00/h parking per 15 min + 0.50 start fee": 20 kWh and 40 min parked cost 7.00 and 7.90.
    const run = await tariff(['quote', `${F}/ocpi-tariff-13.yaml`, ...session]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(words(run.stdout)).toEqual([
      'tariff 13, 2026-03-02 09:00 to 10:40 Europe/Berlin: 20.000 kWh, charging 1:00:00, parking 0:40:00',
      'energy 20.000 kWh €0.275/kWh 10% €5.50',
      'parking 0:45:00 €2.40/h 20% €1.80',
      'flat 1 session €0.60/session 20% €0.60',
      'net €7.00',
      'VAT on €5.00 10% €0.50',
      'VAT on €2.00 20% €0.40',
      'total €7.90',
    ]);
  });

  it('--json: OCPI\'s totals in major units, the durations in hours, and the engine\'s lines as they are', async () => {
    const out = json(await tariff(['quote', `${F}/ocpi-tariff-13.yaml`, ...session, '--json']));
    expect(out).toEqual({
      currency: 'EUR',
      total_cost: { excl_vat: 7, incl_vat: 7.9 },
      total_fixed_cost: { excl_vat: 0.5, incl_vat: 0.6 },
      total_energy: 20,
      total_energy_cost: { excl_vat: 5, incl_vat: 5.5 },
      // OCPI's total_time includes the parking: 1 h + 40 min.
      total_time: 1.666667,
      total_time_cost: { excl_vat: 0, incl_vat: 0 },
      total_parking_time: 0.666667,
      total_parking_cost: { excl_vat: 1.5, incl_vat: 1.8 },
      lines: [
        { kind: 'energy', quantity: 20000, unit: 'kWh', unitPrice: '0.275', vatPercent: '10', amountMinor: 550, netMinor: 500, vatMinor: 50 },
        { kind: 'parking', quantity: 2700, unit: 'hour', unitPrice: '2.40', vatPercent: '20', amountMinor: 180, netMinor: 150, vatMinor: 30 },
        { kind: 'flat', quantity: 1, unit: 'session', unitPrice: '0.60', vatPercent: '20', amountMinor: 60, netMinor: 50, vatMinor: 10 },
      ],
    });
  });

  it('--json: a minimum price\'s adjustment counts in total_cost only', async () => {
    // 1 kWh × 0.25 = 0.25, × 1.10 = 0.275 → 0.28; the minimum 0.50 / 0.55 adds 0.25 / 0.27.
    const out = json(await tariff(['quote', `${F}/ocpi-tariff-min-price.json`, '--energy-kwh', '1', '--charging-min', '10', '--start', '2026-03-02T08:00:00Z', '--json']));
    expect(out).toMatchObject({ total_cost: { excl_vat: 0.5, incl_vat: 0.55 }, total_energy_cost: { excl_vat: 0.25, incl_vat: 0.28 } });
    expect((out.lines as { kind: string }[]).map((l) => l.kind)).toEqual(['energy', 'minPrice']);
  });

  it('--max-power-kw reaches the power restrictions; without it the average power does', async () => {
    const quote = (...extra: string[]) => tariff(['quote', `${F}/power-tiers.yaml`, '--energy-kwh', '10', '--charging-min', '60', '--start', '2026-03-02T08:00:00Z', '--json', ...extra]).then(json);
    // 10 kWh in an hour average 10 kW: below 22 kW, 0.39; at 50 kW, 0.59.
    const [average, fast] = await Promise.all([quote(), quote('--max-power-kw', '50')]);
    expect(average.total_cost).toEqual({ excl_vat: 3.28, incl_vat: 3.9 });
    expect(fast.total_cost).toEqual({ excl_vat: 4.96, incl_vat: 5.9 });
  });

  it('--cdr: the OCPI 2.2.1 CDR example comes out at the CDR\'s own totals', async () => {
    const cdr = fixture('ocpi-cdr-example.json');
    const out = json(await tariff(['quote', `${F}/ocpi-tariff-12.json`, '--cdr', `${F}/ocpi-cdr-example.json`, '--json']));
    expect(out).toMatchObject({ total_cost: cdr.total_cost, total_time_cost: cdr.total_time_cost, total_energy: cdr.total_energy, total_time: cdr.total_time, total_parking_time: 0 });
  });

  it('--cdr: three periods priced elsewhere, every total as the CDR has it', async () => {
    const cdr = fixture('cdr-tariff-13-three-periods.json');
    const out = json(await tariff(['quote', `${F}/ocpi-tariff-13.yaml`, '--cdr', `${F}/cdr-tariff-13-three-periods.json`, '--json']));
    for (const field of ['total_cost', 'total_fixed_cost', 'total_energy', 'total_energy_cost', 'total_time', 'total_parking_time', 'total_parking_cost']) expect(out[field], field).toEqual(cdr[field]);
    expect(out.total_time_cost).toEqual({ excl_vat: 0, incl_vat: 0 });
  });

  it('the restrictions\' local time: --time-zone, else --config\'s station.timeZone, else Europe/Berlin', async () => {
    const saturday = ['quote', `${F}/ocpi-tariff-14-complex.json`, '--cdr', `${F}/cdr-tariff-14-saturday.json`, '--json'];
    const total = (...extra: string[]) => tariff([...saturday, ...extra]).then((run) => json(run).total_cost);
    const utc = fixture('cdr-tariff-14-saturday.json').total_cost;
    // The CDR's own total is the station in UTC; in Berlin the parking after 17:00 local is free (cdr.test.ts).
    const [byDefault, byFlag, byConfig, flagWins] = await Promise.all([
      total(),
      total('--time-zone', 'UTC'),
      total('--config', `${F}/kiosk-utc.yaml`),
      total('--config', `${F}/kiosk-utc.yaml`, '--time-zone', 'Europe/Berlin'),
    ]);
    expect(byDefault).toEqual({ excl_vat: 9, incl_vat: 10.28 });
    expect(byFlag).toEqual(utc);
    expect(byConfig).toEqual(utc);
    expect(flagWins).toEqual(byDefault);
  });

  it('a session without energy costs nothing, and says so', async () => {
    const run = await tariff(['quote', `${F}/ocpi-tariff-13.yaml`, '--energy-kwh', '0', '--charging-min', '30', '--parking-min', '60', '--start', '2026-03-02T08:00:00Z']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(words(run.stdout).slice(1)).toEqual(['nothing delivered, nothing charged: a session without energy costs nothing', 'net €0.00', 'total €0.00']);
  });

  it('bad arguments and files: exit 2, one line naming the reason', async () => {
    const t12 = `${F}/ocpi-tariff-12.json`;
    const start = ['--start', '2026-03-02T08:00:00Z'];
    const results = await Promise.all([
      failure(['quote', t12, '--energy-kwh', '5', ...start]),
      failure(['quote', t12, '--energy-kwh', 'five', '--charging-min', '60', ...start]),
      failure(['quote', t12, '--energy-kwh', '5', '--charging-min', '60', '--start', '2026-03-02T08:00:00']),
      failure(['quote', t12, '--energy-kwh', '5', '--charging-min', '60', ...start, '--time-zone', 'Europe/Atlantis']),
      failure(['quote', t12, '--cdr', `${F}/ocpi-cdr-example.json`, '--energy-kwh', '5']),
      failure(['quote', t12, '--cdr', `${F}/ocpi-tariff-12.json`]),
      failure(['quote', t12, '--cdr', `${F}/cdr-in-usd.json`]),
      failure(['quote', t12, '--cdr', `${F}/ocpi-cdr-example.json`, '--config', `${F}/kiosk-bad-zone.yaml`]),
      failure(['quote', `${F}/tariff-problems.yaml`, '--cdr', `${F}/ocpi-cdr-example.json`]),
    ]);
    expect(results).toEqual([
      'tariff: quote needs --charging-min (or --cdr CDR.json)',
      'tariff: --energy-kwh: expected a number such as 20 or 7.5, got "five"',
      'tariff: --start: expected a date and time with its UTC offset, e.g. 2026-12-02T21:30:00+01:00 or 2026-12-02T20:30:00Z, got "2026-03-02T08:00:00"',
      'tariff: --time-zone: unknown time zone "Europe/Atlantis" (an IANA name such as Europe/Berlin)',
      'tariff: --cdr gives the whole session: leave out --energy-kwh',
      `tariff: ${F}/ocpi-tariff-12.json is not an OCPI 2.2.1 CDR object: start_date_time: missing (expected a date and time as RFC 3339, e.g. 2015-06-29T21:39:09Z); ` +
        'end_date_time: missing (expected a date and time as RFC 3339, e.g. 2015-06-29T21:39:09Z); charging_periods: missing (expected a list)',
      `tariff: ${F}/cdr-in-usd.json: the CDR is in USD, the tariff in EUR`,
      `tariff: ${F}/kiosk-bad-zone.yaml is invalid: station.timeZone: unknown time zone "Mars/Olympus" (an IANA name such as Europe/Berlin)`,
      expect.stringMatching(new RegExp(`^tariff: ${F}/tariff-problems.yaml is not an OCPI 2.2.1 Tariff object: currency: .*; elements\\[1\\]\\.price_components\\[0\\]\\.price: give exactly one`)),
    ]);
  });
});
