const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/**
 * A byte count as people read it, in binary units: `1000 B`, `3.0 MiB`. For progress lines and file
 * lists (the `files` command and the browser uploader show sizes the same way). `compact` drops the
 * decimal from 10 upward (`256 KiB`, `1.5 GiB`), for narrow columns.
 */
export function formatBytes(bytes: number, { compact = false }: { compact?: boolean } = {}): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${value} B`;
  return `${value.toFixed(compact && value >= 10 ? 0 : 1)} ${UNITS[unit]}`;
}
