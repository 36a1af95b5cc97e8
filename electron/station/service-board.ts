// What technicians took out of service: a connector, or the whole station (kept as
// connector 0), each with the note drivers read. Kept in the store, so it survives a
// restart; every change is audited with the technician's name. Out of service stops new
// sessions only: a session running when it was ordered goes on to its end.
import type { KioskStore, StoreSql } from '../store/kiosk-store.js';

/** The row of the whole station. */
const STATION = 0;

export interface ServiceOrder {
  note: string;
  since: number;
  by: string;
}

export class ServiceBoard {
  private readonly sql: StoreSql;
  private orders = new Map<number, ServiceOrder>();

  constructor(private readonly store: KioskStore) {
    this.sql = store.sql();
    for (const row of this.sql.all('SELECT connector_id, note, since, by FROM service_state')) {
      this.orders.set(Number(row.connector_id), { note: String(row.note), since: Number(row.since), by: String(row.by) });
    }
  }

  /** The station's own order (out of service as a whole), or null. */
  station(): ServiceOrder | null {
    return this.orders.get(STATION) ?? null;
  }

  /** The order that keeps this connector out of service: its own, else the station's; null: in service. */
  of(connectorId: number): (ServiceOrder & { station: boolean }) | null {
    const own = this.orders.get(connectorId);
    if (own) return { ...own, station: false };
    const station = this.station();
    return station ? { ...station, station: true } : null;
  }

  /** Takes a connector (null: the station) out of service with a note for drivers, or puts it back. */
  set(connectorId: number | null, order: ServiceOrder | null, at: number, who: string): void {
    const id = connectorId ?? STATION;
    this.store.transaction(() => {
      if (order) {
        this.sql.run(
          'INSERT INTO service_state (connector_id, note, since, by) VALUES (?, ?, ?, ?) ON CONFLICT (connector_id) DO UPDATE SET note = excluded.note, since = excluded.since, by = excluded.by',
          id,
          order.note,
          order.since,
          order.by,
        );
      } else {
        this.sql.run('DELETE FROM service_state WHERE connector_id = ?', id);
      }
      this.sql.audit(at, who, order ? 'service.outOfService' : 'service.inService', { connectorId, note: order?.note ?? null });
    });
    if (order) this.orders.set(id, order);
    else this.orders.delete(id);
  }
}
