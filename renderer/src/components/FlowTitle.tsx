import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConnectorView } from '../../../electron/contract/index.js';

/** The connector the flow belongs to, and the screen's heading. */
export function FlowTitle({ connector, children }: { connector: ConnectorView; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <header className="flow-title">
      <p className="eyebrow">{t('connector.name', { label: connector.label })}</p>
      <h1>{children}</h1>
    </header>
  );
}
