// Prices: the station's tariff as drivers see it and where it comes from, and the
// tariff files in the exchange folder, each checked, a valid one loadable (after a
// confirmation) as the station's tariff. Running sessions keep theirs.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TariffFile, TariffsPage } from '../../../../electron/contract/index.js';
import { PriceList } from '../../components/PriceList.js';
import { useAction, useTech, useTechData } from '../tech.js';
import { ActionMessage, LoadState, RefreshButton, Section } from '../ui.js';

const TARIFFS = { type: 'tariffs' } as const;

export function PricesPage() {
  const { t } = useTranslation();
  const { time } = useTech();
  const page = useTechData(TARIFFS);
  const data = page.data;
  return (
    <div className="maint-stack">
      <LoadState loading={page.loading} error={page.error} hasData={data !== null} />
      {data && (
        <>
          <Section
            title={t('maintenance.prices.active')}
            actions={<RefreshButton onClick={page.reload} />}
          >
            <p>
              {data.active.source === 'config'
                ? t('maintenance.prices.fromConfig')
                : t('maintenance.prices.fromFile', { file: data.active.file, by: data.active.by, time: time.dateTime(data.active.loadedAt) })}
            </p>
            <PriceList tariff={data.view} compact />
          </Section>
          <Section title={t('maintenance.prices.files')}>
            <p>{t('maintenance.prices.folder', { dir: data.exchangeDir })}</p>
            {data.folderError && (
              <p className="maint-message maint-message--error" role="alert">
                {t('maintenance.prices.folderError', { error: data.folderError })}
              </p>
            )}
            {!data.folderError && data.files.length === 0 && <p className="muted">{t('maintenance.prices.noFiles')}</p>}
            <ul className="maint-list">
              {data.files.map((file) => (
                <FileItem key={file.file} file={file} onLoaded={page.set} />
              ))}
            </ul>
          </Section>
        </>
      )}
    </div>
  );
}

function FileItem({ file, onLoaded }: { file: TariffFile; onLoaded: (page: TariffsPage) => void }) {
  const { t } = useTranslation();
  const { call } = useTech();
  const action = useAction();
  const [confirming, setConfirming] = useState(false);
  const load = async () => {
    const result = await action.run(
      () => call({ type: 'loadTariff', file: file.file }),
      () => t('maintenance.prices.loaded', { file: file.file }),
    );
    setConfirming(false);
    if (result.ok) onLoaded(result.data);
  };
  return (
    <li className={file.error ? 'maint-file maint-file--error' : 'maint-file'}>
      <p className="maint-strong">{file.file}</p>
      {file.error ? (
        <p>{t('maintenance.prices.invalid', { error: file.error })}</p>
      ) : (
        <>
          <p className="maint-online">{t('maintenance.prices.valid')}</p>
          {file.view && <PriceList tariff={file.view} compact />}
          {confirming ? (
            <div className="maint-confirm" role="group" aria-label={t('maintenance.prices.confirm', { file: file.file })}>
              <p>{t('maintenance.prices.confirm', { file: file.file })}</p>
              <div className="maint-buttons">
                <button type="button" className="maint-btn maint-btn--primary" disabled={action.busy} onClick={() => void load()}>
                  {t('maintenance.prices.confirmLoad')}
                </button>
                <button type="button" className="maint-btn" onClick={() => setConfirming(false)}>
                  {t('maintenance.actions.cancel')}
                </button>
              </div>
            </div>
          ) : (
            <button
              type="button"
              className="maint-btn"
              onClick={() => {
                action.clear();
                setConfirming(true);
              }}
            >
              {t('maintenance.prices.load')}
            </button>
          )}
        </>
      )}
      <ActionMessage state={action} />
    </li>
  );
}
