import { formatBytes } from '@files-api/sdk';

/** A size for the page's narrow columns: no decimal from 10 upward (`256 KiB`). */
export function compactBytes(bytes: number): string {
  return formatBytes(bytes, { compact: true });
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '…';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function formatTime(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : '';
}

/** A filename as the page shows it: bidi overrides and other invisible format characters (U+202E,
 * U+200B, U+FEFF…) become `_`, so `invoice\u202efdp.exe` cannot read as `invoiceexe.pdf`. */
export function displayName(name: string): string {
  return name.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '_');
}
