// Dialogs of the driver's screen render into a layer above it; while one is open the
// screen behind is inert (not focusable, hidden from screen readers).
import { createContext, useCallback, useContext, useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

interface ModalLayer {
  host: HTMLElement | null;
  register(): () => void;
}

const ModalLayerContext = createContext<ModalLayer | null>(null);

export function useModalLayerState() {
  const [host, setHost] = useState<HTMLElement | null>(null);
  const [open, setOpen] = useState(0);
  const register = useCallback(() => {
    setOpen((n) => n + 1);
    return () => setOpen((n) => n - 1);
  }, []);
  const layer = useMemo<ModalLayer>(() => ({ host, register }), [host, register]);
  return { layer, setHost, anyOpen: open > 0 };
}

export function ModalLayerProvider({ layer, children }: { layer: ModalLayer; children: ReactNode }) {
  return <ModalLayerContext.Provider value={layer}>{children}</ModalLayerContext.Provider>;
}

export function Modal({ title, children, className }: { title: ReactNode; children: ReactNode; className?: string }) {
  const layer = useContext(ModalLayerContext);
  if (!layer) throw new Error('Modal outside ModalLayerProvider');
  const { register, host } = layer;
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => register(), [register]);
  useEffect(() => {
    ref.current?.focus();
  }, [host]);

  if (!host) return null;
  return createPortal(
    <div className="modal-backdrop">
      <div ref={ref} role="dialog" aria-modal="true" aria-labelledby={titleId} tabIndex={-1} className={`modal ${className ?? ''}`}>
        <h2 id={titleId} className="modal-title">
          {title}
        </h2>
        {children}
      </div>
    </div>,
    host,
  );
}
