import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { TariffView } from '../../../electron/contract/index.js';
import { priceChangeShortText, priceChangeText, priceLineText, priceRows } from '../format/price-text.js';
import { useFormats } from '../format/useFormats.js';
import { Spoken } from './Spoken.js';

/**
 * The prices, shown before the driver commits to anything: what applies now (per kWh,
 * per minute, per session, idle fee, in the brain's order), each with how it changes
 * during a typical session in one short line under it, and the bounds of a session's cost.
 */
export function PriceList({ tariff, compact = false }: { tariff: TariffView; compact?: boolean }) {
  const { t } = useTranslation();
  const f = useFormats(tariff.currency);
  const headingId = useId();
  const { rows, others } = priceRows(tariff);
  return (
    <section className={compact ? 'prices prices--compact' : 'prices'} aria-labelledby={headingId}>
      <h2 id={headingId} className="prices-title">
        {t('prices.title')}
      </h2>
      <ul className="prices-lines">
        {rows.map(({ line, changes }, i) => (
          <li key={`${line.kind}-${i}`}>
            <Spoken text={priceLineText(t, f, line)} spoken={priceLineText(t, f, line, true)} />
            {changes.length > 0 && (
              <ul className="prices-changes">
                {changes.map((change, j) => (
                  <li key={j}>
                    <Spoken text={priceChangeShortText(t, f, change)} spoken={priceChangeShortText(t, f, change, true)} />
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
      {others.length > 0 && (
        <ul className="prices-changes">
          {others.map((change, i) => (
            <li key={`${change.kind}-${i}`}>
              <Spoken text={priceChangeText(t, f, change)} spoken={priceChangeText(t, f, change, true)} />
            </li>
          ))}
        </ul>
      )}
      {(tariff.minPriceMinor !== null || tariff.maxPriceMinor !== null) && (
        <ul className="prices-bounds">
          {tariff.minPriceMinor !== null && (
            <li>
              <Spoken text={t('prices.min', { amount: f.money(tariff.minPriceMinor) })} spoken={t('prices.min', { amount: f.moneySpoken(tariff.minPriceMinor) })} />
            </li>
          )}
          {tariff.maxPriceMinor !== null && (
            <li>
              <Spoken text={t('prices.max', { amount: f.money(tariff.maxPriceMinor) })} spoken={t('prices.max', { amount: f.moneySpoken(tariff.maxPriceMinor) })} />
            </li>
          )}
        </ul>
      )}
      <p className="prices-note">{t('prices.vat', { vat: f.percent(tariff.vatPercent) })}</p>
      <p className="prices-note prices-hold">
        <Spoken text={t('prices.hold', { amount: f.money(tariff.holdMinor) })} spoken={t('prices.hold', { amount: f.moneySpoken(tariff.holdMinor) })} />
      </p>
    </section>
  );
}
