// A figure as the driver sees it and as a screen reader says it (issue 16): "12.35 kWh"
// to sight, "12.35 kilowatt-hours" to the ear; "€4.20" and "4.20 euros"; "0:12:05" and
// "12 minutes, 5 seconds". The text shown is the element's only text (its innerText and
// textContent stay what the driver reads) and is hidden from screen readers; the spoken
// words are CSS generated content (.spoken::after, visually hidden), which browsers give
// screen readers as the element's text in its place.
import type { ReactNode } from 'react';

export function Spoken({ text, spoken, className }: { text: ReactNode; spoken: string; className?: string }) {
  if (typeof text === 'string' && text === spoken) return className ? <span className={className}>{text}</span> : <>{text}</>;
  return (
    <span className={className ? `spoken ${className}` : 'spoken'} data-spoken={spoken}>
      <span aria-hidden="true">{text}</span>
    </span>
  );
}
