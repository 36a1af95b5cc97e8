import { useTranslation } from 'react-i18next';
import type { SessionView } from '../../../electron/contract/index.js';
import { useFormats } from '../format/useFormats.js';
import { Figure } from './Figure.js';

/** Energy and cost of a session that has stopped charging; `growing`: a parking fee still adds to the cost ("so far"). */
export function EnergyCostFigures({ session, growing = false }: { session: SessionView; growing?: boolean }) {
  const { t } = useTranslation();
  const f = useFormats(session.currency);
  return (
    <dl className="figures">
      <Figure label={t('charging.energy')} value={f.energy(session.energyWh)} />
      <Figure label={growing ? t('charging.cost') : t('charging.costFinal')} value={f.money(session.costMinor)} />
    </dl>
  );
}
