// The ZVT serial link layer through real serialport, 9600 baud 8N2, on a pseudo-terminal
// pair made by socat: two ZvtSerialChannels (an ECR and a terminal) on the real clock.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../devices/clock.js';
import { encodeApdu } from '../../../devices/payment/zvt/apdu.js';
import { ZvtSerialChannel } from '../../../devices/payment/zvt/serial-channel.js';
import { openSerialPort, serialPortOpener } from '../../../devices/serial/serial-link.js';
import { SOCAT, waitFor } from '../charger/pty-helpers.js';
import { ptyPerTest } from '../charger/pty-fixture.js';

const haveSocat = fs.existsSync(SOCAT);
if (!haveSocat) console.warn(`ZVT pty test skipped: socat not found at ${SOCAT} (install socat, or set SOCAT_PATH)`);

const hex = (data: Uint8Array): string => Buffer.from(data).toString('hex');

describe.skipIf(!haveSocat)('ZVT serial channel over a pseudo-terminal, 9600 8N2', () => {
  const pty = ptyPerTest('zvt-pty-');

  async function channels(): Promise<{ ecr: ZvtSerialChannel; terminal: ZvtSerialChannel; atEcr: string[]; atTerminal: string[] }> {
    const [ecrPort, terminalPort] = await Promise.all([openSerialPort(pty.pair!.a, 9600, { stopBits: 2 }), serialPortOpener({ stopBits: 2 })(pty.pair!.b, 9600)]);
    const ecr = new ZvtSerialChannel(ecrPort, { clock: systemClock, device: 'card terminal' });
    const terminal = new ZvtSerialChannel(terminalPort, { clock: systemClock, device: 'ECR' });
    pty.cleanups.push(() => ecr.close(), () => terminal.close());
    const atEcr: string[] = [];
    const atTerminal: string[] = [];
    ecr.onApdu((apdu) => atEcr.push(hex(apdu)));
    terminal.onApdu((apdu) => atTerminal.push(hex(apdu)));
    return { ecr, terminal, atEcr, atTerminal };
  }

  it('a registration and a 300-byte APDU both ways', async () => {
    const { ecr, terminal, atEcr, atTerminal } = await channels();
    const registration = Uint8Array.from(Buffer.from('060006123456ba0978', 'hex'));
    // 300 bytes in all, 0x10 bytes among them (doubled on the wire).
    const long = encodeApdu(0x06, 0xd3, Uint8Array.from({ length: 295 }, (_, i) => (i % 7 === 0 ? 0x10 : i & 0xff)));
    expect(long.length).toBe(300);

    // One round trip, as the ECR sees it: registration out (ACKed), 80 00 00 back.
    terminal.onApdu((apdu) => {
      if (apdu[0] === 0x06 && apdu[1] === 0x00) void terminal.send(Uint8Array.of(0x80, 0x00, 0x00));
    });
    const started = performance.now();
    await ecr.send(registration);
    const acked = performance.now();
    await waitFor(() => atEcr.length === 1, 'the 80 00 00', 3000);
    const roundTrip = performance.now() - started;
    console.info(`ZVT over pty at 9600 8N2: registration frame ACKed after ${(acked - started).toFixed(1)} ms, 80 00 00 back after ${roundTrip.toFixed(1)} ms`);

    const longStarted = performance.now();
    await ecr.send(long);
    const longAcked = performance.now() - longStarted;
    await terminal.send(long);
    await terminal.send(registration);
    await waitFor(() => atTerminal.length === 2 && atEcr.length === 3, 'the APDUs', 5000);
    console.info(`ZVT over pty at 9600 8N2: 300-byte APDU ACKed after ${longAcked.toFixed(1)} ms`);

    expect(atTerminal).toEqual([hex(registration), hex(long)]);
    expect(atEcr).toEqual(['800000', hex(long), hex(registration)]);
    expect(ecr.stats).toMatchObject({ retransmissions: 0, naksSent: 0, duplicatesDropped: 0, stalledFrames: 0 });
    expect(terminal.stats).toMatchObject({ retransmissions: 0, naksSent: 0, duplicatesDropped: 0, stalledFrames: 0 });
  });

  it('the pty going away closes both channels and rejects what was in flight', async () => {
    const { ecr, terminal } = await channels();
    const reasons: string[] = [];
    ecr.onClose((reason) => reasons.push(`ecr: ${reason}`));
    terminal.onClose((reason) => reasons.push(`terminal: ${reason}`));
    await terminal.close();
    const sent = ecr.send(Uint8Array.of(0x05, 0x01, 0x00)).catch((error: unknown) => error);
    await pty.pair!.kill();
    pty.pair = null;
    await waitFor(() => ecr.closed, 'the ECR channel to close', 5000);
    expect(await sent).toMatchObject({ code: 'closed' });
    expect(reasons[0]).toMatch(/^terminal: closed by this side/);
    expect(reasons.some((r) => r.startsWith('ecr: '))).toBe(true);
  });
});
