import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  additiveChecksum,
  decodeFrame,
  describeEvseState,
  encodeAsync,
  encodeCommand,
  encodeReply,
  parseAsyncState,
  parseBoot,
  parseCurrentRange,
  parseEnergy,
  parseFaultCounters,
  parseGetState,
  parseHeartbeat,
  parseMeasurement,
  parseVersion,
  pilotLetter,
  rapiProfile,
  xorChecksum,
} from '../../../devices/charger/rapi-codec.js';
import type { ChecksumKind } from '../../../devices/charger/rapi-codec.js';
import vectors from '../../fixtures/rapi-vectors.json' with { type: 'json' };

describe('RAPI checksums', () => {
  it('XOR and additive sums of the examples', () => {
    expect(xorChecksum('$GS')).toBe(0x30);
    expect(xorChecksum('$GS :01')).toBe(0x2b);
    expect(additiveChecksum('$FE')).toBe(0xaf);
    expect(additiveChecksum('$FS')).toBe(0xbd);
    expect(additiveChecksum('')).toBe(0);
  });
});

describe('RAPI vectors, byte-exact', () => {
  it.each(vectors.commands)('encodes $command $params seq=$seq ($checksum) as $frame', (v) => {
    const frame = encodeCommand(v.command, v.params, { seq: v.seq, checksum: v.checksum as ChecksumKind });
    expect(frame).toBe(v.frame);
    expect(Buffer.from(frame, 'latin1').equals(Buffer.from(v.frame, 'latin1'))).toBe(true);
  });

  it.each(vectors.commands)('decodes the command $frame', (v) => {
    expect(decodeFrame(v.frame)).toEqual({ kind: 'command', command: v.command, params: v.params, seq: v.seq, checksum: v.checksum });
  });

  it.each(vectors.replies)('decodes the reply $frame and encodes it back', (v) => {
    expect(decodeFrame(v.frame)).toEqual({ kind: 'reply', ok: v.ok, params: v.params, seq: v.seq });
    expect(encodeReply(v.ok, v.params, { seq: v.seq })).toBe(v.frame);
  });

  it.each(vectors.async)('decodes the notice $frame and encodes it back', (v) => {
    expect(decodeFrame(v.frame)).toEqual({ kind: 'async', type: v.type, token: v.type, params: v.params });
    expect(encodeAsync(v.type, v.params)).toBe(v.frame);
  });

  it.each(vectors.exchanges)('exchange $request -> $reply', (v) => {
    const request = decodeFrame(v.request);
    const reply = decodeFrame(v.reply);
    expect(request.kind).toBe('command');
    expect(reply.kind).toBe('reply');
    if (request.kind === 'command' && reply.kind === 'reply') expect(reply.seq).toBe(request.seq);
  });
});

describe('decodeFrame', () => {
  it('accepts frames with and without \\r, \\r\\n and no checksum', () => {
    expect(decodeFrame('$GS^30')).toMatchObject({ kind: 'command', command: 'GS' });
    expect(decodeFrame('$OK 16^07\r\n')).toMatchObject({ kind: 'reply', ok: true, params: ['16'] });
    expect(decodeFrame('$OK 16')).toMatchObject({ kind: 'reply', ok: true, params: ['16'], seq: null });
  });

  it('reports a bad checksum, either kind', () => {
    expect(decodeFrame('$GS^31\r')).toMatchObject({ kind: 'error', error: 'checksum' });
    expect(decodeFrame('$FE*AE\r')).toMatchObject({ kind: 'error', error: 'checksum' });
    expect(decodeFrame('$OK 03 1234 03 0140 :02^3A\r')).toMatchObject({ kind: 'error', error: 'checksum' });
  });

  it('accepts lower-case checksum digits, as the firmware does', () => {
    expect(decodeFrame('$GS :01^2b')).toMatchObject({ kind: 'command', seq: 1 });
  });

  it('reports malformed frames', () => {
    for (const text of ['', 'GS^30', '$', '$^24', '$GS^3', '$GS^3G', '$GS  1', '$GS :1', '$GS :01 2', '$G\u00e9', '$G$S', '$ GS']) {
      expect(decodeFrame(text), text).toMatchObject({ kind: 'error' });
    }
  });

  it('refuses more than 10 tokens', () => {
    expect(decodeFrame('$FP 1 2 3 4 5 6 7 8 9')).toMatchObject({ kind: 'command' });
    expect(decodeFrame('$FP 1 2 3 4 5 6 7 8 9 10')).toMatchObject({ kind: 'error', error: 'tooManyTokens' });
  });

  it('tells notices from replies: tokens starting with A, and WF, are unsolicited', () => {
    expect(decodeFrame('$AN 1')).toMatchObject({ kind: 'async', type: 'AN', params: ['1'] });
    expect(decodeFrame('$WF 02')).toMatchObject({ kind: 'async', type: 'WF', params: ['02'] });
    expect(decodeFrame('$AX 1')).toMatchObject({ kind: 'async', type: 'other', token: 'AX' });
    expect(decodeFrame('$NK')).toMatchObject({ kind: 'reply', ok: false });
  });
});

describe('encodeCommand refuses what cannot be sent', () => {
  it('throws TypeError for bad commands, params and seq', () => {
    expect(() => encodeCommand('G', [])).toThrow(TypeError);
    expect(() => encodeCommand('GS', ['a b'])).toThrow(TypeError);
    expect(() => encodeCommand('GS', ['a^b'])).toThrow(TypeError);
    expect(() => encodeCommand('GS', [':01'])).toThrow(TypeError);
    expect(() => encodeCommand('GS', [''])).toThrow(TypeError);
    expect(() => encodeCommand('GS', [], { seq: 0 })).toThrow(TypeError);
    expect(() => encodeCommand('GS', [], { seq: 256 })).toThrow(TypeError);
  });
});

describe('state codes', () => {
  it('maps states to pilot, mode and fault', () => {
    expect(describeEvseState(1)).toMatchObject({ kind: 'A', mode: 'enabled', fault: null });
    expect(describeEvseState(3)).toMatchObject({ kind: 'C', mode: 'enabled', canDeliver: true });
    expect(describeEvseState(0xfe)).toMatchObject({ kind: 'sleeping', mode: 'sleeping' });
    expect(describeEvseState(0xff)).toMatchObject({ kind: 'disabled', mode: 'disabled', canDeliver: false });
    expect(describeEvseState(6)).toMatchObject({ kind: 'fault', fault: 'gfci', mode: null, canDeliver: false });
    expect(describeEvseState(7).fault).toBe('noGround');
    expect(describeEvseState(8).fault).toBe('stuckRelay');
    expect(describeEvseState(0x0b).fault).toBe('overCurrent');
    expect(describeEvseState(0x0e).fault).toBe('relayClosure');
  });

  it('an unknown code (0xFD) is unknown and does not deliver energy', () => {
    expect(describeEvseState(0xfd)).toEqual({ code: 0xfd, kind: 'unknown', mode: null, fault: null, canDeliver: false });
    expect(describeEvseState(0)).toMatchObject({ kind: 'unknown' });
    expect(pilotLetter(0xfd)).toBe('unknown');
    expect(pilotLetter(2)).toBe('B');
  });
});

describe('parameter parsers', () => {
  it('$AT and $GS', () => {
    expect(parseAsyncState(['02', '02', '16', '0100'])).toEqual({ state: 2, pilot: 2, currentA: 16, elapsedS: null, vflags: 0x100 });
    expect(parseAsyncState(['fe', '01', '32', '0000'])).toMatchObject({ state: 0xfe, pilot: 1 });
    expect(parseGetState(['03', '1234', '03', '0140'])).toEqual({ state: 3, pilot: 3, currentA: null, elapsedS: 1234, vflags: 0x140 });
    expect(parseGetState(['03', '1234'])).toMatchObject({ state: 3, pilot: null, vflags: null });
    expect(parseAsyncState(['zz'])).toBeNull();
    expect(parseGetState(['03'])).toBeNull();
    expect(parseAsyncState(['03', '03', 'x'])).toBeNull();
  });

  it('$GU, $GG, $GV, $GC, $GF, $AB, $SY', () => {
    expect(parseEnergy(['5432000', '123456'])).toEqual({ sessionWs: 5432000, totalWh: 123456 });
    expect(parseEnergy(['-1', '0'])).toBeNull();
    expect(parseMeasurement(['16000', '230000'])).toEqual({ currentMa: 16000, voltageMv: 230000, perPhase: null });
    expect(parseMeasurement(['0', '-1'])).toEqual({ currentMa: 0, voltageMv: -1, perPhase: null });
    expect(parseVersion(['8.2.2', '5.2.1'])).toEqual({ firmware: '8.2.2', rapi: '5.2.1' });
    expect(parseVersion([])).toBeNull();
    expect(parseCurrentRange(['6', '32', '16', '32'])).toEqual({ minA: 6, hwMaxA: 32, pilotA: 16, cfgMaxA: 32 });
    expect(parseFaultCounters(['1', '0', 'a'])).toEqual({ gfi: 1, noGround: 0, stuckRelay: 10 });
    expect(parseBoot(['00', '8.2.2'])).toEqual({ postCode: 0, firmware: '8.2.2' });
    expect(parseBoot(['09'])).toEqual({ postCode: 9, firmware: null });
    expect(parseHeartbeat(['30', '6', '2'])).toEqual({ intervalS: 30, fallbackA: 6, trigger: 2 });
  });
});

describe('firmware variants', () => {
  it('$GU in either field order; exactly two fields', () => {
    expect(parseEnergy(['123456', '5432000'], 'totalFirst')).toEqual({ sessionWs: 5432000, totalWh: 123456 });
    expect(parseEnergy(['5432000', '123456'], 'sessionFirst')).toEqual({ sessionWs: 5432000, totalWh: 123456 });
    expect(parseEnergy(['5432000'])).toBeNull();
    expect(parseEnergy(['5432000', '123456', '7'])).toBeNull();
  });

  it('$GG with 4 fields: the three phase currents, then the voltage', () => {
    expect(parseMeasurement(['16000', '15000', '14000', '230000'])).toEqual({ currentMa: 45000, voltageMv: 230000, perPhase: [16000, 15000, 14000] });
    expect(parseMeasurement(['16000', '0', '0', '-1'])).toMatchObject({ currentMa: 16000, voltageMv: -1 });
    expect(parseMeasurement(['16000', '230000', '1'])).toBeNull();
    expect(parseMeasurement(['16000', '-5', '0', '230000'])).toBeNull();
    expect(parseMeasurement(['16000', 'x'])).toBeNull();
  });

  it('the sleep codes of a profile: 0xFD is sleep only for the firmware that uses it', () => {
    const emulator = rapiProfile({ firmware: '8.2.1', rapi: '5.0.1' });
    expect(describeEvseState(0xfd, emulator.sleepCodes)).toMatchObject({ kind: 'sleeping', mode: 'sleeping', canDeliver: true });
    expect(describeEvseState(0xfe, emulator.sleepCodes)).toMatchObject({ kind: 'sleeping' });
    expect(describeEvseState(0xfd, rapiProfile({ firmware: '8.2.2', rapi: '5.2.1' }).sleepCodes)).toMatchObject({ kind: 'unknown' });
  });

  it('profiles from $GV: the sleep codes by firmware, the $GU order by RAPI version, unknown versions flagged', () => {
    expect(rapiProfile({ firmware: '8.2.2', rapi: '5.2.1' })).toEqual({ sleepCodes: [0xfe], energyOrder: 'sessionFirst', known: true });
    expect(rapiProfile({ firmware: '8.2.1', rapi: '5.0.1' })).toEqual({ sleepCodes: [0xfe, 0xfd], energyOrder: 'sessionFirst', known: true });
    expect(rapiProfile({ firmware: '4.8.0', rapi: '3.0.1' })).toEqual({ sleepCodes: [0xfe], energyOrder: 'totalFirst', known: true });
    expect(rapiProfile({ firmware: '8.2.1', rapi: '3.0.1' })).toMatchObject({ sleepCodes: [0xfe, 0xfd], energyOrder: 'totalFirst' });
    for (const version of [null, { firmware: 'X', rapi: null }, { firmware: '9.0.0', rapi: '6.0.0' }, { firmware: '9', rapi: 'beta' }]) {
      expect(rapiProfile(version)).toMatchObject({ known: false, energyOrder: 'sessionFirst' });
    }
  });

  it('the third-party emulator\'s id-less $GV answer from the issue decodes', () => {
    const reply = vectors.replies.find((v) => v.frame === '$OK 8.2.1 5.0.1^2F\r')!;
    expect(decodeFrame(reply.frame)).toEqual({ kind: 'reply', ok: true, params: ['8.2.1', '5.0.1'], seq: null });
  });
});

describe('properties', () => {
  const token = fc.stringMatching(/^[A-Z0-9]{2}$/).filter((t) => !t.startsWith('A') && t !== 'OK' && t !== 'NK' && t !== 'WF');
  const param = fc.stringMatching(/^[\x21-\x7e]{1,8}$/).filter((p) => !/[$^*]/.test(p) && !p.startsWith(':'));
  const seq = fc.option(fc.integer({ min: 1, max: 255 }), { nil: null });
  const checksum = fc.constantFrom<ChecksumKind>('xor', 'additive', 'none');

  it('encode -> decode gives back the command, its params and its seq', () => {
    fc.assert(
      fc.property(token, fc.array(param, { maxLength: 7 }), seq, checksum, (command, params, s, kind) => {
        const frame = encodeCommand(command, params, { seq: s, checksum: kind });
        expect(frame.endsWith('\r')).toBe(true);
        expect(decodeFrame(frame)).toEqual({ kind: 'command', command, params, seq: s, checksum: kind });
      }),
    );
  });

  it('replies round-trip too', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(param, { maxLength: 7 }), seq, (ok, params, s) => {
        expect(decodeFrame(encodeReply(ok, params, { seq: s }))).toEqual({ kind: 'reply', ok, params, seq: s });
      }),
    );
  });

  it('one flipped bit in a checksummed frame is never taken for a valid frame with the same content', () => {
    fc.assert(
      fc.property(token, fc.array(param, { maxLength: 4 }), seq, fc.nat(), fc.integer({ min: 0, max: 6 }), (command, params, s, at, bit) => {
        const frame = encodeCommand(command, params, { seq: s }).slice(0, -1);
        const body = frame.length - 3; // the bytes the checksum covers
        const i = 1 + (at % (body - 1));
        const flipped = frame.slice(0, i) + String.fromCharCode(frame.charCodeAt(i) ^ (1 << bit)) + frame.slice(i + 1);
        const decoded = decodeFrame(flipped);
        expect(decoded).not.toEqual(decodeFrame(frame));
      }),
    );
  });

  it('decode never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(/^\$[A-Z :0-9^*]{0,30}$/)), (text) => {
        const result = decodeFrame(text);
        expect(['reply', 'async', 'command', 'error']).toContain(result.kind);
      }),
      { numRuns: 2000 },
    );
  });
});
