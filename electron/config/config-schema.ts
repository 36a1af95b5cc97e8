// The operator's configuration file: its schema, with every default. The file is
// read-only to the kiosk; what technicians change at run time lives in SQLite and
// wins over these defaults. `npm run config:schema` publishes this schema as JSON Schema.
import { z } from 'zod';
import { validateSerialPath } from '../../devices/serial/serial-link.js';
import { validatePrinterPath } from '../../devices/printer/escpos-printer.js';
import { FIRMWARE_VARIANTS } from '../../devices/charger/rapi-variants.js';
import { LocalTime } from '../billing/local-time.js';
import { TariffConfig } from '../billing/tariff-schema.js';
import { UID_FORMS } from '../../devices/rfid/uid.js';
import { LANGUAGES } from '../contract/languages.js';

export { TariffConfig } from '../billing/tariff-schema.js';

const SimulatedDevice = z.strictObject({ kind: z.literal('simulated') });
/** The station has no such device: the screen offers only what exists. */
const NoDevice = z.strictObject({ kind: z.literal('none') });

/** A stable serial path (/dev/serial/by-id/… or by-path/…); a bare /dev/ttyUSB0 renumbers after a reboot. */
const SerialPath = z.string().min(1).superRefine((path, ctx) => {
  const problem = validateSerialPath(path);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Characters a receipt line holds: 42 on 80 mm paper in font A, 32 on 58 mm; the encoder lays out at most 48. */
const PrinterColumns = z.number().int().min(24).max(48).default(42);

/** A printer's device: a stable serial path, or a udev link of a USB printer-class device (never /dev/usb/lp0). */
const PrinterPath = z.string().min(1).superRefine((path, ctx) => {
  const problem = validatePrinterPath(path);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** A ZVT terminal password: 6 digits. Quoted in YAML ("000000"), or its leading zeros are lost. */
const ZvtPassword = z.string().regex(/^\d{6}$/, 'the terminal password is 6 digits, quoted: "000000"');

/** When the card terminal's end of day (06 50) runs, station time "HH:MM"; null leaves it to the terminal. */
const EndOfDayTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'endOfDay is a time of day "HH:MM"')
  .nullable()
  .default(null);

/** A USB vendor or product id: a number (YAML reads 0xffff as one) or a hex string "0xffff". */
const UsbId = z.union([
  z.number().int().min(0).max(0xffff),
  z.string().regex(/^0x[0-9a-fA-F]{1,4}$/, 'a USB id is a number or hex text like "0xffff"').transform((text) => parseInt(text, 16)),
]);

/** A corner of the screen, for the maintenance gesture. */
const ScreenCorner = z.enum(['top-left', 'top-right', 'bottom-left', 'bottom-right']);

/** The ways to pay a station can offer: bank card (the card terminal), station RFID card (the reader). */
export const PAYMENT_WAYS = ['card', 'rfid'] as const;

/** The plug a connector has, shown on its tile: Type 2 socket, CCS (Combo 2), CHAdeMO, or a Type 2 cable fixed to the station. */
export const CONNECTOR_TYPES = ['type2', 'ccs2', 'chademo', 'type2-cable'] as const;

export const ConnectorConfig = z.strictObject({
  id: z.number().int().min(1).max(64),
  label: z.string().min(1).max(20),
  /** The plug (a Type 2 socket by default): its icon and name on the tile. */
  type: z.enum(CONNECTOR_TYPES).default('type2'),
  /** Highest current the connector's cable and supply allow, A. */
  maxCurrentA: z.number().int().min(6).max(80).default(32),
  /** Phase voltage, V. */
  voltageV: z.number().int().min(100).max(400).default(230),
  phases: z.union([z.literal(1), z.literal(3)]).default(3),
  /** This connector's own tariff (an OCPI Tariff object); the station's `tariff` otherwise. */
  tariff: TariffConfig.optional(),
  /** The EVSE id of the connector (eMI³, as on its sign: "DE*ABC*E1234*1"), printed on receipts. */
  evseId: z
    .string()
    .regex(/^[A-Z]{2}\*?[A-Z0-9]{3}\*?E[A-Z0-9*]{1,31}$/, 'an EVSE id is country, operator, "E" and the id, e.g. "DE*ABC*E1234*1"')
    .optional(),
  charger: z.discriminatedUnion('kind', [
    // The real RAPI driver against a wire-level simulator of the controller, in memory.
    SimulatedDevice.extend({
      /** Most the simulated car draws, A per phase. */
      vehicleMaxCurrentA: z.number().int().min(6).max(80).default(16),
      /** Energy the simulated car takes before it is full, Wh. */
      vehicleCapacityWh: z.number().int().min(1000).default(60000),
      /** The firmware variant(s) the simulated controller plays (devices/charger/rapi-variants.ts); a list combines them. */
      firmware: z.union([z.enum(FIRMWARE_VARIANTS), z.array(z.enum(FIRMWARE_VARIANTS))]).default('standard'),
    }),
    // An OpenEVSE (RAPI) controller on a serial port.
    z.strictObject({
      kind: z.literal('rapi'),
      path: SerialPath,
      baudRate: z.number().int().positive().default(115200),
    }),
  ]).prefault({ kind: 'simulated' }),
});
export type ConnectorConfig = z.infer<typeof ConnectorConfig>;

export const KioskConfig = z.strictObject({
  station: z
    .strictObject({
      id: z.string().min(1).max(36).default('KIOSK-0001'),
      name: z.string().min(1).max(60).default('Chargepoint Kiosk'),
      helpLine: z.string().min(3).max(40).default('+49 30 1234 5678'),
      locale: z.string().min(2).max(10).default('en'),
      /** The languages the driver's language button offers (the station's own, `locale`'s, always among them, first). */
      languages: z
        .array(z.enum(LANGUAGES))
        .min(1)
        .default([...LANGUAGES])
        .refine((list) => new Set(list).size === list.length, 'each language once'),
      /** IANA time zone of the station's wall clock: tariff times of day and days, receipts. */
      timeZone: z
        .string()
        .default('Europe/Berlin')
        .superRefine((zone, ctx) => {
          try {
            LocalTime.check(zone);
          } catch (error) {
            ctx.addIssue({ code: 'custom', message: (error as Error).message });
          }
        }),
    })
    .prefault({}),
  /**
   * Who runs the station, as receipts must name them: legal name, postal address, VAT id.
   * Absent: receipts lack them (the kiosk warns at start-up); a real station sets it.
   */
  operator: z
    .strictObject({
      name: z.string().min(1).max(80),
      address: z.string().min(1).max(200),
      vatId: z.string().regex(/^[A-Z]{2}[0-9A-Z+*.]{2,13}$/, 'a VAT id is its country code and number, e.g. "DE123456789"'),
    })
    .optional(),
  receipts: z
    .strictObject({
      /**
       * The e-receipt address the QR code holds: `{receiptNumber}` and `{token}` (an
       * unguessable per-receipt secret) are filled in. Null: the QR code holds the
       * receipt's essential lines as text, readable with no server at all.
       */
      urlTemplate: z
        .string()
        .url()
        .refine((t) => t.includes('{receiptNumber}') && t.includes('{token}'), 'the template needs {receiptNumber} and {token}')
        .refine((t) => t.startsWith('https://'), 'an e-receipt address is https://')
        .nullable()
        .default(null),
      /** How long the last session's receipt can be shown again from its connector, s. */
      showAgainS: z.number().int().min(0).max(86_400).default(900),
    })
    .prefault({}),
  web: z
    .strictObject({
      /** Port of the web host on 127.0.0.1 (0 picks a free one). */
      port: z.number().int().min(0).max(65535).default(8080),
    })
    .prefault({}),
  tariff: TariffConfig.default({
    id: 'default',
    currency: 'EUR',
    elements: [
      {
        price_components: [
          { type: 'ENERGY', price: '0.2899', vat: '19', step_size: 1 },
          { type: 'FLAT', price: '0.42', vat: '19', step_size: 1 },
        ],
      },
    ],
  }),
  payment: z
    .strictObject({
      /** Amount held on the card before charging, minor units. */
      holdMinor: z.number().int().min(100).max(100000).default(5000),
      /**
       * The card terminal is always ready: a driver taps first, and the kiosk starts the
       * connector where a car is plugged in (or asks which one).
       */
      tapToStart: z.boolean().default(false),
      /**
       * The ways to pay the screen offers, of those whose device the station has; absent:
       * every way whose device is configured.
       */
      methods: z.array(z.enum(PAYMENT_WAYS)).min(1).refine((list) => new Set(list).size === list.length, 'each way to pay once').optional(),
      /** The least a prepaid card's balance must hold for a session to start, minor units. */
      minBalanceMinor: z.number().int().min(1).max(100000).default(100),
      /** A session still plugged in after this long is settled, before a card reservation can expire, h. */
      maxSessionHours: z.number().int().min(1).max(168).default(48),
    })
    .prefault({}),
  timeouts: z
    .strictObject({
      /** Idle time on a screen before charging starts until the warning, s. */
      inactivityWarnS: z.number().int().min(5).max(600).default(45),
      /** After the warning, until the flow returns to the start and releases any hold, s. */
      inactivityReturnS: z.number().int().min(5).max(300).default(20),
      /** How long the driver has to present a card, s. */
      presentCardS: z.number().int().min(10).max(300).default(60),
      /** How long the driver has to plug in after paying, s. */
      plugInS: z.number().int().min(30).max(900).default(120),
      /** How long the stop code is shown after charging starts, s. */
      stopCodeS: z.number().int().min(5).max(120).default(30),
      /** How long the summary stays up before the screen returns to the start, s. */
      summaryS: z.number().int().min(5).max(600).default(60),
    })
    .prefault({}),
  charging: z
    .strictObject({
      /** How often the meter is read while a vehicle is connected, ms. */
      sampleIntervalMs: z.number().int().min(100).max(10000).default(500),
      /** Time the controller takes to open its relay after being told to stop, s (for the hold check). */
      stopDelayS: z.number().min(0).max(30).default(2),
    })
    .prefault({}),
  connectors: z
    .array(ConnectorConfig)
    .min(1)
    .max(8)
    .refine((list) => new Set(list.map((c) => c.id)).size === list.length, 'connector ids must be unique')
    .prefault([
      { id: 1, label: '1' },
      { id: 2, label: '2' },
    ]),
  devices: z
    .strictObject({
      terminal: z
        .discriminatedUnion('kind', [
          SimulatedDevice.extend({
            /**
             * What is simulated: 'zvt' runs the real ZVT driver against the ZVT terminal
             * simulator in memory; 'generic' a terminal behind the card-terminal port that
             * can be asked by reference (as Stripe Terminal can), for tests of the payment core.
             */
            protocol: z.enum(['zvt', 'generic']).default('zvt'),
            /** Time the simulated terminal takes from "present card" to its answer, ms (kiosk clock). */
            approvalDelayMs: z.number().int().min(0).max(60000).default(1200),
            /** Time every message of the simulated terminal takes before it is sent, ms (kiosk clock). */
            latencyMs: z.number().int().min(0).max(60000).default(0),
            password: ZvtPassword.default('000000'),
            endOfDay: EndOfDayTime,
          }),
          z.strictObject({
            kind: z.literal('zvt'),
            /** A serial terminal: a stable path (/dev/serial/by-id/…); or give host and port. */
            path: SerialPath.optional(),
            baudRate: z.union([z.literal(9600), z.literal(19200), z.literal(38400), z.literal(57600), z.literal(115200)]).default(9600),
            /** A terminal on the network: its address; ZVT's port is 20007. */
            host: z.string().min(1).max(253).optional(),
            port: z.number().int().min(1).max(65535).default(20007),
            /** The terminal password of registration and end of day. */
            password: ZvtPassword,
            /** How the authorisation host's result codes read: 'lavego' for Feig cVEND on the Lavego host. */
            hostProfile: z.enum(['iso8583', 'lavego']).default('iso8583'),
            endOfDay: EndOfDayTime,
          }),
          NoDevice,
        ])
        .superRefine((terminal, ctx) => {
          if (terminal.kind !== 'zvt') return;
          if ((terminal.path === undefined) === (terminal.host === undefined)) {
            ctx.addIssue({ code: 'custom', message: 'a ZVT terminal needs either path (serial) or host (TCP), not both' });
          }
        })
        .prefault({ kind: 'simulated' }),
      printer: z
        .discriminatedUnion('kind', [
          SimulatedDevice.extend({ columns: PrinterColumns }),
          // An ESC/POS printer on a serial port, or a USB printer-class device by its stable udev link (/dev/kiosk-printer).
          z.strictObject({
            kind: z.literal('escpos'),
            path: PrinterPath,
            baudRate: z.number().int().positive().default(19200),
            columns: PrinterColumns,
          }),
          NoDevice,
        ])
        .prefault({ kind: 'simulated' }),
      rfid: z
        .discriminatedUnion('kind', [
          // The real keyboard-wedge decoding, fed by a simulated USB reader.
          SimulatedDevice,
          // A USB keyboard-wedge reader, opened exclusively through node-hid (libusb on Linux).
          z.strictObject({
            kind: z.literal('hid'),
            vendorId: UsbId,
            productId: UsbId,
            /** Which of several readers with the same ids (their USB serial number). */
            serialNumber: z.string().min(1).max(126).optional(),
            /** How the reader types a UID: 'auto' reads 10 digits as reversedDecimal and hex as hex. */
            format: z.enum(['auto', ...UID_FORMS]).default('auto'),
          }),
          // A 125 kHz serial reader (RDM6300 and its clones).
          z.strictObject({
            kind: z.literal('rdm6300'),
            path: SerialPath,
            baudRate: z.number().int().positive().default(9600),
          }),
          NoDevice,
        ])
        .prefault({ kind: 'simulated' }),
    })
    .prefault({}),
  maintenance: z
    .strictObject({
      /**
       * The hidden gesture that opens the technician's PIN pad: a press held on one corner,
       * then taps on another within a few seconds. Drivers are never shown a hint of it.
       */
      gesture: z
        .strictObject({
          holdCorner: ScreenCorner.default('top-left'),
          holdS: z.number().min(1).max(10).default(3),
          tapCorner: ScreenCorner.default('top-right'),
          taps: z.number().int().min(2).max(8).default(3),
          withinS: z.number().min(1).max(10).default(4),
        })
        .refine((g) => g.holdCorner !== g.tapCorner, 'the press and the taps are on different corners')
        .prefault({}),
      /** The menu closes after this long without a touch, s. */
      timeoutS: z.number().int().min(15).max(3600).default(120),
      /**
       * The folder tariff files are loaded from and reports exported to (a mounted USB
       * stick, e.g. /media/kiosk); absent: `exchange` in the data folder.
       */
      exchangeDir: z.string().min(1).max(500).optional(),
    })
    .prefault({}),
  retention: z
    .strictObject({
      /** Money records (sessions, payments, receipts, the ledger, the audit log) are kept this many years. */
      years: z.number().int().min(1).max(30).default(10),
      /** A card token (stop by the same card) is dropped this many days after its session was settled. */
      cardTokenDays: z.number().int().min(0).max(365).default(7),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
      /** Size at which the log file rotates, e.g. '10M'. */
      rotateSize: z.string().regex(/^\d+[KMG]$/).default('10M'),
      /** Rotated files kept. */
      keep: z.number().int().min(1).max(100).default(10),
    })
    .prefault({}),
}).superRefine((config, ctx) => {
  // A way to pay the station has no device for would be offered to nobody: say so rather than drop it.
  const device = { card: config.devices.terminal.kind, rfid: config.devices.rfid.kind };
  for (const way of config.payment.methods ?? []) {
    if (device[way] === 'none') ctx.addIssue({ code: 'custom', path: ['payment', 'methods'], message: `${way} is offered, but devices.${way === 'card' ? 'terminal' : 'rfid'}.kind is none` });
  }
});

export type KioskConfig = z.infer<typeof KioskConfig>;
export type KioskConfigInput = z.input<typeof KioskConfig>;
