// The encoder's bytes against the ESC/POS facts, and decoded back by the simulator
// (its own code page tables): text, QR payload and cut come back as they were sent.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import {
  checkDocument,
  encodeReceipt,
  FEED_LINES_BEFORE_CUT,
  isStatusByte,
  parseOfflineStatus,
  parsePaperStatus,
  statusFromAnswers,
} from '../../../devices/printer/escpos-encoding.js';
import { EscPosSimulator, type EscPosSimVariant, type SimReceipt } from '../../../devices/printer/escpos-simulator.js';
import type { ReceiptDocument } from '../../../devices/printer/receipt-printer-port.js';

const bytesOf = (...values: number[]): number[] => values;

function indexOf(haystack: Uint8Array, needle: number[], from = 0): number {
  outer: for (let i = from; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function decode(bytes: Uint8Array, variant?: EscPosSimVariant): SimReceipt[] {
  const sim = new EscPosSimulator({ clock: new ManualClock(), variant });
  sim.receive(bytes);
  return sim.receipts();
}

// What receipts print: German, French, the euro, and the ASCII punctuation of amounts and dates.
const RECEIPT_CHARACTERS = [...'€äöüÄÖÜßéèàçâêîôûëïÉÈÀÇ£°µ§¶½'];
const ASCII = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));

describe('the bytes of a receipt', () => {
  const doc: ReceiptDocument = { lines: ['Ladestation Hof', 'Total 12,34 €'], qr: 'https://kiosk.test/r/ABC-123' };
  const bytes = encodeReceipt(doc, 42);

  it('starts with init (1B 40), then selects code page 858 (1B 74 13) before any text', () => {
    expect([...bytes.slice(0, 2)]).toEqual([0x1b, 0x40]);
    const codePage = indexOf(bytes, [0x1b, 0x74, 0x13]);
    expect(codePage).toBeGreaterThan(0);
    expect(codePage).toBeLessThan(indexOf(bytes, [...Buffer.from('Ladestation')]));
    expect(bytes[indexOf(bytes, [...Buffer.from('Total 12,34 ')]) + 12]).toBe(0xd5); // € in cp858
  });

  it('sends the QR code as model 2, a module size, error level M, the payload (pL pH = length + 3), then print', () => {
    const payload = [...Buffer.from(doc.qr!, 'latin1')];
    const length = payload.length + 3;
    const sequence = [
      bytesOf(0x1d, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00),
      bytesOf(0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43),
      bytesOf(0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, 0x31),
      bytesOf(0x1d, 0x28, 0x6b, length & 0xff, length >> 8, 0x31, 0x50, 0x30, ...payload),
      bytesOf(0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30),
    ];
    let at = 0;
    for (const command of sequence) {
      const found = indexOf(bytes, command, at);
      expect(found, `${Buffer.from(command).toString('hex')} in order`).toBeGreaterThanOrEqual(at);
      at = found + command.length;
    }
    const size = bytes[indexOf(bytes, sequence[1]!) + 7]!;
    expect(size).toBeGreaterThanOrEqual(1);
    expect(size).toBeLessThanOrEqual(16);
  });

  it('ends with feed and partial cut (1D 56 42 n), and has no bare cut anywhere', () => {
    expect([...bytes.slice(-4)]).toEqual([0x1d, 0x56, 0x42, FEED_LINES_BEFORE_CUT]);
    for (const bare of [0x00, 0x01, 0x30, 0x31]) expect(indexOf(bytes, [0x1d, 0x56, bare])).toBe(-1);
    expect(indexOf(bytes, [0x1b, 0x69])).toBe(-1);
    expect(indexOf(bytes, [0x1b, 0x6d])).toBe(-1);
  });

  it('§ and ¶ go as their cp858 bytes (F5, F4), not as the cp437 glyph bytes below 0x20 a printer takes for controls', () => {
    const text = encodeReceipt({ lines: ['§ 3 ¶'] }, 42);
    expect(indexOf(text, [0xf5])).toBeGreaterThan(indexOf(text, [0x1b, 0x74, 0x13]));
    expect(indexOf(text, [0xf4])).toBeGreaterThan(indexOf(text, [0xf5]));
    expect(indexOf(text, [0x15])).toBe(-1);
    expect(indexOf(text, [0x14])).toBe(-1);
  });

  it('ends lines with LF alone: a printer with auto line feed on CR prints no extra blank lines', () => {
    expect(indexOf(bytes, [0x0d])).toBe(-1);
    expect(decode(bytes, { autoLineFeed: true })[0]!.lines).toEqual(doc.lines);
  });
});

describe('encoded, then decoded by the simulator', () => {
  it.each(RECEIPT_CHARACTERS)('%s comes back as it was', (character) => {
    const line = `${character} x${character}${character} 1,00 ${character}`;
    const [receipt] = decode(encodeReceipt({ lines: [line] }, 32));
    expect(receipt!.lines).toEqual([line]);
    expect(new Set(receipt!.codePages)).toEqual(new Set([0x13]));
  });

  it('every printable character of cp858 comes back (the encoder and the simulator agree on the table)', () => {
    const high = [...'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»ÁÂÀ©¢¥ãÃ¤ðÐÊËÈ€ÍÎÏ¦ÌÓßÔÒõÕµþÞÚÛÙýÝ¯´±¾¶§÷¸°¨·¹³²'];
    const lines: string[] = [];
    for (let i = 0; i < high.length; i += 32) lines.push(high.slice(i, i + 32).join(''));
    expect(decode(encodeReceipt({ lines }, 32))[0]!.lines).toEqual(lines);
  });

  it('any receipt: its lines, its QR payload, fed before the cut (property)', () => {
    const alphabet = [...ASCII, ...RECEIPT_CHARACTERS];
    const line = fc.array(fc.constantFrom(...alphabet), { maxLength: 42 }).map((chars) => chars.join(''));
    // A blank line at the very end is feed on paper too: receipts end with text.
    const lines = fc.array(line, { minLength: 1, maxLength: 30 }).filter((ls) => ls.at(-1)!.trim() !== '');
    const qr = fc.option(fc.array(fc.constantFrom(...ASCII, 'é', 'ü', '£'), { minLength: 1, maxLength: 300 }).map((c) => c.join('')), { nil: undefined });
    fc.assert(
      fc.property(lines, qr, fc.constantFrom(32, 42, 48), (ls, payload, columns) => {
        const doc: ReceiptDocument = payload === undefined ? { lines: ls } : { lines: ls, qr: payload };
        const receipts = decode(encodeReceipt(doc, columns));
        expect(receipts).toHaveLength(1);
        const [receipt] = receipts;
        expect(receipt!.lines).toEqual(ls);
        expect(receipt!.qr?.payload).toEqual(payload);
        if (payload !== undefined) expect(receipt!.qr).toMatchObject({ model: 2, errorLevel: 'M' });
        expect(receipt!).toMatchObject({ cut: 'feedAndCut', cutOk: true, unknownCommands: [] });
      }),
      { numRuns: 200 },
    );
  });

  it('the simulator sees a bare cut with too little feed: the last lines stayed inside the printer', () => {
    const bare = Uint8Array.of(0x1b, 0x40, ...Buffer.from('Total\n'), 0x1d, 0x56, 0x01);
    expect(decode(bare)[0]).toMatchObject({ lines: ['Total'], cut: 'bare', feedLines: 0, cutOk: false });
    const fed = Uint8Array.of(0x1b, 0x40, ...Buffer.from('Total\n\n\n\n\n'), 0x1d, 0x56, 0x01);
    expect(decode(fed)[0]).toMatchObject({ lines: ['Total'], cut: 'bare', feedLines: 4, cutOk: true });
  });

  it('text sent without selecting cp858 does not come back as €: the simulator does not assume the code page', () => {
    const wrong = Uint8Array.of(0x1b, 0x40, ...Buffer.from('9,90 '), 0xd5, 0x0a, 0x1d, 0x56, 0x42, 0x03);
    expect(decode(wrong)[0]!.lines).toEqual(['9,90 \ufffd']);
    const cp850 = Uint8Array.of(0x1b, 0x40, 0x1b, 0x74, 0x02, 0xd5, 0x0a, 0x1d, 0x56, 0x42, 0x03);
    expect(decode(cp850)[0]!.lines).toEqual(['ı']);
  });

  it('a command split across chunks is decoded once it is whole', () => {
    const bytes = encodeReceipt({ lines: ['Grüße', 'Total 5,00 €'], qr: 'https://kiosk.test/r/9' }, 42);
    const sim = new EscPosSimulator({ clock: new ManualClock() });
    for (const byte of bytes) sim.receive(Uint8Array.of(byte));
    expect(sim.receipts()[0]).toMatchObject({ lines: ['Grüße', 'Total 5,00 €'], qr: { payload: 'https://kiosk.test/r/9' }, cutOk: true });
  });
});

describe('documents the printer refuses', () => {
  it('a line wider than the paper (in characters, not bytes), a line break, a control character, a QR payload it cannot carry', () => {
    expect(() => checkDocument({ lines: ['€'.repeat(32)] }, 32)).not.toThrow();
    expect(() => checkDocument({ lines: ['ok', 'x'.repeat(33)] }, 32)).toThrow(/line 2 is 33 characters.*32 columns/);
    expect(() => checkDocument({ lines: ['a\nb'] }, 32)).toThrow(/line break/);
    expect(() => checkDocument({ lines: ['a\u001bb'] }, 32)).toThrow(/control character/);
    expect(() => checkDocument({ lines: [], qr: 'https://x.test/€' }, 32)).toThrow(/ISO 8859-1/);
    expect(() => checkDocument({ lines: [], qr: 'x'.repeat(2332) }, 32)).toThrow(/at most 2331/);
    expect(() => encodeReceipt({ lines: ['x'] }, 56)).toThrow(RangeError);
  });
});

describe('status answers', () => {
  const FIXED_OK = (byte: number): boolean => (byte & 0x01) === 0 && (byte & 0x02) !== 0 && (byte & 0x10) !== 0 && (byte & 0x80) === 0;

  it('every byte: a status byte only with its fixed bits; paper out on 0x20 or 0x40, near end on 0x04 or 0x08, cover open on 0x04 of DLE EOT 2', () => {
    for (let byte = 0; byte < 256; byte++) {
      expect(isStatusByte(byte), byte.toString(16)).toBe(FIXED_OK(byte));
      if (!FIXED_OK(byte)) {
        expect(parsePaperStatus(byte)).toBeNull();
        expect(parseOfflineStatus(byte)).toBeNull();
        continue;
      }
      expect(parsePaperStatus(byte)).toBe(byte & 0x60 ? 'out' : byte & 0x0c ? 'low' : 'ok');
      expect(parseOfflineStatus(byte)).toEqual({ coverOpen: (byte & 0x04) !== 0, paperStop: (byte & 0x20) !== 0, error: (byte & 0x40) !== 0 });
    }
    expect(parsePaperStatus(0x12)).toBe('ok');
    expect(parsePaperStatus(0x1e)).toBe('low');
    expect(parsePaperStatus(0x16)).toBe('low'); // one near-end sensor bit
    expect(parsePaperStatus(0x72)).toBe('out');
    expect(parsePaperStatus(0x7e)).toBe('out');
    expect(parseOfflineStatus(0x16)!.coverOpen).toBe(true);
  });

  it('every combination of the two answers (property): null if either is no status byte, else paper and cover as their bits say', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (paperByte, offlineByte) => {
        const status = statusFromAnswers(paperByte, offlineByte);
        if (!FIXED_OK(paperByte) || !FIXED_OK(offlineByte)) {
          expect(status).toBeNull();
          return;
        }
        const out = (paperByte & 0x60) !== 0 || (offlineByte & 0x20) !== 0;
        expect(status).toEqual({ paper: out ? 'out' : paperByte & 0x0c ? 'low' : 'ok', coverOpen: (offlineByte & 0x04) !== 0, error: (offlineByte & 0x40) !== 0 });
      }),
      { numRuns: 5000 },
    );
  });

  it("the simulator's answers read back as its state", () => {
    const sim = new EscPosSimulator({ clock: new ManualClock() });
    for (const paper of ['ok', 'low', 'out'] as const) {
      for (const cover of [false, true]) {
        sim.setPaper(paper);
        sim.setCover(cover);
        expect(statusFromAnswers(sim.statusByte(4), sim.statusByte(2))).toEqual({ paper, coverOpen: cover, error: false });
      }
    }
  });
});
