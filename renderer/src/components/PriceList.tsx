import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { PriceLine, TariffView } from '../../../electron/contract/index.js';
import { useFormats } from '../format/useFormats.js';

const lineKey = {
  energy: 'prices.energy',
  time: 'prices.time',
  parking: 'prices.parking',
  flat: 'prices.flat',
} as const satisfies Record<PriceLine['kind'], string>;

/** The prices, shown before the driver commits to anything. */
export function PriceList({ tariff, compact = false }: { tariff: TariffView; compact?: boolean }) {
  const { t } = useTranslation();
  const f = useFormats();
  const headingId = useId();
  return (
    <section className={compact ? 'prices prices--compact' : 'prices'} aria-labelledby={headingId}>
      <h2 id={headingId} className="prices-title">
        {t('prices.title')}
      </h2>
      <ul className="prices-lines">
        {tariff.lines.map((line, i) => (
          <li key={`${line.kind}-${i}`}>{t(lineKey[line.kind], { price: f.price(line.price) })}</li>
        ))}
      </ul>
      <p className="prices-note">{t('prices.vat', { vat: f.percent(tariff.vatPercent) })}</p>
      <p className="prices-note prices-hold">{t('prices.hold', { amount: f.money(tariff.holdMinor) })}</p>
    </section>
  );
}
