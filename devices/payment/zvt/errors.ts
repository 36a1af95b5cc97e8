// What the ZVT decoders return instead of throwing: bytes from the wire are data, and a
// malformed message is an answer (log it, NAK it, ignore it), never a crash.

export type ZvtErrorCode =
  /** The bytes end before the structure does (for a stream: wait for more). */
  | 'truncated'
  /** Bytes left after a complete structure that should have ended there. */
  | 'trailingBytes'
  /** A length field that is malformed (LLVAR digits, TLV length form, APDU length). */
  | 'badLength'
  /** A BMP number the table does not know: its length is unknown, so nothing after it can be read. */
  | 'unknownBmp'
  /** A malformed TLV tag or structure. */
  | 'badTlv'
  /** A field that should hold BCD digits does not. */
  | 'badBcd'
  /** A message that is well-formed but not what the parser was asked to read. */
  | 'unexpectedMessage'
  /** A field the message cannot do without is missing. */
  | 'missingField';

export interface ZvtError {
  code: ZvtErrorCode;
  message: string;
  /** Offset of the problem in the bytes given to the decoder, where it has one. */
  offset?: number;
}

export function zvtError(code: ZvtErrorCode, message: string, offset?: number): ZvtError {
  return offset === undefined ? { code, message } : { code, message, offset };
}

export const hex2 = (n: number): string => (n & 0xff).toString(16).toUpperCase().padStart(2, '0');
