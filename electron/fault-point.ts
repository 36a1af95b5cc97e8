// Fault-injection points for the chaos harness (scripts/chaos/). A point is inert
// unless the environment names it: KIOSK_FAULT_POINT=<name> arms it, and the process
// kills itself with SIGKILL (a crash, as a power cut is) on its KIOSK_FAULT_AFTER-th
// pass (default 1). It never changes what the product does otherwise: there is no
// branch but the kill. Only for windows the harness cannot see from outside:
//   store.commit   inside an SQLite transaction, its writes made, before COMMIT
export type FaultPointName = 'store.commit';

const armed = process.env.KIOSK_FAULT_POINT;
const after = Math.max(1, Number(process.env.KIOSK_FAULT_AFTER ?? 1) || 1);
let passes = 0;

export function faultPoint(name: FaultPointName): void {
  if (armed !== name) return;
  passes++;
  if (passes >= after) process.kill(process.pid, 'SIGKILL');
}
