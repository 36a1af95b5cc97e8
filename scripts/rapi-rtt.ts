// Round-trip time of a RAPI `$GS` through real serialport over a socat pseudo-terminal
// pair, the driver on one end and the simulator on the other; printed as JSON with the
// time the same bytes would take on a 115200-baud line (10 bits per byte, 8N1).
//
//   node --import tsx scripts/rapi-rtt.ts [--count 200]
//
// A pty moves bytes at memory speed, so the RTT here is the software's share (driver,
// serialport, event loop, simulator); on the real line add the line time.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../devices/clock.js';
import { decodeFrame, encodeCommand, encodeReply } from '../devices/charger/rapi-codec.js';
import { openRapiSerial, serveRapiSimulatorSerial } from '../devices/charger/rapi-serial.js';
import { RapiEvseSimulator } from '../devices/charger/rapi-simulator.js';
import { SimulatedCharger } from '../devices/charger/simulated-charger.js';
import { startPtyPair } from '../test/integration/charger/pty-helpers.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '200' } } });
const count = Number(values.count);
if (!(Number.isInteger(count) && count > 0)) throw new Error('--count must be a positive integer');
const BAUD = 115200;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapi-rtt-'));
const pair = await startPtyPair(path.join(dir, 'a'), path.join(dir, 'b'));
const model = new SimulatedCharger({ clock: systemClock, maxCurrentA: 32, voltageV: 230, phases: 1, vehicleMaxCurrentA: 16, vehicleCapacityWh: 60_000, sampleIntervalMs: 1000 });
const sim = new RapiEvseSimulator({ model, clock: systemClock });
const served = serveRapiSimulatorSerial({ path: pair.b, simulator: sim, clock: systemClock });
try {
  await served.ready;
  const driver = await openRapiSerial({ path: pair.a, clock: systemClock, controller: { heartbeat: false } });
  try {
    if (!driver.online) throw new Error('the driver did not come online');
    for (let i = 0; i < 10; i++) await driver.request('GS'); // warm-up
    const samples: number[] = [];
    let reply: string[] = [];
    for (let i = 0; i < count; i++) {
      const t0 = process.hrtime.bigint();
      reply = await driver.request('GS');
      samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    samples.sort((a, b) => a - b);
    const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? NaN;
    // The frames as the driver sends them and the firmware answers (sequence id and checksum included).
    const request = encodeCommand('GS', [], { seq: 1 });
    const answer = encodeReply(true, reply, { seq: 1 });
    if (decodeFrame(answer).kind !== 'reply') throw new Error('bad reply frame');
    const bytes = request.length + answer.length;
    const round = (n: number): number => Math.round(n * 1000) / 1000;
    console.log(
      JSON.stringify(
        {
          command: '$GS',
          count,
          transport: 'socat pty pair, serialport on both ends',
          rttMs: { median: round(at(0.5)), p90: round(at(0.9)), min: round(samples[0] ?? NaN), max: round(samples.at(-1) ?? NaN) },
          baudRate: BAUD,
          frameBytes: { request: request.length, reply: answer.length },
          lineTimeMs: round(((bytes * 10) / BAUD) * 1000),
          lineTimeFormula: `(${request.length} + ${answer.length}) bytes * 10 bits / ${BAUD} baud`,
        },
        null,
        2,
      ),
    );
  } finally {
    await driver.close();
  }
} finally {
  await served.close();
  await sim.close();
  await model.close();
  await pair.kill();
  fs.rmSync(dir, { recursive: true, force: true });
}
