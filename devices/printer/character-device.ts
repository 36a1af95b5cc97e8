// Opening a printer's device file: a tty (a serial printer, a USB-serial adapter) goes
// through serialport (baud rate, 8N1, lock); anything else, a USB printer-class device
// (/dev/usb/lp0, usually by a udev link such as /dev/kiosk-printer), is read and
// written as a plain file, with no termios. It is opened non-blocking: a blocking read
// on usblp would wait in a libuv worker thread until the printer said something, and
// one that never answers would keep that thread for good. usblp allows one open at a
// time, which stands in for the lock serialport takes on a tty.
import fs from 'node:fs';
import { Duplex } from 'node:stream';
import tty from 'node:tty';
import { openSerialPort } from '../serial/serial-link.js';

/** How often an idle device is read again, and a full one written again, ms. */
const POLL_MS = 20;

const isRetry = (error: unknown): boolean => {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'EAGAIN' || code === 'EWOULDBLOCK';
};

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A device file as a Duplex: reads polled, writes retried while the device is full; an I/O error (unplugged: ENODEV, EIO) destroys it. */
export class CharacterDeviceStream extends Duplex {
  private reading = false;
  private readonly isTty: boolean;

  constructor(
    private readonly file: fs.promises.FileHandle,
    readonly path: string,
  ) {
    super();
    this.isTty = tty.isatty(file.fd);
  }

  override _read(): void {
    if (this.reading) return;
    this.reading = true;
    void this.readLoop();
  }

  private async readLoop(): Promise<void> {
    const buffer = Buffer.alloc(256);
    while (!this.destroyed) {
      let bytesRead = 0;
      try {
        ({ bytesRead } = await this.file.read(buffer, 0, buffer.length, null));
      } catch (error) {
        if (!isRetry(error)) return void this.destroy(error as Error);
        bytesRead = -1; // EAGAIN: nothing yet
      }
      if (this.destroyed) return;
      if (bytesRead > 0) {
        if (!this.push(Buffer.from(buffer.subarray(0, bytesRead)))) {
          this.reading = false; // _read() starts again when the reader wants more
          return;
        }
      } else {
        // End of file on a tty is its hangup (the other side is gone); usblp and /dev/null
        // read 0 bytes when there is nothing to read. A gone usblp fails the next write (ENODEV).
        if (bytesRead === 0 && this.isTty) return void this.destroy(new Error(`${this.path} hung up`));
        await wait(POLL_MS); // nothing yet
      }
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    void (async () => {
      let offset = 0;
      while (offset < chunk.length) {
        if (this.destroyed) return callback(new Error(`${this.path} is closed`));
        try {
          const { bytesWritten } = await this.file.write(chunk, offset, chunk.length - offset, null);
          offset += bytesWritten;
          if (bytesWritten === 0) await wait(POLL_MS);
        } catch (error) {
          if (!isRetry(error)) return callback(error as Error);
          await wait(POLL_MS); // the printer's buffer is full (printing, paper out): try again
        }
      }
      callback();
    })();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.file.close().then(
      () => callback(error),
      () => callback(error),
    );
  }
}

/** Opens a non-tty device file read/write, non-blocking. */
export async function openCharacterDevice(path: string): Promise<CharacterDeviceStream> {
  const { O_RDWR, O_NOCTTY, O_NONBLOCK } = fs.constants;
  const file = await fs.promises.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
  return new CharacterDeviceStream(file, path);
}

/** A tty through serialport at `baudRate`; any other device file as a plain file (`baudRate` does not apply). */
export async function openPrinterPort(path: string, baudRate: number): Promise<Duplex> {
  const { O_RDWR, O_NOCTTY, O_NONBLOCK } = fs.constants;
  const file = await fs.promises.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
  if (tty.isatty(file.fd)) {
    await file.close();
    return openSerialPort(path, baudRate);
  }
  return new CharacterDeviceStream(file, path);
}
