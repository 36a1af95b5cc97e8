// The operator's configuration file: defaults when it is absent, every bad key named,
// unknown keys refused, garbage refused without a crash, prices kept exact.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig, parseConfig } from '../../../electron/config/load-config.js';
import { KioskConfig } from '../../../electron/config/config-schema.js';

let dir: string;

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The ConfigError `work` throws (failing the test if it throws anything else or nothing). */
function configError(work: () => unknown): ConfigError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-config-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('loadConfig: present or absent', () => {
  it('uses the embedded defaults when the default file is missing', () => {
    const { config, source } = loadConfig(join(dir, 'kiosk.yaml'), false);
    expect(source).toBeNull();
    expect(config).toEqual(KioskConfig.parse({}));
    expect(config.connectors.map((c) => [c.id, c.label])).toEqual([
      [1, '1'],
      [2, '2'],
    ]);
    expect(config.connectors[0]).toEqual({ id: 1, label: '1', type: 'type2', maxCurrentA: 32, voltageV: 230, phases: 3, charger: { kind: 'simulated', vehicleMaxCurrentA: 16, vehicleCapacityWh: 60000, firmware: 'standard' } });
    expect(config.tariff.currency).toBe('EUR');
    expect(config.tariff.elements[0]!.price_components).toEqual([
      { type: 'ENERGY', price: '0.2899', vat: '19', step_size: 1 },
      { type: 'FLAT', price: '0.42', vat: '19', step_size: 1 },
    ]);
    expect(config.payment.holdMinor).toBe(5000);
    expect(config.web.port).toBe(8080);
    expect(config.devices).toEqual({ terminal: { kind: 'simulated', protocol: 'zvt', approvalDelayMs: 1200, latencyMs: 0, password: '000000', endOfDay: null }, printer: { kind: 'simulated', columns: 42 }, rfid: { kind: 'simulated' } });
  });

  it('refuses a missing file the operator named explicitly', () => {
    const path = join(dir, 'named.yaml');
    const error = configError(() => loadConfig(path, true));
    expect(error.message).toBe(`configuration file ${path} does not exist`);
  });

  it('reads YAML, filling in defaults inside nested objects', () => {
    const path = file(
      'kiosk.yaml',
      `# operator's file
station:
  id: PARIS-07
web:
  port: 0
connectors:
  - id: 3
    label: Left
    maxCurrentA: 16
    charger:
      kind: simulated
      vehicleCapacityWh: 40000
timeouts:
  summaryS: 30
`,
    );
    const { config, source } = loadConfig(path, true);
    expect(source).toBe(path);
    expect(config.station).toEqual({ id: 'PARIS-07', name: 'Chargepoint Kiosk', helpLine: '+49 30 1234 5678', locale: 'en', languages: ['en', 'de', 'fr', 'nl', 'es'], timeZone: 'Europe/Berlin' });
    expect(config.web.port).toBe(0);
    expect(config.connectors).toEqual([
      { id: 3, label: 'Left', type: 'type2', maxCurrentA: 16, voltageV: 230, phases: 3, charger: { kind: 'simulated', vehicleMaxCurrentA: 16, vehicleCapacityWh: 40000, firmware: 'standard' } },
    ]);
    expect(config.timeouts).toEqual({ inactivityWarnS: 45, inactivityReturnS: 20, presentCardS: 60, plugInS: 120, stopCodeS: 30, summaryS: 30 });
    expect(config.tariff.currency).toBe('EUR');
  });

  it('reads JSON, filling in defaults', () => {
    const path = file('kiosk.json', JSON.stringify({ payment: { holdMinor: 2500 }, devices: { printer: { kind: 'simulated', columns: 32 } }, log: { level: 'debug' } }));
    const { config, source } = loadConfig(path, true);
    expect(source).toBe(path);
    expect(config.payment.holdMinor).toBe(2500);
    expect(config.devices.printer).toEqual({ kind: 'simulated', columns: 32 });
    expect(config.devices.terminal).toEqual({ kind: 'simulated', protocol: 'zvt', approvalDelayMs: 1200, latencyMs: 0, password: '000000', endOfDay: null });
    expect(config.log).toEqual({ level: 'debug', rotateSize: '10M', keep: 10 });
    expect(config.connectors).toHaveLength(2);
  });

  it('takes an empty or comment-only file for the defaults, from that file', () => {
    for (const [name, content] of [
      ['empty.yaml', ''],
      ['comments.yaml', '# nothing configured yet\n'],
      ['null.yaml', 'null\n'],
    ]) {
      const path = file(name!, content!);
      const { config, source } = loadConfig(path, true);
      expect(source, name).toBe(path);
      expect(config, name).toEqual(KioskConfig.parse({}));
    }
  });
});

describe('loadConfig: invalid values', () => {
  it('names every bad key path and what is wrong with it', () => {
    const path = file(
      'bad.yaml',
      `connectors:
  - id: 1
    label: A
    maxCurrentA: 100
  - id: 2
    label: B
    phases: 2
tariff:
  currency: eur
  elements:
    - price_components:
        - type: ENERGY
          price: -1
payment:
  holdMinor: 5
web:
  port: 70000
`,
    );
    const error = configError(() => loadConfig(path, true));
    const lines = error.message.split('\n');
    expect(lines[0]).toBe(`${path} is invalid:`);
    const problems = Object.fromEntries(lines.slice(1).map((line) => line.trim().split(/: (.*)/s).slice(0, 2) as [string, string]));
    expect(Object.keys(problems).sort()).toEqual(
      ['connectors.0.maxCurrentA', 'connectors.1.phases', 'payment.holdMinor', 'tariff.currency', 'tariff.elements.0.price_components.0.price', 'web.port'].sort(),
    );
    expect(problems['connectors.0.maxCurrentA']).toMatch(/<=\s*80/);
    expect(problems['tariff.currency']).toBe('an ISO 4217 code such as EUR');
    expect(problems['payment.holdMinor']).toMatch(/>=\s*100/);
    expect(problems['web.port']).toMatch(/<=\s*65535/);
    expect(problems['tariff.elements.0.price_components.0.price']).toBeDefined();
  });

  it('names wrong types and missing required keys', () => {
    const error = configError(() =>
      parseConfig({ station: { name: 42 }, connectors: [{ id: 'one' }], tariff: { currency: 'EUR', elements: [] }, log: { level: 'loud' } }, 'kiosk.yaml'),
    );
    expect(error.message).toMatch(/^kiosk\.yaml is invalid:\n/);
    expect(error.message).toMatch(/station\.name: .*expected string/);
    expect(error.message).toMatch(/connectors\.0\.id: .*expected number/);
    expect(error.message).toMatch(/connectors\.0\.label: .*expected string/);
    expect(error.message).toMatch(/tariff\.elements: .*>=\s*1/);
    expect(error.message).toMatch(/log\.level: .*"fatal"/);
  });

  it('refuses unknown keys, naming them', () => {
    const error = configError(() => parseConfig({ bogus: 1, station: { idd: 'x' }, connectors: [{ id: 1, label: 'A', colour: 'red' }], devices: { terminal: { kind: 'simulated', pin: '1234' } } }));
    const lines = error.message.split('\n').slice(1).map((l) => l.trim());
    expect(lines).toContainEqual(expect.stringMatching(/^\(top level\): Unrecognized key: "bogus"$/));
    expect(lines).toContainEqual(expect.stringMatching(/^station: Unrecognized key: "idd"$/));
    expect(lines).toContainEqual(expect.stringMatching(/^connectors\.0: Unrecognized key: "colour"$/));
    expect(lines).toContainEqual(expect.stringMatching(/^devices\.terminal: Unrecognized key: "pin"$/));
  });

  it('refuses a device that is not simulated and a top level that is not a mapping', () => {
    expect(configError(() => parseConfig({ connectors: [{ id: 1, label: 'A', charger: { kind: 'modbus' } }] })).message).toMatch(/connectors\.0\.charger\.kind/);
    for (const raw of [null, [], 'kiosk', 42, true]) {
      expect(configError(() => parseConfig(raw)).message, JSON.stringify(raw)).toMatch(/\(top level\): .*expected object/);
    }
  });

  it('refuses duplicate connector ids', () => {
    const path = file('dup.yaml', 'connectors:\n  - {id: 1, label: A}\n  - {id: 2, label: B}\n  - {id: 1, label: C}\n');
    expect(configError(() => loadConfig(path, true)).message).toMatch(/^\s*connectors: connector ids must be unique$/m);
  });
});

describe('loadConfig: the card terminal', () => {
  it('reads a ZVT terminal on a serial path or on host:port, with the defaults of each', () => {
    const { config: serial } = loadConfig(file('zvt-serial.yaml', 'devices:\n  terminal: { kind: zvt, path: /dev/serial/by-id/usb-FEIG_cVEND-if00, password: "000000", endOfDay: "03:00" }\n'), true);
    expect(serial.devices.terminal).toEqual({ kind: 'zvt', path: '/dev/serial/by-id/usb-FEIG_cVEND-if00', baudRate: 9600, port: 20007, password: '000000', hostProfile: 'iso8583', endOfDay: '03:00' });
    const tcp = parseConfig({ devices: { terminal: { kind: 'zvt', host: '192.168.1.50', password: '123456', hostProfile: 'lavego' } }, payment: { tapToStart: true } });
    expect(tcp.devices.terminal).toMatchObject({ kind: 'zvt', host: '192.168.1.50', port: 20007, hostProfile: 'lavego', endOfDay: null });
    expect(tcp.payment.tapToStart).toBe(true);
    expect(parseConfig({}).payment.tapToStart).toBe(false);
  });

  it('refuses a ZVT terminal with neither or both of path and host, an unstable path, a password that lost its zeros, a bad time', () => {
    expect(configError(() => parseConfig({ devices: { terminal: { kind: 'zvt', password: '000000' } } })).message).toMatch(/devices\.terminal: .*either path .* or host/);
    expect(configError(() => parseConfig({ devices: { terminal: { kind: 'zvt', password: '000000', path: '/dev/serial/by-id/x', host: 'h' } } })).message).toMatch(/not both/);
    expect(configError(() => parseConfig({ devices: { terminal: { kind: 'zvt', password: '000000', path: '/dev/ttyUSB0' } } })).message).toMatch(/devices\.terminal\.path/);
    // YAML reads 000000 unquoted as the number 0.
    expect(configError(() => loadConfig(file('zvt-pw.yaml', 'devices:\n  terminal: { kind: zvt, host: h, password: 000000 }\n'), true)).message).toMatch(/devices\.terminal\.password/);
    expect(configError(() => parseConfig({ devices: { terminal: { kind: 'zvt', host: 'h', password: '000000', endOfDay: '25:00' } } })).message).toMatch(/endOfDay is a time of day/);
    expect(configError(() => parseConfig({ devices: { terminal: { kind: 'zvt', host: 'h', password: '000000', baudRate: 12345 } } })).message).toMatch(/devices\.terminal\.baudRate/);
  });
});

describe('loadConfig: the RFID reader and the ways to pay', () => {
  it('reads a USB reader by its ids (YAML hex numbers or hex text), a serial RDM6300, and the ways offered', () => {
    const { config: usb } = loadConfig(file('hid.yaml', 'devices:\n  rfid: { kind: hid, vendorId: 0xffff, productId: "0x0035" }\npayment: { methods: [rfid, card], minBalanceMinor: 250 }\n'), true);
    expect(usb.devices.rfid).toEqual({ kind: 'hid', vendorId: 0xffff, productId: 0x35, format: 'auto' });
    expect(usb.payment).toMatchObject({ methods: ['rfid', 'card'], minBalanceMinor: 250 });
    const serial = parseConfig({ devices: { rfid: { kind: 'rdm6300', path: '/dev/serial/by-id/usb-Prolific-if00-port0' } } });
    expect(serial.devices.rfid).toEqual({ kind: 'rdm6300', path: '/dev/serial/by-id/usb-Prolific-if00-port0', baudRate: 9600 });
    // By default every way whose device is configured, and a prepaid card needs 1.00.
    expect(parseConfig({}).payment.methods).toBeUndefined();
    expect(parseConfig({}).payment.minBalanceMinor).toBe(100);
    expect(parseConfig({}).devices.rfid).toEqual({ kind: 'simulated' });
  });

  it('refuses a way to pay without its device, a way twice, bad USB ids, an unstable serial path, an unknown UID form', () => {
    expect(configError(() => parseConfig({ devices: { rfid: { kind: 'none' } }, payment: { methods: ['card', 'rfid'] } })).message).toMatch(/payment\.methods: rfid is offered, but devices\.rfid\.kind is none/);
    expect(configError(() => parseConfig({ devices: { terminal: { kind: 'none' } }, payment: { methods: ['card'] } })).message).toMatch(/card is offered, but devices\.terminal\.kind is none/);
    expect(configError(() => parseConfig({ payment: { methods: ['rfid', 'rfid'] } })).message).toMatch(/each way to pay once/);
    expect(configError(() => parseConfig({ payment: { methods: [] } })).message).toMatch(/payment\.methods/);
    expect(configError(() => parseConfig({ devices: { rfid: { kind: 'hid', vendorId: 0x10000, productId: 1 } } })).message).toMatch(/devices\.rfid\.vendorId/);
    expect(configError(() => parseConfig({ devices: { rfid: { kind: 'hid', vendorId: 'ffff', productId: 1 } } })).message).toMatch(/devices\.rfid\.vendorId/);
    expect(configError(() => parseConfig({ devices: { rfid: { kind: 'rdm6300', path: '/dev/ttyUSB0' } } })).message).toMatch(/devices\.rfid\.path/);
    expect(configError(() => parseConfig({ devices: { rfid: { kind: 'hid', vendorId: 1, productId: 1, format: 'octal' } } })).message).toMatch(/devices\.rfid\.format/);
  });
});

describe('loadConfig: prices', () => {
  const tariff = (components: unknown[]) => ({ tariff: { currency: 'EUR', elements: [{ price_components: components }] } });

  it('keeps prices given as JSON numbers as exact decimal strings', () => {
    const path = file('prices.json', '{"tariff":{"currency":"EUR","elements":[{"price_components":[{"type":"ENERGY","price":0.2899,"vat":19},{"type":"TIME","price":2.5,"step_size":60},{"type":"FLAT","price":" 0.420 "}]}]}}');
    const { config } = loadConfig(path, true);
    expect(config.tariff.elements[0]!.price_components).toEqual([
      { type: 'ENERGY', price: '0.2899', vat: '19', step_size: 1 },
      { type: 'TIME', price: '2.5', step_size: 60 },
      { type: 'FLAT', price: '0.420', step_size: 1 },
    ]);
    // YAML numbers too
    const yaml = file('prices.yaml', 'tariff:\n  currency: EUR\n  elements:\n    - price_components:\n        - {type: ENERGY, price: 0.2899, vat: "19"}\n');
    expect(loadConfig(yaml, true).config.tariff.elements[0]!.price_components[0]).toEqual({ type: 'ENERGY', price: '0.2899', vat: '19', step_size: 1 });
  });

  it('refuses prices that are not plain non-negative decimals with at most 6 decimals', () => {
    for (const price of [-1, 1e-7, 1e21, 0.1 + 0.2, '0.1234567', 'abc', '', '1,5', '-0.5', Number.NaN, null]) {
      const error = configError(() => parseConfig(tariff([{ type: 'ENERGY', price }])));
      expect(error.message, String(price)).toMatch(/tariff\.elements\.0\.price_components\.0\.price: /);
    }
  });
});

describe('loadConfig: garbage never crashes', () => {
  it('refuses binary bytes, stray colons, tabs and broken JSON with a ConfigError', () => {
    const cases: [string, string | Buffer][] = [
      ['binary.yaml', Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x0a, 0x80, 0x3a, 0x20, 0xc3, 0x28])],
      ['random.yaml', Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919 + 13) % 256))],
      ['colons.yaml', ':::'],
      ['colons2.yaml', ': : :\n::\n'],
      ['tabs.yaml', 'station:\n\tid: x\n'],
      ['scalar.yaml', 'just some words'],
      ['list.yaml', '- 1\n- 2\n'],
      ['broken.json', '{"station": {'],
      ['binary.json', Buffer.from([0xff, 0xfe, 0x00, 0x7b])],
      ['yaml-in.json', 'station:\n  id: x\n'],
      ['two-docs.yaml', 'web: {port: 1}\n---\nweb: {port: 2}\n'],
      ['dup-keys.yaml', 'web: {port: 1}\nweb: {port: 2}\n'],
      ['binary-tag.yaml', 'web: !!binary aGVsbG8=\n'],
      ['dangling-alias.yaml', 'web: *nowhere\n'],
    ];
    for (const [name, content] of cases) {
      const path = file(name, content);
      const error = configError(() => loadConfig(path, true));
      expect(error.message, name).toContain(path);
    }
  });

  it('refuses an alias bomb', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const path = file('bomb.yaml', levels.join('\n') + '\n');
    expect(configError(() => loadConfig(path, true)).message).toMatch(/cannot be read: .*alias/i);
  });

  it('refuses deep nesting in every spelling, even right after other garbage', () => {
    const n = 20_000; // before the fix, 5 000 levels (10 kB) were enough to abort the process
    const cases: [string, string][] = [
      ['flow-seq.yaml', '['.repeat(n) + ']'.repeat(n)],
      ['flow-map.yaml', '{a: '.repeat(n) + '1' + '}'.repeat(n)],
      ['seq-dash.yaml', '- '.repeat(n) + '1\n'],
      ['block-map.yaml', Array.from({ length: 2000 }, (_, i) => ' '.repeat(i) + 'a:').join('\n') + ' 1\n'],
      ['unclosed.yaml', '['.repeat(n)],
      ['mixed.yaml', 'station:\n  id: ' + '[{'.repeat(n / 2)],
      ['deep.json', '['.repeat(n) + ']'.repeat(n)],
      ['deep-inside.json', '{"station":{"id":' + '{"a":'.repeat(n) + '1' + '}'.repeat(n) + '}}'],
      ['deep-unknown.json', '{"extra":' + '['.repeat(n) + ']'.repeat(n) + '}'],
    ];
    // Garbage first: a failed YAML parse before a deep one used to abort the whole
    // process (a fatal V8 out-of-memory, not a catchable error).
    const binary = file('first.yaml', Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x0a, 0x80, 0x3a, 0x20]));
    for (const [name, content] of cases) {
      configError(() => loadConfig(binary, true));
      const path = file(name, content);
      const error = configError(() => loadConfig(path, true));
      expect(error.message, name).toContain(path);
    }
    expect(configError(() => loadConfig(join(dir, 'flow-seq.yaml'), true)).message).toMatch(/nests deeper than 64 levels/);
  });

  it('ends in a ConfigError, not an aborted process, in a plain Node process as the kiosk runs', async () => {
    // How deep the stack runs differs between a Vitest worker and plain Node; there,
    // garbage and then 5 000 nested brackets used to kill the process outright.
    const binary = file('first.yaml', Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x0a, 0x80, 0x3a, 0x20]));
    const deep = file('deep.yaml', '['.repeat(20_000) + ']'.repeat(20_000));
    const dashes = file('dashes.yaml', '- '.repeat(5_000) + '1\n');
    const module = pathToFileURL(join(import.meta.dirname, '../../../electron/config/load-config.ts')).href;
    const script = `import { loadConfig } from ${JSON.stringify(module)};
for (const path of ${JSON.stringify([binary, deep, binary, dashes])}) {
  try { loadConfig(path, true); console.log('loaded'); } catch (error) { console.log(error.name); }
}`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('child did not finish within 15 s'));
      }, 15_000);
      child.once('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect({ code, stderr: stderr.slice(0, 300) }).toEqual({ code: 0, stderr: '' });
    expect(stdout.trim().split('\n')).toEqual(['ConfigError', 'ConfigError', 'ConfigError', 'ConfigError']);
  });

  it('still reads YAML nested as deep as a real configuration, with brackets in strings', () => {
    const path = file(
      'nested.yaml',
      `station:
  name: "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
  helpLine: "{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{"
tariff: {currency: EUR, elements: [{price_components: [{type: ENERGY, price: "0.30"}]}]}
`,
    );
    const { config } = loadConfig(path, true);
    expect(config.station.name).toBe('['.repeat(42));
    expect(config.tariff.elements[0]!.price_components[0]!.price).toBe('0.30');
  });

  it('refuses a folder given as the file', () => {
    const path = join(dir, 'folder.yaml');
    mkdirSync(path);
    expect(configError(() => loadConfig(path, true)).message).toMatch(/cannot be read/);
  });
});

describe('parseConfig: properties', () => {
  it('throws nothing but ConfigError for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (raw) => {
        try {
          KioskConfig.parse(parseConfig(raw)); // a success is itself a valid configuration
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as Error).message).toMatch(/^configuration is invalid:\n {2}\S/);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('throws nothing but ConfigError for configuration-shaped values with random leaves', () => {
    const leaf = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom<unknown>(undefined, -0, 1e308, Number.NaN, Number.POSITIVE_INFINITY));
    const section = (keys: string[]) => fc.dictionary(fc.constantFrom(...keys, 'extra'), leaf, { maxKeys: keys.length + 1 });
    const component = fc.dictionary(fc.constantFrom('type', 'price', 'vat', 'step_size', 'x'), fc.oneof(leaf, fc.constantFrom('ENERGY', 'FLAT', '0.2899', 0.2899, 7)));
    const shaped = fc.record(
      {
        station: section(['id', 'name', 'helpLine', 'locale']),
        web: section(['port']),
        tariff: fc.record(
          { id: leaf, currency: fc.oneof(leaf, fc.constant('EUR')), elements: fc.array(fc.record({ price_components: fc.array(component, { maxLength: 3 }) }), { maxLength: 2 }) },
          { requiredKeys: [] },
        ),
        payment: section(['holdMinor']),
        timeouts: section(['inactivityWarnS', 'inactivityReturnS', 'presentCardS', 'plugInS', 'stopCodeS', 'summaryS']),
        charging: section(['sampleIntervalMs', 'stopDelayS']),
        connectors: fc.array(
          fc.record(
            {
              id: fc.oneof(leaf, fc.integer({ min: 0, max: 70 })),
              label: fc.oneof(leaf, fc.string({ minLength: 1, maxLength: 25 })),
              maxCurrentA: leaf,
              phases: fc.oneof(leaf, fc.constantFrom(1, 2, 3)),
              charger: fc.oneof(leaf, fc.record({ kind: fc.constantFrom('simulated', 'real', 1) }, { requiredKeys: [] })),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 9 },
        ),
        devices: fc.record({ terminal: leaf, printer: leaf, rfid: leaf }, { requiredKeys: [] }),
        log: section(['level', 'rotateSize', 'keep']),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(shaped, (raw) => {
        try {
          parseConfig(raw);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('the examples in examples/', () => {
  it('night-rate.yaml is a valid configuration whose tariff is the one in night-rate-tariff.json', async () => {
    const { readFileSync } = await import('node:fs');
    const { TariffConfig } = await import('../../../electron/billing/tariff-schema.js');
    const { config } = loadConfig(join(import.meta.dirname, '../../../examples/night-rate.yaml'), true);
    expect(config.tariff.id).toBe('night-rate');
    expect(config.connectors[1]!.tariff?.id).toBe('night-rate-slow');
    const file = TariffConfig.parse(JSON.parse(readFileSync(join(import.meta.dirname, '../../../examples/night-rate-tariff.json'), 'utf8')));
    expect(file).toEqual(config.tariff);
  });
});
