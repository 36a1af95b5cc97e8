// A device's events to its listeners, in order. Events raised while listeners run (a
// listener may command the device from its callback) queue behind the current ones,
// so every listener hears them in order. A listener that throws neither stops the
// others nor fails the device's work (the device did it): its error surfaces as an
// uncaught error instead of being hidden.
export class EventOutbox<E> {
  private readonly listeners = new Set<(event: E) => void>();
  private queue: E[] = [];
  private flushing = false;

  subscribe(listener: (event: E) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Queues an event; `flush()` delivers it. */
  push(event: E): void {
    this.queue.push(event);
  }

  /** Queues an event and delivers everything queued. */
  emit(event: E): void {
    this.push(event);
    this.flush();
  }

  /** Events queued and not yet delivered. */
  get pending(): number {
    return this.queue.length;
  }

  /** Drops what is queued, undelivered. */
  clear(): void {
    this.queue = [];
  }

  /** Drops what is queued and every listener. */
  close(): void {
    this.queue = [];
    this.listeners.clear();
  }

  flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let event = this.queue.shift(); event !== undefined; event = this.queue.shift()) {
        for (const listener of [...this.listeners]) {
          try {
            listener(event);
          } catch (error) {
            queueMicrotask(() => {
              throw error;
            });
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
