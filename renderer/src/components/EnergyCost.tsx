import { useTranslation } from 'react-i18next';
import type { SessionView } from '../../../electron/contract/index.js';
import { useFormats } from '../format/useFormats.js';
import { Figure } from './Figure.js';

/** Energy and cost of a session that has stopped charging. */
export function EnergyCostFigures({ session }: { session: SessionView }) {
  const { t } = useTranslation();
  const f = useFormats(session.currency);
  return (
    <dl className="figures">
      <Figure label={t('charging.energy')} value={f.energy(session.energyWh)} />
      <Figure label={t('charging.cost')} value={f.money(session.costMinor)} />
    </dl>
  );
}
