/**
 * Executable formats, by their leading bytes: refused whatever type is
 * declared, since a file store that hands them out as `video/mp4` is a
 * malware host. Each is named by the MIME type a failure reports.
 *
 * Scripts (`#!`) are text, not on this list: a file store holds scripts as
 * it holds any source file, and nothing serves them as programs. Declared as
 * anything the sniffer recognises, they fail its positive check anyway.
 */
const EXECUTABLES: { type: string; matches: (head: Buffer) => boolean }[] = [
  // DOS/Windows (MZ, and PE behind it).
  { type: 'application/vnd.microsoft.portable-executable', matches: (h) => startsWith(h, [0x4d, 0x5a]) },
  { type: 'application/x-elf', matches: (h) => startsWith(h, [0x7f, 0x45, 0x4c, 0x46]) },
  // Mach-O, 32 and 64 bits, either byte order.
  {
    type: 'application/x-mach-binary',
    matches: (h) => [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe].some((magic) => h.length >= 4 && h.readUInt32BE(0) === magic),
  },
  // A Java class, or a Mach-O universal binary: both begin CAFEBABE.
  { type: 'application/java-vm', matches: (h) => startsWith(h, [0xca, 0xfe, 0xba, 0xbe]) },
  // Android's Dalvik executable: "dex\n", three version digits, NUL.
  { type: 'application/vnd.android.dex', matches: (h) => h.subarray(0, 4).toString('latin1') === 'dex\n' && h[7] === 0 },
  { type: 'application/wasm', matches: (h) => startsWith(h, [0x00, 0x61, 0x73, 0x6d]) },
];

/** The executable format the first bytes announce, if any. */
export function executableType(head: Buffer): string | undefined {
  return EXECUTABLES.find((format) => format.matches(head))?.type;
}

function startsWith(head: Buffer, bytes: number[]): boolean {
  return head.length >= bytes.length && bytes.every((byte, i) => head[i] === byte);
}
