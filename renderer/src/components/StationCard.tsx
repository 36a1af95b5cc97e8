// What the screens show of a station RFID card (a prepaid balance or an account billed
// later): whether a session is paid with one, its account line, and the card-on-reader icon.
import type { TFunction } from 'i18next';
import type { AccountView, PaymentMethod } from '../../../electron/contract/index.js';
import type { UnitFormats } from '../format/useFormats.js';

/** Paid with a station card, not a bank card: the brain names the method, and sends the account once it knows it. */
export function paidByStationCard(paid: { method: PaymentMethod; account: AccountView | null }): boolean {
  return paid.method === 'prepaid' || paid.method === 'account' || paid.account !== null;
}

/**
 * A running session's account: "Balance €20.00 · up to €15.00 reserved for this session"
 * (the balance before the session, and its limit, what is reserved), or "Charged to Fleet's account"; `spoken`: the amounts in words.
 */
export function accountText(t: TFunction, f: UnitFormats, account: AccountView, limitMinor: number, spoken = false): string {
  if (account.type === 'account') return t('stationCard.onAccount', { name: account.name });
  const money = spoken ? f.moneySpoken : f.money;
  const reserved = money(limitMinor);
  return account.balanceMinor === null
    ? t('stationCard.reserved', { reserved })
    : t('stationCard.balanceReserved', { balance: money(account.balanceMinor), reserved });
}

/** A card held over a contactless reader, drawn in the text colour. */
export function CardOnReaderIcon({ large = false }: { large?: boolean }) {
  return (
    <svg
      className={large ? 'reader-icon reader-icon--large' : 'reader-icon'}
      viewBox="0 0 64 64"
      aria-hidden="true"
      focusable="false"
      fill="none"
      stroke="currentColor"
      strokeWidth="3"
      strokeLinecap="round"
    >
      {/* the reader, with the contactless mark */}
      <rect x="8" y="30" width="48" height="30" rx="5" />
      <path d="M28 39a8 8 0 0 1 0 12M33 36a13 13 0 0 1 0 18M38 33a18 18 0 0 1 0 24" />
      {/* the card, held over it */}
      <g transform="rotate(-12 32 14)">
        <rect x="14" y="3" width="36" height="22" rx="3" fill="currentColor" fillOpacity="0.12" />
        <path d="M19 18h10" />
      </g>
    </svg>
  );
}
