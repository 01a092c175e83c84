/** A QR code drawn here (the `qrcode` package, as SVG), never by an online service. */
import { useEffect, useState } from 'react';
import QRCode from 'qrcode';

export function QrCode({ value, size = 160, label }: { value: string; size?: number; label: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    QRCode.toString(value, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }).then(
      (svg) => live && setSrc(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`),
      () => live && setSrc(null),
    );
    return () => {
      live = false;
    };
  }, [value]);
  return (
    <span className="qr" style={{ width: size, height: size }} data-testid="qr">
      {src && <img src={src} width={size} height={size} alt={label} data-value={value} />}
    </span>
  );
}
