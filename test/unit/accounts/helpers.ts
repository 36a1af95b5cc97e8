// Shared by the account tests: a store with its book, on a temporary file or in memory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountBook } from '../../../electron/accounts/account-book.js';
import { KioskStore } from '../../../electron/store/kiosk-store.js';

export interface Opened {
  store: KioskStore;
  book: AccountBook;
}

/** Opens stores and removes their folders when `cleanup` runs (call it in afterEach). */
export function stores() {
  const dirs: string[] = [];
  const open: KioskStore[] = [];
  return {
    /** A fresh folder for a database file. */
    dir(): string {
      const dir = mkdtempSync(join(tmpdir(), 'accounts-'));
      dirs.push(dir);
      return dir;
    },
    open(file: string): Opened {
      const store = KioskStore.open(file);
      open.push(store);
      return { store, book: new AccountBook(store) };
    },
    /** In memory: fast, for property runs of many transactions. */
    memory(): Opened {
      return this.open(':memory:');
    },
    cleanup(): void {
      for (const store of open.splice(0)) {
        try {
          store.close();
        } catch {
          // closed by the test already
        }
      }
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
