// Side-effect imports of stylesheets are handled by Vite.
declare module '*.css';

/** The browser build of the qrcode package (its @types package pulls in Node's types). */
declare module 'qrcode/lib/browser.js' {
  export interface QrModules {
    size: number;
    get(row: number, col: number): number | boolean;
  }
  export function create(text: string, options?: { errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H' }): { modules: QrModules };
}
