// Two ApduChannels joined in memory, for sim mode and tests: the ECR driver on one end,
// the terminal simulator on the other.
//   framed: false (default): APDUs pass as they are (copied), delivered on a later tick,
//     in order; send resolves once the APDU is queued for the other end.
//   framed: true: two ZvtSerialChannels over a MemoryDuplex pair, so the exchange goes
//     through the real serial link layer (frames, DLE doubling, CRC, ACK/NAK, T3).
// Closing either end closes both, as a pulled cable would.
import { systemClock } from '../../clock.js';
import type { Clock } from '../../clock.js';
import { createDuplexPair } from '../../memory-duplex.js';
import { ChannelListeners, type ApduChannel } from './channel.js';
import { ZvtLinkError, ZvtSerialChannel } from './serial-channel.js';
import type { ZvtLinkLog } from './serial-channel.js';

export interface ApduChannelPairOptions {
  /** Run the serial link layer between the two ends (default false). */
  framed?: boolean;
  /** framed only: the link's timers (default the system clock). */
  clock?: Clock;
  log?: ZvtLinkLog | undefined;
}

class MemoryApduChannel implements ApduChannel {
  peer: MemoryApduChannel | null = null;
  private readonly listeners = new ChannelListeners();
  private closedReason: string | null = null;

  send(apdu: Uint8Array): Promise<void> {
    if (!(apdu instanceof Uint8Array)) return Promise.reject(new TypeError('ApduChannel.send takes a Uint8Array'));
    const peer = this.peer;
    if (this.closedReason !== null || !peer) return Promise.reject(new ZvtLinkError('closed', `the in-memory ZVT channel is closed: ${this.closedReason ?? 'no peer'}`));
    const copy = Uint8Array.from(apdu);
    // process.nextTick keeps the order of sends and never delivers inside the sender's call.
    process.nextTick(() => peer.deliver(copy));
    return Promise.resolve();
  }

  onApdu(listener: (apdu: Uint8Array) => void): () => void {
    return this.listeners.onApdu(listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    return this.listeners.onClose(listener);
  }

  async close(): Promise<void> {
    this.shutDown('closed by this side');
    this.peer?.shutDown('the other end closed');
  }

  private deliver(apdu: Uint8Array): void {
    if (this.closedReason !== null) return;
    this.listeners.apdu(apdu);
  }

  private shutDown(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    this.listeners.closed(reason);
  }
}

/** Two connected ApduChannels: what one sends, the other receives. */
export function createApduChannelPair(options: ApduChannelPairOptions = {}): [ApduChannel, ApduChannel] {
  if (options.framed) {
    const clock = options.clock ?? systemClock;
    const [a, b] = createDuplexPair();
    return [
      new ZvtSerialChannel(a, { clock, log: options.log, device: 'in-memory ZVT peer' }),
      new ZvtSerialChannel(b, { clock, log: options.log, device: 'in-memory ZVT peer' }),
    ];
  }
  const a = new MemoryApduChannel();
  const b = new MemoryApduChannel();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
