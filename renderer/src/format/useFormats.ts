import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useView } from '../store/StoreContext.js';
import { selectCurrency, selectLocale } from '../store/selectors.js';
import { makeFormats, type Formats } from './format.js';

export interface UnitFormats extends Formats {
  /** Wh → "12.34 kWh". */
  energy(wh: number): string;
  /** W → "7.4 kW". */
  power(w: number): string;
}

export function useFormats(): UnitFormats {
  const locale = useView(selectLocale);
  const currency = useView(selectCurrency);
  const { t } = useTranslation();
  return useMemo(() => {
    const f = makeFormats(locale, currency);
    return {
      ...f,
      energy: (wh: number) => t('units.kWh', { value: f.kwh(wh) }),
      power: (w: number) => t('units.kW', { value: f.kw(w) }),
    };
  }, [locale, currency, t]);
}
