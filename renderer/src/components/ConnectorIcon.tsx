// The plug of a connector, drawn as it looks from the front (the shapes drivers know from
// their car's inlet): Type 2's seven pins in a flat-topped round face, CCS the Type 2 face
// over two DC pins, CHAdeMO a round face with two large and several small pins. A fixed
// cable is the Type 2 face with its lead. Decorative: the tile names the type in words.
import type { ConnectorType } from '../../../electron/contract/index.js';

/** Pin centres on the 48-wide face. */
const TYPE2_PINS: [number, number][] = [
  [17, 16],
  [31, 16],
  [12, 25],
  [24, 24],
  [36, 25],
  [18, 34],
  [30, 34],
];
const CHADEMO_SIGNAL_PINS: [number, number][] = [
  [24, 17],
  [24, 43],
  [17, 20],
  [31, 20],
];

function Pins({ at, r }: { at: [number, number][]; r: number }) {
  return at.map(([cx, cy]) => <circle key={`${cx}-${cy}`} cx={cx} cy={cy} r={r} fill="currentColor" />);
}

function Type2Face({ y = 0 }: { y?: number }) {
  return (
    <g transform={`translate(0 ${y})`}>
      <path d="M6 10 H42 A20 20 0 0 1 24 42 A20 20 0 0 1 6 10 Z" fill="none" stroke="currentColor" strokeWidth="3" strokeLinejoin="round" />
      <Pins at={TYPE2_PINS} r={3} />
    </g>
  );
}

export function ConnectorIcon({ type }: { type: ConnectorType }) {
  return (
    <svg className="plug-icon" viewBox="0 0 48 64" aria-hidden="true" focusable="false">
      {type === 'chademo' ? (
        <g>
          <circle cx="24" cy="30" r="20" fill="none" stroke="currentColor" strokeWidth="3" />
          <circle cx="15" cy="30" r="5.5" fill="currentColor" />
          <circle cx="33" cy="30" r="5.5" fill="currentColor" />
          <Pins at={CHADEMO_SIGNAL_PINS} r={2.2} />
        </g>
      ) : type === 'ccs2' ? (
        <g>
          <Type2Face y={-4} />
          <path d="M8 46 H40 V58 A4 4 0 0 1 36 62 H12 A4 4 0 0 1 8 58 Z" fill="none" stroke="currentColor" strokeWidth="3" strokeLinejoin="round" />
          <circle cx="17" cy="54" r="4" fill="currentColor" />
          <circle cx="31" cy="54" r="4" fill="currentColor" />
        </g>
      ) : (
        <g>
          <Type2Face y={4} />
          {type === 'type2-cable' && <path d="M24 46 V62" stroke="currentColor" strokeWidth="5" strokeLinecap="round" />}
        </g>
      )}
    </svg>
  );
}
