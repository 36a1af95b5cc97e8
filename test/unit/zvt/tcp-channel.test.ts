// ZVT over TCP through a real loopback socket: listenZvtTcp on port 0, connectZvtTcp.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import { createDuplexPair } from '../../../devices/memory-duplex.js';
import { encodeApdu } from '../../../devices/payment/zvt/apdu.js';
import { connectZvtTcp, listenZvtTcp, ZVT_TCP_PORT, ZvtTcpChannel } from '../../../devices/payment/zvt/tcp-channel.js';
import type { ZvtTcpServer } from '../../../devices/payment/zvt/tcp-channel.js';
import { bytes, hex } from './zvt-helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function waitFor(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A server and a connected client channel, both ends collecting what they receive. */
async function connectedPair() {
  const accepted: ZvtTcpChannel[] = [];
  const server: ZvtTcpServer = await listenZvtTcp(0, '127.0.0.1', (channel) => accepted.push(channel));
  cleanups.push(() => server.close());
  const client = await connectZvtTcp('127.0.0.1', server.port, { timeoutMs: 2000 });
  cleanups.push(() => client.close());
  await waitFor(() => accepted.length === 1, 'the server to accept');
  const terminal = accepted[0]!;
  const atTerminal: string[] = [];
  const atClient: string[] = [];
  terminal.onApdu((apdu) => atTerminal.push(hex(apdu)));
  client.onApdu((apdu) => atClient.push(hex(apdu)));
  return { server, client, terminal, atTerminal, atClient };
}

const registration = bytes('060006123456ba0978');
const long = encodeApdu(0x06, 0xd3, Uint8Array.from({ length: 300 }, (_, i) => i & 0xff)); // 06 D3 FF 2C 01 …

describe('ZvtTcpChannel over loopback', () => {
  it('the default port is 20007', () => {
    expect(ZVT_TCP_PORT).toBe(20007);
  });

  it('APDUs both ways, FF extended length included, in order', async () => {
    const { client, terminal, atTerminal, atClient } = await connectedPair();
    expect(hex(long).slice(0, 10)).toBe('06d3ff2c01');
    await client.send(registration);
    await client.send(long);
    await terminal.send(bytes('800000'));
    await terminal.send(long);
    await terminal.send(bytes('060f00'));
    await waitFor(() => atTerminal.length === 2 && atClient.length === 3, 'the APDUs');
    expect(atTerminal).toEqual([hex(registration), hex(long)]);
    expect(atClient).toEqual(['800000', hex(long), '060f00']);
  });

  it('APDUs split into single bytes, and several in one chunk', async () => {
    const accepted: ZvtTcpChannel[] = [];
    const server = await listenZvtTcp(0, '127.0.0.1', (channel) => accepted.push(channel));
    cleanups.push(() => server.close());
    const raw = net.connect({ host: '127.0.0.1', port: server.port });
    raw.setNoDelay(true);
    cleanups.push(async () => void raw.destroy());
    await new Promise<void>((resolve) => raw.once('connect', () => resolve()));
    await waitFor(() => accepted.length === 1, 'the server to accept');
    const got: string[] = [];
    accepted[0]!.onApdu((apdu) => got.push(hex(apdu)));
    for (const byte of long) {
      raw.write(Uint8Array.of(byte));
      await new Promise((resolve) => setImmediate(resolve));
    }
    raw.write(Buffer.concat([registration, bytes('800000'), long.subarray(0, 4)]));
    raw.write(long.subarray(4));
    await waitFor(() => got.length === 4, 'the APDUs');
    expect(got).toEqual([hex(long), hex(registration), '800000', hex(long)]);
  });

  it('the peer closing fires onClose once; sends after it reject with closed', async () => {
    const { client, terminal } = await connectedPair();
    const reasons: string[] = [];
    client.onClose((reason) => reasons.push(reason));
    await terminal.close();
    await waitFor(() => reasons.length > 0, 'onClose');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/closed/);
    await expect(client.send(registration)).rejects.toMatchObject({ name: 'ZvtLinkError', code: 'closed' });
  });

  it('connecting to a closed port fails with an error naming host:port', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await expect(connectZvtTcp('127.0.0.1', port, { timeoutMs: 2000 })).rejects.toThrow(new RegExp(`ZVT terminal at 127\\.0\\.0\\.1:${port}: ECONNREFUSED`));
  });

  it('a connection that does not come within timeoutMs fails with a clear timeout error', async () => {
    const clock = new ManualClock();
    const connecting = connectZvtTcp('127.0.0.1', 9, { timeoutMs: 3000, clock });
    clock.advance(3000); // before the socket could answer at all
    await expect(connecting).rejects.toThrow('could not connect to the ZVT terminal at 127.0.0.1:9: no connection within 3000 ms');
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('ZvtTcpChannel over any Duplex', () => {
  it('a header announcing more than maxApduBytes closes the channel with the reason', async () => {
    const [ours, theirs] = createDuplexPair();
    const channel = new ZvtTcpChannel(ours, { maxApduBytes: 1000 });
    const reasons: string[] = [];
    const got: string[] = [];
    channel.onClose((reason) => reasons.push(reason));
    channel.onApdu((apdu) => got.push(hex(apdu)));
    theirs.write(Buffer.concat([bytes('800000'), bytes('0601ff00ff')]));
    await waitFor(() => reasons.length > 0, 'onClose');
    expect(got).toEqual(['800000']);
    expect(reasons[0]).toMatch(/announcing 65285 bytes, more than the 1000 accepted/);
  });

  it('send refuses bytes that are not one whole APDU', async () => {
    const [ours] = createDuplexPair();
    const channel = new ZvtTcpChannel(ours);
    await expect(channel.send(bytes('060005'))).rejects.toThrow(RangeError);
    await channel.close();
  });
});
