// Two in-memory byte streams joined like the two ends of a cable: bytes written to one
// are read from the other. Stands in for a serial port between a driver and a device
// simulator in sim mode and in tests. Bytes are delivered on a later tick, in order,
// as a port would deliver them (never inside the writer's own call).
//
// Destroying either end (destroy(), or end() from both sides) takes the whole cable
// away: both ends emit 'close', as both sides of a vanished device would.
import { Duplex } from 'node:stream';

export class MemoryDuplex extends Duplex {
  /** @internal The other end; set once by createDuplexPair. */
  peer: MemoryDuplex | null = null;
  /** Bytes written to this end so far (for tests and statistics). */
  bytesWritten = 0;

  constructor() {
    super({ allowHalfOpen: false });
  }

  override _read(): void {
    // Data is pushed by the peer as it is written.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    if (!peer || peer.destroyed) {
      callback(new Error('the other end of the in-memory link is gone'));
      return;
    }
    this.bytesWritten += chunk.length;
    const copy = Buffer.from(chunk);
    process.nextTick(() => {
      if (!peer.destroyed) peer.push(copy);
    });
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    process.nextTick(() => {
      if (peer && !peer.destroyed) peer.push(null);
    });
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    if (peer && !peer.destroyed) peer.destroy();
    callback(error);
  }
}

export type DuplexPair = [MemoryDuplex, MemoryDuplex];

/** Two connected in-memory Duplex streams; destroying either one closes both. */
export function createDuplexPair(): DuplexPair {
  const a = new MemoryDuplex();
  const b = new MemoryDuplex();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
