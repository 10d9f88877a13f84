/**
 * ELF64 little-endian images as libbacktrace reads them: section headers, the symbol table
 * (.symtab, else .dynsym), the build-id note, .gnu_debuglink, PT_LOAD segments, and sections
 * (SHF_COMPRESSED and the older .zdebug_* form inflated with node:zlib). Reads are positional:
 * only the sections asked for are loaded.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { inflateSync } from "node:zlib";
import * as zlib from "node:zlib";
import { ByteCursor, cstringAt, SymbolsFormatError } from "./bytes.ts";

const SHT_SYMTAB = 2;
const SHT_NOBITS = 8;
const SHT_DYNSYM = 11;
const SHF_COMPRESSED = 0x800;
const PT_LOAD = 1;
const ELFCOMPRESS_ZLIB = 1;
const ELFCOMPRESS_ZSTD = 2;
const STT_OBJECT = 1;
const STT_FUNC = 2;
const SHN_UNDEF = 0;
const NT_GNU_BUILD_ID = 3;
/** No section is inflated past this (a hostile ch_size must not exhaust memory). */
const MAX_SECTION_BYTES = 1 << 30;

export interface SectionHeader {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
}

export interface ElfSymbol {
  /** Offset of the name in `strtab` (decoded only for the symbol a look-up finds). */
  nameOffset: number;
  strtab: Uint8Array;
  address: number;
  size: number;
}

/** An ELF file, open for positional reads while it is being parsed. */
export class ElfFile {
  readonly path: string;
  readonly sections: SectionHeader[] = [];
  /** PT_LOAD (vaddr, memsz) pairs in header order. */
  readonly loads: Array<[number, number]> = [];
  readonly type: number;
  private fd: number;
  private readonly fileSize: number;

  private constructor(path: string, fd: number) {
    this.path = path;
    this.fd = fd;
    this.fileSize = fstatSync(fd).size;
    const h = new ByteCursor(this.read(0, Math.min(64, this.fileSize)));
    h.need(64);
    if (h.u32() !== 0x464c457f) throw new SymbolsFormatError("not an ELF file");
    const cls = h.u8();
    const data = h.u8();
    const version = h.u8();
    if (cls !== 2) throw new SymbolsFormatError("not a 64-bit ELF file");
    if (data !== 1) throw new SymbolsFormatError("not a little-endian ELF file");
    if (version !== 1) throw new SymbolsFormatError("unknown ELF version");
    h.pos = 16;
    this.type = h.u16();
    h.pos = 32;
    const phoff = h.u64();
    const shoff = h.u64();
    h.pos = 54;
    const phentsize = h.u16();
    let phnum = h.u16();
    const shentsize = h.u16();
    let shnum = h.u16();
    let shstrndx = h.u16();
    if (shoff !== 0 && (shnum === 0 || shstrndx === 0xffff)) {
      const first = new ByteCursor(this.read(shoff, 64));
      first.pos = 32;
      const size0 = first.u64();
      const link0 = first.u32();
      if (shnum === 0) shnum = size0;
      if (shstrndx === 0xffff) shstrndx = link0;
    }
    if (phoff !== 0 && phnum > 0 && phentsize >= 56 && phnum < 65536) {
      const ph = new ByteCursor(this.read(phoff, phnum * phentsize));
      for (let i = 0; i < phnum; i++) {
        ph.pos = i * phentsize;
        const type = ph.u32();
        ph.skip(12);
        const vaddr = ph.u64();
        ph.skip(16);
        const memsz = ph.u64();
        if (type === PT_LOAD) this.loads.push([vaddr, memsz]);
      }
    }
    phnum = 0;
    if (shoff === 0 || shnum === 0 || shstrndx === 0 || shentsize < 64 || shnum > 1_000_000) return;
    if (shstrndx >= shnum) throw new SymbolsFormatError("section name table index out of range");
    const sh = new ByteCursor(this.read(shoff, shnum * shentsize));
    const raw: Array<Omit<SectionHeader, "name"> & { nameOffset: number }> = [];
    for (let i = 0; i < shnum; i++) {
      sh.pos = i * shentsize;
      const nameOffset = sh.u32();
      const type = sh.u32();
      const flags = sh.u64();
      const addr = sh.u64();
      const offset = sh.u64();
      const size = sh.u64();
      const link = sh.u32();
      raw.push({ nameOffset, type, flags, addr, offset, size, link });
    }
    const strHeader = raw[shstrndx]!;
    const names = this.read(strHeader.offset, strHeader.size);
    for (const r of raw) {
      if (r.nameOffset >= names.length && r !== raw[0]) throw new SymbolsFormatError("ELF section name out of range");
      this.sections.push({ ...r, name: r.nameOffset < names.length ? cstringAt(names, r.nameOffset) : "" });
    }
  }

  static open(path: string): ElfFile {
    const fd = openSync(path, "r");
    try {
      return new ElfFile(path, fd);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  /** `length` bytes at `offset`; past the end of the file is a format error. */
  read(offset: number, length: number): Uint8Array {
    if (!(offset >= 0 && length >= 0 && offset + length <= this.fileSize)) {
      throw new SymbolsFormatError(`${this.path}: bytes [${offset}, +${length}) past the end (${this.fileSize})`);
    }
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, out, done, length - done, offset + done);
      if (n <= 0) throw new SymbolsFormatError(`${this.path}: short read at ${offset + done}`);
      done += n;
    }
    return out;
  }

  section(name: string): SectionHeader | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** A section's contents, inflated when compressed; empty for SHT_NOBITS. */
  sectionData(s: SectionHeader): Uint8Array {
    if (s.type === SHT_NOBITS) return new Uint8Array(0);
    const bytes = this.read(s.offset, s.size);
    if (s.flags & SHF_COMPRESSED) {
      const c = new ByteCursor(bytes);
      const type = c.u32();
      c.skip(4);
      const size = c.u64();
      c.skip(8);
      if (size > MAX_SECTION_BYTES) throw new SymbolsFormatError(`${s.name}: compressed size ${size} too large`);
      return inflate(type, bytes.subarray(c.pos), size, s.name);
    }
    return bytes;
  }

  /** A DWARF section by its .debug_* name: the plain one, or the .zdebug_* one. */
  debugSection(name: string): Uint8Array | null {
    const plain = this.section(name);
    if (plain !== undefined) return this.sectionData(plain);
    const z = this.section(`.z${name.slice(1)}`);
    if (z === undefined) return null;
    const bytes = this.read(z.offset, z.size);
    // "ZLIB", then the inflated size as a big-endian u64.
    if (bytes.length < 12 || String.fromCharCode(...bytes.subarray(0, 4)) !== "ZLIB") throw new SymbolsFormatError(`${z.name}: bad header`);
    let size = 0;
    for (let i = 4; i < 12; i++) size = size * 256 + bytes[i]!;
    if (size > MAX_SECTION_BYTES) throw new SymbolsFormatError(`${z.name}: size ${size} too large`);
    return inflate(ELFCOMPRESS_ZLIB, bytes.subarray(12), size, z.name);
  }

  /** The GNU build id, lower-case hex, or null. */
  buildId(): string | null {
    const s = this.section(".note.gnu.build-id");
    if (s === undefined) return null;
    const c = new ByteCursor(this.read(s.offset, s.size));
    const namesz = c.u32();
    const descsz = c.u32();
    const type = c.u32();
    if (type !== NT_GNU_BUILD_ID || namesz !== 4) return null;
    const name = c.sub(4);
    if (cstringAt(name.bytes, name.pos) !== "GNU") return null;
    const desc = c.sub(descsz);
    return Buffer.from(desc.bytes.subarray(desc.pos, desc.end)).toString("hex");
  }

  /** .gnu_debuglink: the debug file's name and CRC-32. */
  debuglink(): { name: string; crc: number } | null {
    const s = this.section(".gnu_debuglink");
    if (s === undefined) return null;
    const bytes = this.read(s.offset, s.size);
    let nul = bytes.indexOf(0);
    if (nul < 0) nul = bytes.length;
    const crcOffset = (nul + 3) & ~3;
    if (crcOffset + 4 > bytes.length) return null;
    const name = new TextDecoder().decode(bytes.subarray(0, nul));
    return { name, crc: new DataView(bytes.buffer, bytes.byteOffset).getUint32(crcOffset, true) };
  }

  /**
   * Function and object symbols of .symtab, or of .dynsym when there is no .symtab, in file
   * order (libbacktrace sorts them itself).
   */
  symbols(): ElfSymbol[] | null {
    const index = this.sections.findIndex((s) => s.type === SHT_SYMTAB);
    const table = index >= 0 ? this.sections[index]! : this.sections.find((s) => s.type === SHT_DYNSYM);
    if (table === undefined) return null;
    if (table.link >= this.sections.length || table.link === 0) throw new SymbolsFormatError("symbol table strtab link out of range");
    const strtab = this.sectionData(this.sections[table.link]!);
    const data = this.sectionData(table);
    const c = new ByteCursor(data);
    const out: ElfSymbol[] = [];
    const count = Math.floor(data.length / 24);
    for (let i = 0; i < count; i++) {
      c.pos = i * 24;
      const name = c.u32();
      const info = c.u8();
      c.skip(1);
      const shndx = c.u16();
      const value = c.u64();
      const size = c.u64();
      const kind = info & 0xf;
      if ((kind !== STT_FUNC && kind !== STT_OBJECT) || shndx === SHN_UNDEF) continue;
      if (name >= strtab.length) throw new SymbolsFormatError("symbol string index out of range");
      out.push({ nameOffset: name, strtab, address: value, size });
    }
    return out;
  }
}

function inflate(type: number, data: Uint8Array, size: number, what: string): Uint8Array {
  // One output chunk of the announced size (no concatenation), seen as a plain Uint8Array so
  // every cursor reads one array type.
  const options = { maxOutputLength: Math.max(1, size), chunkSize: Math.max(64, Math.min(size, 1 << 30)) };
  const plain = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.length);
  try {
    if (type === ELFCOMPRESS_ZLIB) return plain(inflateSync(data, options));
    const zstd = (zlib as unknown as { zstdDecompressSync?: (b: Uint8Array, o?: object) => Buffer }).zstdDecompressSync;
    if (type === ELFCOMPRESS_ZSTD && zstd !== undefined) return plain(zstd(data, options));
  } catch (e) {
    throw new SymbolsFormatError(`${what}: cannot inflate (${(e as Error).message})`);
  }
  throw new SymbolsFormatError(`${what}: unsupported compression ${type}`);
}
