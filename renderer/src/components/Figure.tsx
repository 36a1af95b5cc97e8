import type { ReactNode } from 'react';

/** A labelled figure: small label above a large value. */
export function Figure({ label, value, size = 'md' }: { label: ReactNode; value: ReactNode; size?: 'xl' | 'lg' | 'md' }) {
  return (
    <div className={`figure figure--${size}`}>
      <dt className="figure-label">{label}</dt>
      <dd className="figure-value">{value}</dd>
    </div>
  );
}
