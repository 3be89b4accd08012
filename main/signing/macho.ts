import type { ByteSource } from './byte-source';
import { SignatureError } from './errors';

// <mach-o/loader.h>, <mach-o/fat.h>
const MH_MAGIC = 0xfeedface;
const MH_CIGAM = 0xcefaedfe;
const MH_MAGIC_64 = 0xfeedfacf;
const MH_CIGAM_64 = 0xcffaedfe;
const FAT_MAGIC = 0xcafebabe;
const FAT_MAGIC_64 = 0xcafebabf;
const LC_CODE_SIGNATURE = 0x1d;
/** More slices than any real universal binary; a Java class file (also 0xcafebabe) has a version ≥ 45 here. */
const MAX_FAT_ARCHES = 32;

export interface MachOSlice {
  offset: number;
  size: number;
  cpuType: number;
  cpuSubtype: number;
  arch: string;
  /** Absolute file offset and size of the code signature, when present. */
  signature?: { offset: number; size: number };
  /** Bytes of header and load commands, from the slice start. */
  headerSize: number;
}

export interface MachOLayout {
  universal: boolean;
  fat64: boolean;
  /** Bytes of the fat header and arch table (0 when thin). */
  fatHeaderSize: number;
  slices: MachOSlice[];
}

export function archName(cpuType: number, cpuSubtype: number): string {
  const sub = cpuSubtype & 0x00ffffff;
  switch (cpuType) {
    case 7:
      return 'i386';
    case 0x01000007:
      return sub === 8 ? 'x86_64h' : 'x86_64';
    case 12:
      return sub === 9 ? 'armv7' : sub === 11 ? 'armv7s' : sub === 12 ? 'armv7k' : 'arm';
    case 0x0100000c:
      return sub === 2 ? 'arm64e' : 'arm64';
    case 0x0200000c:
      return 'arm64_32';
    case 18:
      return 'ppc';
    case 0x01000012:
      return 'ppc64';
    default:
      return `cputype ${cpuType}`;
  }
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Finds every slice of a thin or universal (fat, fat64) Mach-O and its LC_CODE_SIGNATURE. */
export function readMachOLayout(source: ByteSource): MachOLayout {
  if (source.size < 4)
    throw new SignatureError(source.name, `is ${source.size} bytes long, too short for a Mach-O`);
  const magic = view(source.read(0, 4, 'magic')).getUint32(0, false);
  if (magic === FAT_MAGIC || magic === FAT_MAGIC_64) return readFat(source, magic === FAT_MAGIC_64);
  const slice = readSlice(source, 0, source.size, 'Mach-O header');
  return { universal: false, fat64: false, fatHeaderSize: 0, slices: [slice] };
}

function readFat(source: ByteSource, fat64: boolean): MachOLayout {
  const count = view(source.read(4, 4, 'fat header')).getUint32(0, false);
  if (count === 0) throw new SignatureError(source.name, 'universal header lists no architectures');
  if (count > MAX_FAT_ARCHES) {
    throw new SignatureError(
      source.name,
      `starts with 0xcafebabe but lists ${count} architectures; not a universal Mach-O (a Java class file?)`,
    );
  }
  const entrySize = fat64 ? 32 : 20;
  const table = view(source.read(8, count * entrySize, 'fat_arch table'));
  const slices: MachOSlice[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * entrySize;
    const cpuType = table.getInt32(at, false);
    const cpuSubtype = table.getInt32(at + 4, false);
    const offset = fat64 ? Number(table.getBigUint64(at + 8, false)) : table.getUint32(at + 8, false);
    const size = fat64 ? Number(table.getBigUint64(at + 16, false)) : table.getUint32(at + 12, false);
    const label = `architecture ${i} (${archName(cpuType, cpuSubtype)})`;
    if (offset + size > source.size) {
      throw new SignatureError(
        source.name,
        `${label} claims bytes ${offset}–${offset + size}, past the end of the file (${source.size} bytes)`,
      );
    }
    const slice = readSlice(source, offset, size, label);
    if (slice.cpuType !== cpuType) {
      throw new SignatureError(
        source.name,
        `${label}: the fat table and the slice's Mach-O header disagree on the CPU`,
      );
    }
    slices.push(slice);
  }
  return { universal: true, fat64, fatHeaderSize: 8 + count * entrySize, slices };
}

function readSlice(source: ByteSource, offset: number, size: number, label: string): MachOSlice {
  if (size < 4)
    throw new SignatureError(source.name, `${label}: ${size} bytes is too short for a Mach-O header`);
  const first = view(source.read(offset, 4, `${label} magic`)).getUint32(0, false);
  // The magic read big-endian tells the byte order: CIGAM read big-endian is a little-endian file.
  let little: boolean;
  let is64: boolean;
  if (first === MH_CIGAM || first === MH_CIGAM_64) {
    little = true;
    is64 = first === MH_CIGAM_64;
  } else if (first === MH_MAGIC || first === MH_MAGIC_64) {
    little = false;
    is64 = first === MH_MAGIC_64;
  } else {
    throw new SignatureError(
      source.name,
      `${label}: not a Mach-O file (magic 0x${first.toString(16).padStart(8, '0')})`,
    );
  }
  const headerSize = is64 ? 32 : 28;
  if (size < headerSize) {
    throw new SignatureError(source.name, `${label}: ${size} bytes is too short for a Mach-O header`);
  }
  const header = view(source.read(offset, headerSize, `${label} header`));
  const cpuType = header.getInt32(4, little);
  const cpuSubtype = header.getInt32(8, little);
  const ncmds = header.getUint32(16, little);
  const sizeofcmds = header.getUint32(20, little);
  if (headerSize + sizeofcmds > size) {
    throw new SignatureError(
      source.name,
      `${label}: load commands (${sizeofcmds} bytes) run past the end of the slice (${size} bytes)`,
    );
  }
  const commands = view(source.read(offset + headerSize, sizeofcmds, `${label} load commands`));
  let at = 0;
  let signature: MachOSlice['signature'];
  for (let i = 0; i < ncmds; i++) {
    if (at + 8 > sizeofcmds) {
      throw new SignatureError(source.name, `${label}: load command ${i} of ${ncmds} starts past sizeofcmds`);
    }
    const cmd = commands.getUint32(at, little);
    const cmdsize = commands.getUint32(at + 4, little);
    if (cmdsize < 8 || at + cmdsize > sizeofcmds) {
      throw new SignatureError(source.name, `${label}: load command ${i} has a bad size (${cmdsize})`);
    }
    if (cmd === LC_CODE_SIGNATURE) {
      if (cmdsize < 16)
        throw new SignatureError(source.name, `${label}: LC_CODE_SIGNATURE is ${cmdsize} bytes, needs 16`);
      const dataoff = commands.getUint32(at + 8, little);
      const datasize = commands.getUint32(at + 12, little);
      if (dataoff + datasize > size) {
        throw new SignatureError(
          source.name,
          `${label}: LC_CODE_SIGNATURE points at bytes ${dataoff}–${dataoff + datasize}, past the end of the slice (${size} bytes)`,
        );
      }
      signature = { offset: offset + dataoff, size: datasize };
    }
    at += cmdsize;
  }
  return {
    offset,
    size,
    cpuType,
    cpuSubtype,
    arch: archName(cpuType, cpuSubtype),
    headerSize: headerSize + sizeofcmds,
    ...(signature ? { signature } : {}),
  };
}
