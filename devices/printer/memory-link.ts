// Two Duplex ends of a cable in memory: what one end writes the other reads. Destroying
// either end closes both, as pulling the cable would. For the sim mode and tests.
import { Duplex } from 'node:stream';

class MemoryEnd extends Duplex {
  peer: MemoryEnd | null = null;

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.peer || this.peer.destroyed) return callback(new Error('the other end of the memory link is closed'));
    this.peer.push(Buffer.from(chunk));
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    this.peer = null;
    if (peer && !peer.destroyed) peer.destroy();
    callback(error);
  }
}

export function memoryLink(): [Duplex, Duplex] {
  const a = new MemoryEnd();
  const b = new MemoryEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
