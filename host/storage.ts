// Persistence behind store_read/store_write: memory for tests and fleets, a journal file per station for the simulator.
import { closeSync, existsSync, fdatasyncSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { crc32 } from "node:zlib";
import { dirname } from "node:path";

export interface Store {
  read(key: string): Uint8Array | undefined;
  write(key: string, value: Uint8Array): boolean;
}

export class MemoryStore implements Store {
  readonly map = new Map<string, Uint8Array>();
  read(key: string) { return this.map.get(key); }
  write(key: string, value: Uint8Array) { this.map.set(key, value.slice()); return true; }
}

const MAGIC = Buffer.from("CWJ1");
const HEAD = 10;   // crc32 u32, key length u16, value length u32 (little-endian); then the key and the value
/** Live data a FileStore holds at most: a write that would take it beyond is refused (the engine warns and goes on). */
export const FILE_STORE_LIMIT = 1 << 20;

function record(key: Buffer, value: Uint8Array): Buffer {
  const r = Buffer.alloc(HEAD + key.length + value.length);
  r.writeUInt16LE(key.length, 4);
  r.writeUInt32LE(value.length, 6);
  key.copy(r, HEAD);
  r.set(value, HEAD + key.length);
  r.writeUInt32LE(crc32(r.subarray(4)), 0);
  return r;
}

function readLegacy(path: string): [string, string][] {
  let data: unknown;
  try { data = JSON.parse(readFileSync(path, "utf8")); } catch (e) {
    throw new Error(`state file ${path} is corrupt (${(e as Error).message}); move it away or delete it to start afresh`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data) || Object.values(data).some((v) => typeof v !== "string")) {
    throw new Error(`state file ${path} is not a chargewasm state file (an object of strings); move it away or delete it to start afresh`);
  }
  return Object.entries(data as Record<string, string>);
}

/** The Node host's store: an append-only journal file, readable by its owner only (it holds SecurityCtrlr.BasicAuthPassword).
 *  Each write appends one record with its CRC and reaches the disk (fdatasync) before it returns, so after a power cut a
 *  record is wholly there or, torn, dropped at the next open with everything after it. The last record of a key wins;
 *  the file is rewritten with the live records only (atomically, by rename) once it is twice their size. */
export class FileStore implements Store {
  private data = new Map<string, Uint8Array>();
  private fd: number;
  private size: number;
  private live = 0;
  private compacting = false;

  /** `legacy`: a JSON state file of an earlier version, imported when the journal does not exist yet. */
  constructor(private path: string, legacy?: string) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const fresh = !existsSync(path);
    const imported = fresh && legacy && existsSync(legacy) ? readLegacy(legacy) : undefined;
    if (fresh) writeFileSync(path, MAGIC, { mode: 0o600 });
    const bytes = readFileSync(path);
    if (bytes.length < MAGIC.length || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new Error(`state file ${path} is not a chargewasm store; move it away or delete it to start afresh`);
    }
    let at = MAGIC.length;
    while (at + HEAD <= bytes.length) {
      const kl = bytes.readUInt16LE(at + 4), vl = bytes.readUInt32LE(at + 6), end = at + HEAD + kl + vl;
      if (end > bytes.length || crc32(bytes.subarray(at + 4, end)) !== bytes.readUInt32LE(at)) break;
      this.set(bytes.toString("utf8", at + HEAD, at + HEAD + kl), bytes.subarray(at + HEAD + kl, end));
      at = end;
    }
    this.fd = openSync(path, "r+", 0o600);
    if (at < bytes.length) ftruncateSync(this.fd, at);   // a torn last record
    this.size = at;
    if (imported) {
      for (const [k, v] of imported) this.write(k, new TextEncoder().encode(v));
      renameSync(legacy!, legacy + ".imported");
    }
  }

  read(key: string) { return this.data.get(key); }

  write(key: string, value: Uint8Array) {
    const old = this.data.get(key);
    if (this.live - (old ? old.length + key.length : 0) + value.length + key.length > FILE_STORE_LIMIT) return false;
    const r = record(Buffer.from(key, "utf8"), value);
    try {
      writeSync(this.fd, r, 0, r.length, this.size);
      fdatasyncSync(this.fd);
    } catch {
      return false;
    }
    this.size += r.length;
    this.set(key, value.slice());
    if (this.size > 2 * (this.live + 4096) && !this.compacting) {
      this.compacting = true;
      setImmediate(() => { this.compacting = false; this.compact(); });
    }
    return true;
  }

  private set(key: string, value: Uint8Array): void {
    const old = this.data.get(key);
    if (old) this.live -= old.length + key.length;
    if (value.length) { this.data.set(key, value); this.live += value.length + key.length; } else this.data.delete(key);
  }

  /** The live records into a new file that replaces the journal at once. */
  private compact(): void {
    const tmp = this.path + ".tmp";
    const parts = [MAGIC, ...[...this.data].map(([k, v]) => record(Buffer.from(k, "utf8"), v))];
    try {
      const fd = openSync(tmp, "w", 0o600);
      const all = Buffer.concat(parts);
      writeSync(fd, all);
      fsyncSync(fd);
      closeSync(fd);
      renameSync(tmp, this.path);
      closeSync(this.fd);
      this.fd = openSync(this.path, "r+");
      this.size = all.length;
    } catch { /* the journal stays as it is, and valid */ }
  }

  close(): void { closeSync(this.fd); }
}
