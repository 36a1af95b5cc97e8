import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useView } from '../store/StoreContext.js';
import { selectCurrency, selectLocale } from '../store/selectors.js';
import { makeUnitFormats, type UnitFormats } from './format.js';

export type { UnitFormats } from './format.js';

/** The station's formats; `currencyOf` a tariff in another currency than the station's (a connector's own). */
export function useFormats(currencyOf?: string): UnitFormats {
  const locale = useView(selectLocale);
  const stationCurrency = useView(selectCurrency);
  const currency = currencyOf ?? stationCurrency;
  const { t } = useTranslation();
  return useMemo(() => makeUnitFormats(locale, currency, (key, options) => t(key, options)), [locale, currency, t]);
}
