// Words the brain puts on paper come from the same message catalogue as the
// screen's (electron/contract/messages/), so a language is added in one place.
import type { ReceiptTexts } from './billing/receipt.js';
import en from './contract/messages/en.json';

const catalogues: Record<string, { receipt: ReceiptTexts }> = { en };

export function receiptTexts(locale: string): ReceiptTexts {
  const language = locale.toLowerCase().split('-')[0] ?? 'en';
  return (catalogues[language] ?? en).receipt;
}
