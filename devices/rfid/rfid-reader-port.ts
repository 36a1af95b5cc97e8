// The port for an RFID/NFC card reader. Implementations: simulated now; USB HID
// keyboard-wedge (node-hid, opened exclusively) and serial RDM6300-style later.

export type RfidEvent =
  | { type: 'tag'; uid: string }
  | { type: 'offline'; reason: string }
  | { type: 'online' };

export interface RfidReader {
  subscribe(listener: (event: RfidEvent) => void): () => void;
  close(): Promise<void>;
}

/** Card UIDs as upper-case hex, 4, 7 or 10 bytes (ISO 14443). */
export const RFID_UID = /^(?:[0-9A-F]{8}|[0-9A-F]{14}|[0-9A-F]{20})$/;
