// The listeners of one reader, shared by every RFID reader: each listener gets each
// event, a throwing listener does not keep the others from it, and a new listener is
// told at once whether the reader can be read (a reader that went offline before the
// station subscribed would otherwise look fine until its first tap).
import type { RfidEvent } from './rfid-reader-port.js';

/** What a reader logs; pino's logger fits. */
export interface RfidLog {
  debug(object: object, message: string): void;
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export class RfidListeners {
  private readonly listeners = new Set<(event: RfidEvent) => void>();
  private state: Extract<RfidEvent, { type: 'online' | 'offline' }> | null = null;
  private closed = false;

  /** Whether the reader can be read now (false before it is first found). */
  get online(): boolean {
    return this.state?.type === 'online';
  }

  /** Why the reader cannot be read, or null while it can (or before its first look). */
  get offlineReason(): string | null {
    return this.state?.type === 'offline' ? this.state.reason : null;
  }

  subscribe(listener: (event: RfidEvent) => void): () => void {
    if (this.closed) return () => {};
    this.listeners.add(listener);
    if (this.state) this.deliver(listener, this.state);
    return () => {
      this.listeners.delete(listener);
    };
  }

  tag(uid: string, suffix = false): void {
    this.emit(suffix ? { type: 'tag', uid, suffix: true } : { type: 'tag', uid });
  }

  /** Emits 'online' when the reader was not online. */
  setOnline(): void {
    if (this.state?.type === 'online') return;
    this.state = { type: 'online' };
    this.emit(this.state);
  }

  /** Emits 'offline' when the reader was online, or offline for another reason. */
  setOffline(reason: string): void {
    if (this.state?.type === 'offline' && this.state.reason === reason) return;
    this.state = { type: 'offline', reason };
    this.emit(this.state);
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
  }

  private emit(event: RfidEvent): void {
    if (this.closed) return;
    for (const listener of [...this.listeners]) this.deliver(listener, event);
  }

  private deliver(listener: (event: RfidEvent) => void, event: RfidEvent): void {
    try {
      listener(event);
    } catch (error) {
      // One listener's bug must not keep the others from the event; it surfaces uncaught.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}
