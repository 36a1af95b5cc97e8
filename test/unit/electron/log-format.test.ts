// What the kiosk prints on the terminal: one readable line per event (time, level,
// component, message, fields) while the log file keeps the full JSON.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger, formatLogLine, terminalStream } from '../../../electron/log.js';

const at = (h: number, m: number, s: number) => new Date(2025, 5, 15, h, m, s).getTime(); // local time

describe('formatLogLine', () => {
  it('shows time, level, the component from the bindings, the message without the component repeated, and the fields', () => {
    expect(formatLogLine({ level: 40, time: at(12, 0, 1), pid: 7, hostname: 'vm', device: 'charger', connectorId: 1, postCode: 0, firmware: '8.2.2', msg: 'charger controller booted' })).toBe(
      '12:00:01 WARN  charger 1: controller booted (postCode=0, firmware=8.2.2)',
    );
    expect(formatLogLine({ level: 30, time: at(9, 5, 0), connectorId: 2, from: 'starting', to: 'idle', msg: 'connector state' })).toBe(
      '09:05:00 INFO  connector 2: state (from=starting, to=idle)',
    );
    expect(formatLogLine({ level: 30, time: at(9, 5, 0), part: 'web host', url: 'http://127.0.0.1:8080/', msg: 'web host listening' })).toBe(
      '09:05:00 INFO  web host: listening (url=http://127.0.0.1:8080/)',
    );
    expect(formatLogLine({ level: 30, time: at(23, 59, 59), config: 'embedded defaults', clockSpeed: 1, msg: 'kiosk starting' })).toBe(
      '23:59:59 INFO  kiosk: starting (config="embedded defaults", clockSpeed=1)',
    );
    expect(formatLogLine({ level: 50, time: at(0, 0, 0), part: 'payments', msg: 'payment sweep failed' })).toBe('00:00:00 ERROR payments: payment sweep failed');
  });

  it('shows an error by its message, flags by the ones set, and cuts long values', () => {
    const line = formatLogLine({
      level: 60,
      time: at(1, 2, 3),
      err: { type: 'Error', message: 'disk full', stack: 'Error: disk full\n    at write (store.ts:1:1)' },
      supports: { energyLimit: false, heartbeat: true, energy: true },
      why: 'a'.repeat(100),
      msg: 'the store cannot be written; the station is out of service',
    });
    expect(line).toBe(`01:02:03 FATAL kiosk: the store cannot be written; the station is out of service (err=disk full, supports=heartbeat+energy, why=${'a'.repeat(59)}…)`);
    expect(line).not.toContain('store.ts'); // the stack is in the file only
  });

  it('colours the level on a terminal, not when NO_COLOR is set or the output is a pipe', () => {
    const written: string[] = [];
    const out = { isTTY: true, write: (text: string) => written.push(text) > 0 };
    const line = `${JSON.stringify({ level: 40, time: at(12, 0, 1), msg: 'wrong stop code', connectorId: 1 })}\n`;
    terminalStream(out, {}).write(line);
    terminalStream(out, { NO_COLOR: '1' }).write(line);
    terminalStream({ write: out.write }, {}).write(line);
    expect(written).toEqual([
      '12:00:01 \x1b[33mWARN\x1b[0m  connector 1: wrong stop code\n',
      '12:00:01 WARN  connector 1: wrong stop code\n',
      '12:00:01 WARN  connector 1: wrong stop code\n',
    ]);
    terminalStream(out, {}).write('not json\n');
    expect(written.at(-1)).toBe('not json\n');
  });
});

describe('createLogger', () => {
  let dir = '';
  const stdout = vi.spyOn(process.stdout, 'write');
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kiosk-log-'));
    stdout.mockImplementation(() => true);
  });
  afterEach(() => {
    stdout.mockReset();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints info and up readably on standard output, and writes everything at log.level as JSON to the file, redacted in both', async () => {
    const { log, close } = createLogger(dir, { level: 'debug', rotateSize: '10M', keep: 2 });
    const charger = log.child({ device: 'charger', connectorId: 1 });
    charger.debug({ frame: '$GS^30' }, 'rapi notice ignored');
    charger.warn({ postCode: 0, firmware: '8.2.2' }, 'charger controller booted');
    log.info({ pan: '4111111111111111' }, 'card read');
    await close();

    const printed = stdout.mock.calls.map(([text]) => String(text));
    expect(printed).toHaveLength(2); // not the debug line
    expect(printed[0]).toMatch(/^\d\d:\d\d:\d\d WARN {2}charger 1: controller booted \(postCode=0, firmware=8\.2\.2\)\n$/);
    expect(printed[1]).toMatch(/^\d\d:\d\d:\d\d INFO {2}kiosk: card read \(pan=\[redacted\]\)\n$/);
    expect(printed.join('')).not.toContain('{"level"');

    const file = readFileSync(join(dir, 'logs', 'kiosk.log'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(file.map((entry) => entry.msg)).toEqual(['rapi notice ignored', 'charger controller booted', 'card read']);
    expect(file[1]).toMatchObject({ level: 40, device: 'charger', connectorId: 1, postCode: 0, firmware: '8.2.2' });
    expect(file[2]!.pan).toBe('[redacted]');
  });
});
