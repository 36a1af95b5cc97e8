// Benchmark figure 6, run by bench/run.ts in its own process (node --expose-gc): the
// web host's memory while one WebSocket client stops reading. The host runs in this
// process with the default limits and a fake brain that publishes snapshots of the
// size the station sends while a car charges (one connector charging, one with a
// finished session, the simulator panel). Two clients: a healthy one (a `ws` client
// that reads everything) and a stalled one (a raw TCP client that does the upgrade,
// reads the 101 and never reads again). Prints one JSON object on stdout.
//
//   BENCH_WS_SNAPSHOTS  snapshots published (20,000)
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import WebSocket from 'ws';
import type { Snapshot } from '../electron/contract/index.js';
import { startWebHost, WEB_HOST_LIMITS, type KioskService } from '../electron/host/web-host.js';

const SNAPSHOTS = Number(process.env.BENCH_WS_SNAPSHOTS ?? 20_000);
const WARMUP = 500;
const DROP_MESSAGE = 'dropped a WebSocket client that stopped reading';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const turn = () => new Promise((resolve) => setImmediate(resolve));
const mb = (bytes: number) => +(bytes / 2 ** 20).toFixed(2);

/** Memory once garbage is collected and the event loop has been idle a moment. */
async function settledMemory() {
  for (let pass = 0; pass < 3; pass++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    gc!();
  }
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  return { rssMB: mb(rss), heapUsedMB: mb(heapUsed), heapTotalMB: mb(heapTotal), externalMB: mb(external) };
}

const tariff: Snapshot['tariff'] = {
  currency: 'EUR',
  vatPercent: '19',
  lines: [
    { kind: 'energy', price: '0.3450', unit: 'kWh' },
    { kind: 'time', price: '0.05', unit: 'minute' },
    { kind: 'flat', price: '0.50', unit: 'session' },
    { kind: 'parking', price: '0.12', unit: 'minute' },
  ],
  changes: [{ kind: 'energy', price: '0.29', unit: 'kWh', fromTime: '22:00', afterMinutes: null, afterKwh: null, free: false }],
  minPriceMinor: null,
  maxPriceMinor: null,
  holdMinor: 5000,
};

/** What the station publishes every meter sample while connector 1 charges (about 4 kB of JSON). */
function chargingSnapshot(seq: number): Snapshot {
  const now = 1_750_000_000_000 + seq * 500;
  const energyWh = 1200 + seq * 3;
  return {
    seq,
    now,
    station: { id: 'DE-BER-0042', name: 'Parkhaus Mitte', helpLine: '+49 30 555 0100', locale: 'en', timeZone: 'Europe/Berlin', serviceState: 'inService', outOfServiceReason: null, serviceNote: null, maintenanceGesture: { holdCorner: 'top-left', holdS: 3, tapCorner: 'top-right', taps: 3, withinS: 4 } },
    screen: { language: 'en', languages: ['en'], highContrast: false },
    alarms: [],
    tariff,
    focus: 1,
    cardTap: null,
    terminal: { available: true, busy: false, prompt: null },
    payment: { methods: ['card', 'rfid'] },
    rfid: { available: true },
    printer: { available: true },
    devices: {
      chargers: [1, 2].map((connectorId) => ({
        connectorId,
        kind: 'simulated',
        online: true,
        port: 'memory',
        firmware: '8.2.2.sim',
        lastMessageAt: now - 250,
        errorCount: 0,
        lastError: null,
        details: { mode: connectorId === 1 ? 'enabled' : 'sleeping', relayClosed: connectorId === 1, rapi: '5.2.1', energyLimit: false },
      })),
      terminal: { kind: 'simulated', online: true, port: 'memory', firmware: null, lastMessageAt: now - 60_000, errorCount: 0, lastError: null, details: {} },
      printer: { kind: 'simulated', online: true, port: 'memory', firmware: null, lastMessageAt: now - 600_000, errorCount: 0, lastError: null, details: { paper: 'ok' } },
      rfid: { kind: 'simulated', online: true, port: 'memory', firmware: null, lastMessageAt: null, errorCount: 0, lastError: null, details: {} },
    },
    connectors: [
      {
        id: 1,
        label: 'A',
        type: 'ccs2',
        countdown: null,
        phase: 'charging',
        vehiclePlugged: true,
        maxPowerW: 22080,
        problem: null,
        problemKind: null,
        service: null,
        tariff,
        session: {
          id: `S-20250615-${String(seq).padStart(6, '0')}-7f3a9c2e`,
          method: 'card',
          startedAt: now - seq * 500,
          energyWh,
          powerW: 11040 + (seq % 7),
          elapsedS: seq / 2,
          costMinor: Math.round(energyWh * 0.0345) + 50,
          currency: 'EUR',
          limitMinor: 5000,
          maskedPan: '**** **** **** 4242',
          account: null,
          parkingCapped: false,
          stopCode: null,
          declineReason: null,
          stopReason: null,
          inactivityWarning: false,
        },
        lastSummary: null,
        lastSummaryUntil: null,
      },
      {
        id: 2,
        label: 'B',
        type: 'type2',
        countdown: null,
        phase: 'available',
        vehiclePlugged: false,
        maxPowerW: 11040,
        tariff,
        problem: null,
        problemKind: null,
        service: null,
        session: null,
        lastSummaryUntil: 1_749_994_500_000,
        lastSummary: {
          sessionId: 'S-20250615-000017-0b91d4aa',
          method: 'card',
          maskedPan: '**** **** **** 0005',
          startedAt: 1_749_990_000_000,
          endedAt: 1_749_993_600_000,
          energyWh: 18_432,
          durationS: 3600,
          chargingS: 3410,
          costMinor: 686,
          vatMinor: 110,
          capturedMinor: 686,
          account: null,
          writtenOffMinor: 0,
          noCharge: false,
          parkingCapped: false,
          lines: [
            { kind: 'energy', quantity: 18_432, amountMinor: 636 },
            { kind: 'flat', quantity: 1, amountMinor: 50 },
          ],
          stopReason: 'vehicle',
          receipt: 'qr',
          receiptQr: 'https://receipts.example/DE-BER-0042/S-20250615-000017-0b91d4aa?t=8c1f0e7a',
        },
      },
    ],
    sim: {
      chargers: [
        { connectorId: 1, plugged: true, fault: false, charging: true },
        { connectorId: 2, plugged: false, fault: false, charging: false },
      ],
      terminal: { nextOutcome: 'approve', openHolds: 1, protocol: 'zvt' },
      printer: { paper: 'ok', coverOpen: false, printed: 3, lastReceipt: 'Parkhaus Mitte\nDE-BER-0042\n\nEnergy 18.432 kWh   6.36 EUR\nSession fee         0.50 EUR\nTotal               6.86 EUR\nincl. VAT 19 %      1.10 EUR\n' },
      rfid: { cards: [{ uid: '04A1B2C3D4E5F6', account: 'Demo prepaid', type: 'prepaid', blocked: false, balanceMinor: 2000 }] },
    },
  } as Snapshot; // `as`, not `satisfies`: the bench measures size, and the snapshot's type grows
}

/** A brain that only publishes snapshots (and sends the current one to a new subscriber, as the station does). */
const listeners = new Set<(snapshot: Snapshot) => void>();
let current = chargingSnapshot(0);
const service: KioskService = {
  handle: async () => ({ ok: true }),
  handleSim: async () => ({ ok: true }),
  handleTech: async () => ({ ok: false, error: { code: 'rejected', message: 'not in this bench' } }),
  connectionClosed: () => {},
  snapshot: () => current,
  subscribe: (listener) => {
    listeners.add(listener);
    listener(current);
    return () => listeners.delete(listener);
  },
};
function publish(snapshot: Snapshot): void {
  current = snapshot;
  listeners.forEach((listener) => listener(snapshot));
}

const staticDir = mkdtempSync(join(tmpdir(), 'kiosk-bench-ws-stall-'));
let droppedAt: { ms: number; published: number; backlogBytes: number } | null = null;
let published = 0;
let started = 0;
const log = pino(
  { level: 'warn' },
  {
    write: (line: string) => {
      const entry = JSON.parse(line) as { msg: string; backlogBytes?: number };
      if (entry.msg === DROP_MESSAGE && droppedAt === null) droppedAt = { ms: performance.now() - started, published, backlogBytes: entry.backlogBytes ?? 0 };
      else if (entry.msg !== DROP_MESSAGE) process.stderr.write(`  ws-stall: unexpected log: ${line}`);
    },
  },
);
const host = await startWebHost({ service, staticDir, port: 0, log });

// The healthy client: counts what it reads.
let healthyReceived = 0;
let healthyLastSeq = -1;
const healthy = new WebSocket(`ws://127.0.0.1:${host.port}/ws`);
healthy.on('message', (data) => {
  healthyReceived++;
  healthyLastSeq = (JSON.parse(String(data)) as { snapshot: Snapshot }).snapshot.seq;
});
await new Promise<void>((resolve, reject) => {
  healthy.once('open', () => resolve());
  healthy.once('error', reject);
});

// The stalled client: the upgrade, then it never reads.
const stalled: Socket = connect(host.port, '127.0.0.1');
stalled.on('error', () => undefined);
await new Promise<void>((resolve) => stalled.once('connect', () => resolve()));
stalled.write(
  `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
);
await new Promise<void>((resolve) => stalled.once('data', () => (stalled.pause(), resolve())));
while (listeners.size < 2) await turn();

const snapshotBytes = Buffer.byteLength(JSON.stringify({ type: 'snapshot', snapshot: chargingSnapshot(SNAPSHOTS) }));
for (let seq = 1; seq <= WARMUP; seq++) {
  publish(chargingSnapshot(-seq)); // negative: the warm-up's own
  await turn();
}
const before = await settledMemory();
const stalledSubscribedBefore = listeners.size === 2;

started = performance.now();
for (let seq = 1; seq <= SNAPSHOTS; seq++) {
  published = seq;
  publish(chargingSnapshot(seq));
  await turn(); // the sockets move between snapshots
}
const publishMs = performance.now() - started;
for (let i = 0; i < 2000 && healthyLastSeq !== SNAPSHOTS; i++) await new Promise((resolve) => setTimeout(resolve, 5));
const after = await settledMemory();

const result = {
  snapshots: SNAPSHOTS,
  snapshotBytes,
  publishedMB: mb(SNAPSHOTS * snapshotBytes),
  limitBytes: WEB_HOST_LIMITS.maxWsBacklogBytes,
  publishS: +(publishMs / 1000).toFixed(2),
  stalledSubscribedBefore,
  stalledDropped: droppedAt !== null && listeners.size === 1,
  drop: droppedAt,
  healthy: { received: healthyReceived, lastSeq: healthyLastSeq, gotLatest: healthyLastSeq === SNAPSHOTS, open: healthy.readyState === WebSocket.OPEN },
  before,
  after,
  growth: { rssMB: +(after.rssMB - before.rssMB).toFixed(2), heapUsedMB: +(after.heapUsedMB - before.heapUsedMB).toFixed(2) },
};
healthy.terminate();
stalled.destroy();
await host.close();
rmSync(staticDir, { recursive: true, force: true });
process.stdout.write(JSON.stringify(result) + '\n');
