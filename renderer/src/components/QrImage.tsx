// The receipt as a QR code: an SVG drawn from the qrcode package's matrix, shown
// as an <img> (data: URL, allowed by the CSP). The library loads only when needed.
import { useEffect, useState } from 'react';

type QrState = { text: string; src: string | null; failed: boolean };

async function qrDataUrl(text: string): Promise<string> {
  const { create } = await import('qrcode/lib/browser.js');
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  const margin = 4;
  let path = '';
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (modules.get(row, col)) path += `M${col + margin} ${row + margin}h1v1h-1z`;
    }
  }
  const dim = size + margin * 2;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${dim} ${dim}" shape-rendering="crispEdges">` +
    `<rect width="${dim}" height="${dim}" fill="#fff"/><path d="${path}" fill="#000"/></svg>`;
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

export function QrImage({ text, alt, preparing, failed }: { text: string; alt: string; preparing: string; failed: string }) {
  const [state, setState] = useState<QrState>({ text, src: null, failed: false });

  useEffect(() => {
    let live = true;
    qrDataUrl(text).then(
      (src) => live && setState({ text, src, failed: false }),
      () => live && setState({ text, src: null, failed: true }),
    );
    return () => {
      live = false;
    };
  }, [text]);

  if (state.text === text && state.failed) return <p role="alert">{failed}</p>;
  if (state.text !== text || !state.src) return <p role="status">{preparing}</p>;
  return <img className="qr" src={state.src} alt={alt} draggable={false} />;
}
