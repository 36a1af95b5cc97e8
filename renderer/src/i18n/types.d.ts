// Keys passed to t() are checked against the English catalogue.
import type en from '../../../electron/contract/messages/en.json';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}
