import { useTranslation } from 'react-i18next';
import type { SessionView } from '../../../electron/contract/index.js';
import { useFormats } from '../format/useFormats.js';
import { Figure } from './Figure.js';
import { Spoken } from './Spoken.js';

/** Energy and cost of a session that has stopped charging; `growing`: a parking fee still adds to the cost ("so far"). */
export function EnergyCostFigures({ session, growing = false }: { session: SessionView; growing?: boolean }) {
  const { t } = useTranslation();
  const f = useFormats(session.currency);
  return (
    <dl className="figures">
      <Figure label={t('charging.energy')} value={<Spoken text={f.energy(session.energyWh)} spoken={f.energySpoken(session.energyWh)} />} />
      <Figure label={growing ? t('charging.cost') : t('charging.costFinal')} value={<Spoken text={f.money(session.costMinor)} spoken={f.moneySpoken(session.costMinor)} />} />
    </dl>
  );
}
