// One logger (pino) for the brain: JSON lines to a file in the data folder that
// rotates by size, and to standard output. Card data never reaches a log: the
// brain only ever holds masked PANs, and the redact list below is the backstop.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { createStream } from 'rotating-file-stream';
import type { KioskConfig } from './config/config-schema.js';

const REDACT = ['pan', '*.pan', 'track2', '*.track2', 'cardNumber', '*.cardNumber', 'pin', '*.pin', 'stopCode', '*.stopCode', '*.session.stopCode'];

export function createLogger(dataDir: string, options: KioskConfig['log'], toStdout = true): { log: Logger; close: () => Promise<void> } {
  const dir = join(dataDir, 'logs');
  mkdirSync(dir, { recursive: true });
  const file = createStream('kiosk.log', { path: dir, size: options.rotateSize, maxFiles: options.keep });
  const streams: pino.StreamEntry[] = [{ level: options.level, stream: file }];
  // The terminal gets warnings and errors; the whole story is in the file.
  if (toStdout) streams.push({ level: 'warn', stream: process.stdout });
  const log = pino({ level: options.level, redact: { paths: REDACT, censor: '[redacted]' } }, pino.multistream(streams));
  return {
    log,
    close: () => new Promise((resolve) => file.end(() => resolve())),
  };
}
