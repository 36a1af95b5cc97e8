// The firmware variants the RAPI simulator can play: the ways real controllers were
// found to differ from the stock OpenEVSE firmware. The configuration
// (`charger: {kind: simulated, firmware: …}`) and the simulator's CLI (`--firmware`)
// name them; a list combines them.
export const FIRMWARE_VARIANTS = [
  /** The stock OpenEVSE firmware: `$AT` on every change, sequence ids echoed, sleep 0xFE. */
  'standard',
  /** `$AT` only when the EVSE state code changes: asleep (0xFE stays 0xFE) a plug-in or unplug sends nothing. */
  'quiet',
  /** Replies never carry the sequence id (a third-party emulator). */
  'noSeqId',
  /** Sleep reported as state 0xFD; `$GV` answers `8.2.1 5.0.1` (the third-party emulator's identity). */
  'fd-sleep',
  /** `$GG` answers 4 fields: the current of each of the three phases (mA), then the voltage (mV). */
  'gg4',
  /** A boot prints a text banner (lines of text, not RAPI) before `$AB`. */
  'banner',
  /** `$GU` answers the total Wh first, then the session W·s; `$GV` reports RAPI 3.0.1. */
  'gu-reversed',
  /** `$GS` and `$AT` without the vehicle flags (`state elapsed pilot`, `state pilot amps`). */
  'no-vflags',
] as const;

export type FirmwareVariant = (typeof FIRMWARE_VARIANTS)[number];

/** What `firmware:` may be: one variant or a list of them. */
export type FirmwareSelection = FirmwareVariant | readonly FirmwareVariant[];

/** The variants a selection names ('standard' adds nothing); throws a RangeError for an unknown name. */
export function firmwareVariants(selection: FirmwareSelection | undefined): ReadonlySet<Exclude<FirmwareVariant, 'standard'>> {
  const list = selection === undefined ? [] : typeof selection === 'string' ? [selection] : selection;
  const out = new Set<Exclude<FirmwareVariant, 'standard'>>();
  for (const name of list) {
    if (!(FIRMWARE_VARIANTS as readonly string[]).includes(name)) {
      throw new RangeError(`unknown firmware variant ${JSON.stringify(name)}; known: ${FIRMWARE_VARIANTS.join(', ')}`);
    }
    if (name !== 'standard') out.add(name);
  }
  return out;
}

/** Parses the CLI's `--firmware quiet,noSeqId`. */
export function parseFirmwareList(text: string): FirmwareVariant[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  firmwareVariants(names as FirmwareVariant[]); // validates
  return names as FirmwareVariant[];
}
