// One logger (pino) for the brain: JSON lines to a file in the data folder that
// rotates by size (the whole story, at log.level), and the same events one readable
// line each on standard output, from info up:
//
//   12:00:01 WARN  charger 1: controller booted (postCode=0, firmware=8.2.2)
//
// Card data never reaches a log: the brain only ever holds masked PANs, and the
// redact list below is the backstop (it applies before either output).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type DestinationStream, type Logger } from 'pino';
import { createStream } from 'rotating-file-stream';
import type { KioskConfig } from './config/config-schema.js';

const REDACT = ['pan', '*.pan', 'track2', '*.track2', 'cardNumber', '*.cardNumber', 'pin', '*.pin', 'stopCode', '*.stopCode', '*.session.stopCode'];

export function createLogger(dataDir: string, options: KioskConfig['log'], toStdout = true): { log: Logger; close: () => Promise<void>; recent: RecentProblems } {
  const dir = join(dataDir, 'logs');
  mkdirSync(dir, { recursive: true });
  const file = createStream('kiosk.log', { path: dir, size: options.rotateSize, maxFiles: options.keep });
  const recent = new RecentProblems();
  const streams: pino.StreamEntry[] = [{ level: options.level, stream: file }, { level: 'warn', stream: recent }];
  // The terminal gets what an operator follows (debug, such as every RAPI frame, stays in the file).
  if (toStdout) streams.push({ level: 'info', stream: terminalStream(process.stdout) });
  const log = pino({ level: options.level, redact: { paths: REDACT, censor: '[redacted]' } }, pino.multistream(streams));
  return {
    log,
    recent,
    close: () => new Promise((resolve) => file.end(() => resolve())),
  };
}

/** A warning or error as the maintenance menu shows it: when, how bad, and the line in words. */
export interface ProblemLine {
  at: number;
  level: 'warn' | 'error' | 'fatal';
  text: string;
}

/**
 * The last warnings and errors, in memory, for the technician's log page: a pino
 * destination that keeps the newest `capacity` lines, each worded as the terminal shows it
 * (without its clock time, which the page shows itself).
 */
export class RecentProblems implements DestinationStream {
  private readonly lines: ProblemLine[] = [];

  constructor(private readonly capacity = 200) {}

  write(line: string): void {
    let entry: LogEntry;
    try {
      entry = JSON.parse(line) as LogEntry;
    } catch {
      return;
    }
    const level = (entry.level ?? 0) >= 60 ? 'fatal' : (entry.level ?? 0) >= 50 ? 'error' : 'warn';
    const text = formatLogLine(entry).replace(/^\S+ \S+\s+/, ''); // drop the time and level
    this.lines.push({ at: entry.time ?? Date.now(), level, text });
    if (this.lines.length > this.capacity) this.lines.shift();
  }

  /** Newest first. */
  list(): ProblemLine[] {
    return [...this.lines].reverse();
  }
}

/** A pino destination that writes each JSON line it gets to `out` as one readable line (colours on a terminal unless NO_COLOR). */
export function terminalStream(out: Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): DestinationStream {
  const color = out.isTTY === true && env.NO_COLOR === undefined;
  return {
    write(line: string) {
      let entry: unknown;
      try {
        entry = JSON.parse(line);
      } catch {
        entry = null;
      }
      out.write(entry !== null && typeof entry === 'object' ? `${formatLogLine(entry as LogEntry, { color })}\n` : line);
    },
  };
}

/** A pino log line, parsed. */
export type LogEntry = { level?: number; time?: number; msg?: string } & Record<string, unknown>;

const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: 'TRACE', color: '\x1b[90m' },
  20: { name: 'DEBUG', color: '\x1b[90m' },
  30: { name: 'INFO', color: '\x1b[36m' },
  40: { name: 'WARN', color: '\x1b[33m' },
  50: { name: 'ERROR', color: '\x1b[31m' },
  60: { name: 'FATAL', color: '\x1b[41;97m' },
};
/** pino's own fields, and the bindings that name the component. */
const NOT_SHOWN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'device', 'part', 'connectorId']);
const MAX_VALUE_CHARS = 60;

/**
 * One log entry as a line for a person: local time, level, the component (from the
 * child logger's bindings: `charger 1`, `payments`, `connector 2`, else `kiosk`), the
 * message (without the component's name repeated at its start) and the other fields
 * as key=value, each cut to 60 characters; an error shows its message, an object of
 * flags the ones that are set.
 */
export function formatLogLine(entry: LogEntry, options: { color?: boolean } = {}): string {
  const level = LEVELS[entry.level ?? 30] ?? { name: String(entry.level), color: '' };
  const tag = options.color ? `${level.color}${level.name}\x1b[0m${' '.repeat(Math.max(0, 5 - level.name.length))}` : level.name.padEnd(5);
  const component = componentOf(entry);
  let message = String(entry.msg ?? '');
  for (const name of [component, component.split(' ')[0]!]) {
    if (!message.startsWith(`${name} `)) continue;
    message = message.slice(name.length + 1);
    break;
  }
  const fields = Object.entries(entry)
    .filter(([key, value]) => !NOT_SHOWN.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${showValue(key, value)}`);
  return `${clockTime(entry.time ?? Date.now())} ${tag} ${component}: ${message}${fields.length > 0 ? ` (${fields.join(', ')})` : ''}`;
}

function componentOf(entry: LogEntry): string {
  const connector = entry.connectorId ?? null;
  if (typeof entry.device === 'string') return connector === null ? entry.device : `${entry.device} ${String(connector)}`;
  if (typeof entry.part === 'string') return entry.part;
  return connector === null ? 'kiosk' : `connector ${String(connector)}`;
}

function showValue(key: string, value: unknown): string {
  let text: string;
  if (key === 'err' && value !== null && typeof value === 'object' && 'message' in value) text = String(value.message);
  else if (typeof value === 'string') text = /^[^\s,()=]+$/.test(value) ? value : JSON.stringify(value);
  else if (isFlags(value)) text = Object.keys(value).filter((flag) => value[flag]).join('+') || 'none';
  else text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

/** `{ heartbeat: true, energyLimit: false }`: shown as the flags that are set. */
function isFlags(value: unknown): value is Record<string, boolean> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0 && Object.values(value).every((v) => typeof v === 'boolean');
}

function clockTime(epochMs: number): string {
  const at = new Date(epochMs);
  return [at.getHours(), at.getMinutes(), at.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
