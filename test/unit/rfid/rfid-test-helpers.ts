// Shared by the RFID tests (not a test file itself): a logger that keeps its lines, and
// a listener that keeps the events.
import type { RfidLog } from '../../../devices/rfid/listeners.js';
import type { RfidEvent, RfidReader } from '../../../devices/rfid/rfid-reader-port.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  object: Record<string, unknown>;
  message: string;
}

export function memoryLog(): RfidLog & { lines: LogLine[]; error(object: object, message: string): void } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (object: object, message: string): void => {
      lines.push({ level, object: object as Record<string, unknown>, message });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export function record(reader: RfidReader): RfidEvent[] {
  const events: RfidEvent[] = [];
  reader.subscribe((event) => events.push(event));
  return events;
}

export const tagsOf = (events: RfidEvent[]): string[] => events.flatMap((e) => (e.type === 'tag' ? [e.uid] : []));
