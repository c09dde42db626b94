/**
 * The first bytes of real executables of each format the content check
 * refuses (headers as their toolchains write them; no code behind them), each
 * with the type a refusal names.
 */
function pe(): Buffer {
  const bytes = Buffer.alloc(256);
  bytes.write('MZ', 0, 'latin1');
  bytes.writeUInt32LE(0x80, 0x3c); // e_lfanew
  bytes.write('This program cannot be run in DOS mode.', 0x4e, 'latin1');
  bytes.write('PE\0\0', 0x80, 'latin1');
  bytes.writeUInt16LE(0x8664, 0x84); // x86-64
  return bytes;
}

function javaClass(): Buffer {
  // CAFEBABE, minor 0, major 61 (Java 17), then a constant pool count.
  return Buffer.from('cafebabe0000003d001d0a000200030700040c000500060100106a6176612f6c616e672f4f626a656374', 'hex');
}

function dex(): Buffer {
  const bytes = Buffer.alloc(112);
  bytes.write('dex\n035\0', 0, 'latin1');
  bytes.writeUInt32LE(112, 0x20); // file_size
  bytes.writeUInt32LE(0x70, 0x24); // header_size
  bytes.writeUInt32LE(0x12345678, 0x28); // endian_tag
  return bytes;
}

function elf(): Buffer {
  return Buffer.from('7f454c4602010100000000000000000003003e0001000000', 'hex');
}

function machO(): Buffer {
  // MH_MAGIC_64 as stored on little-endian machines, CPU_TYPE_ARM64.
  return Buffer.from('cffaedfe0c000001000000000200000010000000', 'hex');
}

export const EXECUTABLE_SAMPLES: Record<string, { bytes: Buffer; type: string }> = {
  'PE (Windows)': { bytes: pe(), type: 'application/vnd.microsoft.portable-executable' },
  'Java class': { bytes: javaClass(), type: 'application/java-vm' },
  'dex (Android)': { bytes: dex(), type: 'application/vnd.android.dex' },
  'ELF (Linux)': { bytes: elf(), type: 'application/x-elf' },
  'Mach-O (macOS)': { bytes: machO(), type: 'application/x-mach-binary' },
};
