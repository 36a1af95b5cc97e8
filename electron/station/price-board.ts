// The prices each connector shows: its own tariff or the station's, as they apply now
// and how they change during a typical session. Worked out once per minute, since
// they change only with the wall clock.
import type { KioskConfig, TariffConfig } from '../config/config-schema.js';
import type { TariffView } from '../contract/snapshot.js';
import { zoneOf } from '../billing/local-time.js';
import { tariffView } from '../billing/tariff.js';

export class PriceBoard {
  private readonly cache = new Map<number | null, { minute: number; view: TariffView }>();
  /** A tariff a technician loaded: it wins over the configuration's, on every connector. */
  private loaded: TariffConfig | null = null;

  constructor(private readonly config: KioskConfig) {}

  /** A technician's tariff for the whole station from now on (null: the configuration's again). Running sessions keep theirs. */
  load(tariff: TariffConfig | null): void {
    this.loaded = tariff;
    this.cache.clear();
  }

  /** The tariff a session on this connector is priced by. */
  tariffOf(connectorId: number): TariffConfig {
    return this.loaded ?? this.config.connectors.find((c) => c.id === connectorId)?.tariff ?? this.config.tariff;
  }

  /** The station's tariff (the start screen's). */
  stationTariff(): TariffConfig {
    return this.loaded ?? this.config.tariff;
  }

  /** A connector's prices now; `null` for the station's (the start screen), at its most powerful connector. */
  view(connectorId: number | null, now: number): TariffView {
    const minute = Math.floor(now / 60_000);
    const cached = this.cache.get(connectorId);
    if (cached?.minute === minute) return cached.view;
    const connectors = connectorId === null ? this.config.connectors : this.config.connectors.filter((c) => c.id === connectorId);
    const power = Math.max(...connectors.map((c) => c.maxCurrentA * c.voltageV * c.phases));
    const fastest = connectors.find((c) => c.maxCurrentA * c.voltageV * c.phases === power)!;
    const view = tariffView(connectorId === null ? this.stationTariff() : this.tariffOf(connectorId), {
      holdMinor: this.config.payment.holdMinor,
      zone: zoneOf(this.config.station.timeZone),
      now: minute * 60_000,
      maxPowerW: power,
      maxCurrentA: fastest.maxCurrentA * fastest.phases,
    });
    this.cache.set(connectorId, { minute, view });
    return view;
  }
}
