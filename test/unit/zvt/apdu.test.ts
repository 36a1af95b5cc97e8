import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  apduLength,
  BMP_SPECS,
  decodeApdu,
  decodeBmps,
  describeApduForLog,
  encodeApdu,
  encodeBmp,
  encodeBmps,
  readApdu,
} from '../../../devices/payment/zvt/apdu.js';
import { decodeTlv, encodeTlv, findAllTlv, findTlv, isConstructedTag, readTag, readTlvLength, tagBytes, tlvNode } from '../../../devices/payment/zvt/tlv.js';
import { bytes, fixtureTlv, hex, tlvTree, vectors } from './zvt-helpers.js';

describe('APDU', () => {
  it('encodes CLASS INSTR LEN body, and FF lo hi from 255 bytes', () => {
    expect(hex(encodeApdu(0x80, 0x00))).toBe('800000');
    expect(hex(encodeApdu(0x06, 0x50, bytes('123456')))).toBe('065003123456');
    expect(hex(encodeApdu(0x06, 0xd3, new Uint8Array(254))).slice(0, 6)).toBe('06d3fe');
    expect(hex(encodeApdu(0x06, 0xd3, new Uint8Array(255))).slice(0, 10)).toBe('06d3ffff00');
    expect(hex(encodeApdu(0x06, 0xd3, new Uint8Array(0x0461))).slice(0, 10)).toBe('06d3ff6104');
    expect(encodeApdu(0x06, 0xd3, new Uint8Array(65535)).length).toBe(65540);
  });

  it('refuses what cannot be sent', () => {
    expect(() => encodeApdu(0x100, 0)).toThrow(/class must be a byte/);
    expect(() => encodeApdu(6, -1)).toThrow(/instruction must be a byte/);
    expect(() => encodeApdu(6, 1, new Uint8Array(65536))).toThrow(/at most 65535/);
  });

  it('decodes the captured 06 D3 with its extended length (FF 61 04 = 1121 bytes)', () => {
    const capture = vectors.terminal.find((v) => v.id === 'text-block-receipt')!;
    const decoded = decodeApdu(bytes(capture.apdu));
    expect(decoded.ok).toBe(true);
    if (decoded.ok) {
      expect(decoded.apdu).toMatchObject({ cls: 0x06, instr: 0xd3 });
      expect(decoded.apdu.body.length).toBe(1121);
    }
  });

  it('reports truncated and over-long input with typed errors', () => {
    expect(decodeApdu(bytes('0650'))).toMatchObject({ ok: false, error: { code: 'truncated' } });
    expect(decodeApdu(bytes('06500312'))).toMatchObject({ ok: false, error: { code: 'truncated' } });
    expect(decodeApdu(bytes('06d3ff01'))).toMatchObject({ ok: false, error: { code: 'truncated' } });
    expect(decodeApdu(bytes('80000000'))).toMatchObject({ ok: false, error: { code: 'trailingBytes', offset: 3 } });
    expect(decodeApdu('800000' as unknown as Uint8Array)).toMatchObject({ ok: false });
  });

  it('reads APDUs one after another from a TCP stream', () => {
    const stream = bytes('04ff0117' + '040f022700' + '060f00' + '0650');
    expect(readApdu(stream, 0)).toMatchObject({ ok: true, next: 4, apdu: { cls: 0x04, instr: 0xff } });
    expect(readApdu(stream, 4)).toMatchObject({ ok: true, next: 9, apdu: { cls: 0x04, instr: 0x0f } });
    expect(readApdu(stream, 9)).toMatchObject({ ok: true, next: 12, apdu: { cls: 0x06, instr: 0x0f } });
    expect(readApdu(stream, 12)).toMatchObject({ ok: false, error: { code: 'truncated' } });
    expect(apduLength(stream, 12)).toBeNull();
    expect(apduLength(bytes('06d3ff6104'))).toBe(1126);
    expect(apduLength(bytes('06d3ff61'))).toBeNull();
  });
});

describe('BMP fields', () => {
  it('the table has every BMP the kiosk needs, with its length', () => {
    const lengths: Record<number, number | string> = {
      0x01: 1, 0x02: 1, 0x03: 1, 0x04: 6, 0x05: 1, 0x06: 'TLV', 0x0b: 3, 0x0c: 3, 0x0d: 2, 0x0e: 2, 0x17: 2, 0x19: 1, 0x22: 'LLVAR', 0x23: 'LLVAR',
      0x27: 1, 0x29: 4, 0x2a: 15, 0x3b: 8, 0x3c: 'LLLVAR', 0x49: 2, 0x87: 2, 0x88: 3, 0x8a: 1, 0x8b: 'LLVAR', 0x8c: 1, 0x9a: 'LLLVAR', 0xa0: 1,
      0xa7: 'LLVAR', 0xaa: 3, 0xaf: 'LLLVAR', 0xba: 5, 0xd0: 1, 0xd1: 'LLVAR', 0xd2: 1, 0xe0: 1, 0xe1: 'LLVAR', 0xe8: 'LLVAR', 0xe9: 1,
      0xf1: 'LLVAR', 0xf8: 'LLVAR', 0xf9: 1,
    };
    for (const [bmp, length] of Object.entries(lengths)) expect(BMP_SPECS.get(Number(bmp))?.length, `BMP ${Number(bmp).toString(16)}`).toBe(length);
    expect(BMP_SPECS.get(0x22)?.sensitive).toBe(true);
    expect(BMP_SPECS.get(0x23)?.sensitive).toBe(true);
    expect(BMP_SPECS.get(0x04)?.sensitive).toBe(false);
  });

  it('reads fixed, LLVAR, LLLVAR and TLV fields of a captured status information', () => {
    const capture = vectors.terminal.find((v) => v.id === 'status-after-reversal')!;
    const decoded = decodeApdu(bytes(capture.apdu));
    if (!decoded.ok) throw new Error('capture does not decode');
    const { fields, rest, stop } = decodeBmps(decoded.apdu.body);
    expect(stop).toBeNull();
    expect(rest.length).toBe(0);
    expect(fields.map((f) => f.bmp)).toEqual([0x27, 0x04, 0x49, 0x0c, 0x0d, 0x22, 0x87, 0x3b, 0x0b, 0x19, 0x29, 0x0e, 0x8a, 0x8c, 0x8b, 0x2a, 0x3c]);
    expect(hex(fields.find((f) => f.bmp === 0x8b)!.value)).toBe(Buffer.from('MasterCard\0').toString('hex'));
    expect(fields.find((f) => f.bmp === 0x3c)!.value.length).toBe(70);
  });

  it('decodes the TLV of a reservation: E9 holding 1F62 and 1F63', () => {
    const { fields } = decodeBmps(bytes('19404909780400000000250006' + '10e90e1f620241431f6306333834484832'));
    const tlv = fields.find((f) => f.bmp === 0x06)!.tlv!;
    expect(findTlv(tlv, 0x1f63)?.value).toEqual(bytes('333834484832'));
  });

  it('an unknown BMP stops the reading: the fields before it and the rest come back', () => {
    const result = decodeBmps(bytes('2700' + '4c0102' + '0b000001'));
    expect(result.fields.map((f) => f.bmp)).toEqual([0x27]);
    expect(hex(result.rest)).toBe('4c01020b000001');
    expect(result.stop).toMatchObject({ code: 'unknownBmp', offset: 2 });
  });

  it('bad and short lengths are typed errors', () => {
    expect(decodeBmps(bytes('22f1'))).toMatchObject({ stop: { code: 'truncated' } });
    expect(decodeBmps(bytes('22f1a1'))).toMatchObject({ stop: { code: 'badLength' } });
    expect(decodeBmps(bytes('22f0f5123456'))).toMatchObject({ stop: { code: 'truncated' } });
    expect(decodeBmps(bytes('0400000001'))).toMatchObject({ stop: { code: 'truncated' } });
    expect(decodeBmps(bytes('0683'))).toMatchObject({ stop: { code: 'badLength' } });
    expect(decodeBmps(bytes('27'))).toMatchObject({ stop: { code: 'truncated' } });
  });

  it('encodes fields with their length prefixes and checks them', () => {
    expect(hex(encodeBmp({ bmp: 0x87, value: bytes('0231') }))).toBe('870231');
    expect(hex(encodeBmp({ bmp: 0x8b, value: Buffer.from('girocard\0') }))).toBe('8bf0f9' + Buffer.from('girocard\0').toString('hex'));
    expect(hex(encodeBmp({ bmp: 0x3c, value: new Uint8Array(70) })).slice(0, 8)).toBe('3cf0f7f0');
    expect(hex(encodeBmp({ bmp: 0x06, tlv: [tlvNode(0x1f07, Uint8Array.of(2))] }))).toBe('06041f070102');
    expect(() => encodeBmp({ bmp: 0x87, value: bytes('02') })).toThrow(/87 \(receiptNumber\) is 2 bytes/);
    expect(() => encodeBmp({ bmp: 0x8b, value: new Uint8Array(100) })).toThrow(/at most 99 bytes/);
    expect(() => encodeBmp({ bmp: 0x4c, value: new Uint8Array(1) })).toThrow(/not in the table/);
  });

  it('property: fields encode and decode back, whatever their kind', () => {
    const specs = [...BMP_SPECS.values()];
    const field = fc.constantFrom(...specs).chain((s) => {
      if (typeof s.length === 'number') return fc.uint8Array({ minLength: s.length, maxLength: s.length }).map((value) => ({ bmp: s.bmp, value }));
      if (s.length === 'TLV') return tlvTree.map((tlv) => ({ bmp: s.bmp, value: encodeTlv(tlv) }));
      return fc.uint8Array({ maxLength: s.length === 'LLVAR' ? 99 : 400 }).map((value) => ({ bmp: s.bmp, value }));
    });
    fc.assert(
      fc.property(fc.array(field, { maxLength: 6 }), (list) => {
        const body = encodeBmps(list);
        const decoded = decodeBmps(body);
        expect(decoded.stop).toBeNull();
        expect(decoded.fields.map((f) => ({ bmp: f.bmp, value: hex(f.value) }))).toEqual(list.map((f) => ({ bmp: f.bmp, value: hex(f.value) })));
      }),
      { numRuns: 300 },
    );
  });
});

describe('TLV', () => {
  it.each(vectors.tlv)('$id: decodes and encodes back ($origin)', (v) => {
    const decoded = decodeTlv(bytes(v.bytes));
    expect(decoded.error).toBeNull();
    const expected = v.nodes.map(fixtureTlv);
    expect(hex(encodeTlv(decoded.nodes))).toBe(v.bytes);
    expect(hex(encodeTlv(expected))).toBe(v.bytes);
    expect(decoded.nodes.map((n) => n.tag)).toEqual(expected.map((n) => n.tag));
  });

  it('tags: one byte, or continuation bytes after xxx11111', () => {
    expect(readTag(bytes('07'), 0)).toMatchObject({ ok: true, value: 0x07, next: 1 });
    expect(readTag(bytes('1f62'), 0)).toMatchObject({ ok: true, value: 0x1f62, next: 2 });
    expect(readTag(bytes('df8101'), 0)).toMatchObject({ ok: true, value: 0xdf8101, next: 3 });
    expect(readTag(bytes('1f8000'), 0)).toMatchObject({ ok: true, value: 0x1f8000, next: 3 }); // Portalum.Zvt TlvParserTest
    expect(readTag(bytes('1f'), 0)).toMatchObject({ ok: false, error: { code: 'truncated' } });
    expect(readTag(bytes('1f80808001'), 0)).toMatchObject({ ok: false, error: { code: 'badTlv' } });
    expect(isConstructedTag(0x25)).toBe(true);
    expect(isConstructedTag(0xe9)).toBe(true);
    expect(isConstructedTag(0x1f62)).toBe(false);
    expect(isConstructedTag(0x07)).toBe(false);
    expect(() => tagBytes(0x1f)).toThrow(/not a BER tag/);
    expect(() => tagBytes(0x0762)).toThrow(TypeError);
    expect(() => tagBytes(0x1f8062)).not.toThrow();
    expect(() => tagBytes(0x1f8080)).toThrow(TypeError);
  });

  it('lengths: short, 81 xx, 82 xx xx (big-endian); other forms are errors', () => {
    expect(readTlvLength(bytes('7f'), 0)).toMatchObject({ ok: true, value: 127 });
    expect(readTlvLength(bytes('8180'), 0)).toMatchObject({ ok: true, value: 128 });
    expect(readTlvLength(bytes('82028a'), 0)).toMatchObject({ ok: true, value: 650 });
    expect(readTlvLength(bytes('80'), 0)).toMatchObject({ ok: false, error: { code: 'badLength' } });
    expect(readTlvLength(bytes('8301'), 0)).toMatchObject({ ok: false, error: { code: 'badLength' } });
    expect(readTlvLength(bytes('82'), 0)).toMatchObject({ ok: false, error: { code: 'truncated' } });
  });

  it('nested constructed objects: the read-card capture (62 → 60 → 41, 43)', () => {
    const capture = vectors.terminal.find((v) => v.id === 'status-read-card-track2')!;
    const decoded = decodeApdu(bytes(capture.apdu));
    if (!decoded.ok) throw new Error('capture does not decode');
    const tlv = decodeBmps(decoded.apdu.body).fields.find((f) => f.bmp === 0x06)!.tlv!;
    const apps = findAllTlv(tlv, 0x60);
    expect(apps).toHaveLength(2);
    expect(apps.map((a) => hex(findTlv(a.children, 0x43)!.value))).toEqual(['a0000003591010028001', 'a0000000043060']);
    expect(hex(findTlv(tlv, 0x1f4d)!.value)).toBe('fe04');
  });

  it('a constructed tag whose content is not TLV keeps its bytes', () => {
    const decoded = decodeTlv(bytes('2503ffffff'));
    expect(decoded.error).toBeNull();
    expect(decoded.nodes[0]).toMatchObject({ tag: 0x25 });
    expect(decoded.nodes[0]!.children).toBeUndefined();
    expect(hex(encodeTlv(decoded.nodes))).toBe('2503ffffff');
  });

  it('truncated objects: what was read, and a typed error', () => {
    const decoded = decodeTlv(bytes('07024142' + '0705414243'));
    expect(decoded.nodes).toHaveLength(1);
    expect(decoded.error).toMatchObject({ code: 'truncated', offset: 4 });
  });

  it('property: encode then decode gives the same tree, and the same bytes again', () => {
    fc.assert(
      fc.property(tlvTree, (nodes) => {
        const encoded = encodeTlv(nodes);
        const decoded = decodeTlv(encoded);
        expect(decoded.error).toBeNull();
        expect(hex(encodeTlv(decoded.nodes))).toBe(hex(encoded));
        const shape = (list: typeof nodes): unknown => list.map((n) => ({ tag: n.tag, value: hex(n.value), children: n.children ? shape(n.children) : null }));
        // Primitive content that happens to parse as TLV is not split: only constructed tags nest.
        expect(shape(decoded.nodes)).toEqual(shape(nodes));
      }),
      { numRuns: 200 },
    );
  });
});

describe('never throws on garbage', () => {
  it('APDU, BMP and TLV decoders return typed results for any bytes', () => {
    const codes = ['truncated', 'trailingBytes', 'badLength', 'unknownBmp', 'badTlv'];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (data) => {
        const apdu = decodeApdu(data);
        if (!apdu.ok) expect(codes).toContain(apdu.error.code);
        const bmps = decodeBmps(data);
        if (bmps.stop) expect(codes).toContain(bmps.stop.code);
        const tlv = decodeTlv(data);
        if (tlv.error) expect(codes).toContain(tlv.error.code);
        expect(typeof describeApduForLog(data)).toBe('string');
      }),
      { numRuns: 1000 },
    );
  });

  it('deeply nested constructed tags do not exhaust the stack', () => {
    const depth = 5000;
    let data: Uint8Array = new Uint8Array(0);
    for (let i = 0; i < depth && data.length < 0xfff0; i++) data = encodeTlv([{ tag: 0x20, value: data }]);
    expect(decodeTlv(data).error).toBeNull();
  });
});
