// Text in ZVT messages (print lines, text blocks, display texts, card names). Terminals
// write code page 437 unless told otherwise (the character-set TLV of the registration);
// ASCII is the same in both, so card names and numbers read alike. Wireshark's ZVT
// dissector and ecrterm read it as CP437 too ('Test \x84 \x94 \x81 \xE1' = 'Test ä ö ü ß').
// Node's TextDecoder has no CP437, hence the table of its upper half.

const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** Bytes as CP437 text; bytes below 0x80 are ASCII (control characters kept as they are). */
export function decodeCp437(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80]!;
  return text;
}

/**
 * Text as CP437 bytes, for the requests and tests that carry text. Throws a TypeError
 * for a character CP437 cannot write.
 */
export function encodeCp437(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      out[i] = code;
      continue;
    }
    const index = CP437_HIGH.indexOf(text[i]!);
    if (index < 0) throw new TypeError(`character ${JSON.stringify(text[i])} has no code in CP437`);
    out[i] = 0x80 + index;
  }
  return out;
}

/** Text of a fixed-length or LLVAR field: CP437, trailing NULs and spaces dropped. */
export function decodeFieldText(bytes: Uint8Array): string {
  return decodeCp437(bytes).replace(/[\0 ]+$/, '');
}
