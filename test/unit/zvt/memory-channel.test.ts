// The in-memory ApduChannel pair, unframed and through the serial link layer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import { encodeApdu } from '../../../devices/payment/zvt/apdu.js';
import { createApduChannelPair } from '../../../devices/payment/zvt/memory-channel.js';
import { ZvtSerialChannel } from '../../../devices/payment/zvt/serial-channel.js';
import { bytes, hex } from './zvt-helpers.js';

const settle = async (rounds = 5): Promise<void> => {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe.each([false, true])('createApduChannelPair({ framed: %s })', (framed) => {
  it('APDUs both ways, intact and in order', async () => {
    const [ecr, terminal] = createApduChannelPair({ framed, clock: new ManualClock() });
    expect(ecr instanceof ZvtSerialChannel).toBe(framed);
    const atTerminal: string[] = [];
    const atEcr: string[] = [];
    terminal.onApdu((apdu) => atTerminal.push(hex(apdu)));
    ecr.onApdu((apdu) => atEcr.push(hex(apdu)));
    const long = encodeApdu(0x06, 0xd3, new Uint8Array(400).fill(0x10));
    await Promise.all([ecr.send(bytes('060006123456ba0978')), ecr.send(long), terminal.send(bytes('800000')), terminal.send(bytes('060f00'))]);
    await settle();
    expect(atTerminal).toEqual(['060006123456ba0978', hex(long)]);
    expect(atEcr).toEqual(['800000', '060f00']);
    await ecr.close();
  });

  it('never delivers inside the sender call, and delivers copies', async () => {
    const [a, b] = createApduChannelPair({ framed, clock: new ManualClock() });
    const got: Uint8Array[] = [];
    b.onApdu((apdu) => got.push(apdu));
    const apdu = bytes('0501020304');
    const sent = a.send(apdu);
    expect(got).toHaveLength(0);
    apdu[0] = 0xff; // the caller reuses its buffer
    await sent;
    await settle();
    expect(got.map(hex)).toEqual(['0501020304']);
    await a.close();
  });

  it('closing one end closes both, once each; sends then reject with closed', async () => {
    const [a, b] = createApduChannelPair({ framed, clock: new ManualClock() });
    const closes: string[] = [];
    a.onClose(() => closes.push('a'));
    b.onClose(() => closes.push('b'));
    await a.close();
    await b.close();
    await settle();
    expect(closes.sort()).toEqual(['a', 'b']);
    await expect(a.send(bytes('800000'))).rejects.toMatchObject({ code: 'closed' });
    await expect(b.send(bytes('800000'))).rejects.toMatchObject({ code: 'closed' });
  });

  it('property: any sequence of APDUs arrives in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 300 })), { maxLength: 10 }), async (items) => {
        const [a, b] = createApduChannelPair({ framed, clock: new ManualClock() });
        const got: string[] = [];
        b.onApdu((apdu) => got.push(hex(apdu)));
        // Distinct APDUs: the framed link takes an identical one within T3 for a repeat (no sequence numbers).
        const apdus = items.map(([instr, body], i) => encodeApdu(0x04, instr, Uint8Array.from([i, ...body])));
        await Promise.all(apdus.map((apdu) => a.send(apdu)));
        await settle();
        expect(got).toEqual(apdus.map(hex));
        await a.close();
      }),
      { numRuns: 30 },
    );
  });
});
