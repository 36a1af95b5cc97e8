// Words the brain puts on paper, from the message catalogue.
import { englishReceiptTexts, type ReceiptTexts } from './billing/receipt.js';

export function receiptTexts(_locale: string): ReceiptTexts {
  return englishReceiptTexts;
}
