// Persistence behind store_read/store_write: memory for tests and fleets, a JSON file per station for the simulator.
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync, mkdirSync } from "node:fs";
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

/** A JSON file, readable by its owner only (it holds SecurityCtrlr.BasicAuthPassword). */
export class FileStore implements Store {
  private data: Record<string, string>;
  constructor(private path: string) {
    if (!existsSync(path)) { this.data = {}; return; }
    let data: unknown;
    try { data = JSON.parse(readFileSync(path, "utf8")); } catch (e) {
      throw new Error(`state file ${path} is corrupt (${(e as Error).message}); move it away or delete it to start afresh`);
    }
    if (typeof data !== "object" || data === null || Array.isArray(data) || Object.values(data).some((v) => typeof v !== "string")) {
      throw new Error(`state file ${path} is not a chargewasm state file (an object of strings); move it away or delete it to start afresh`);
    }
    this.data = data as Record<string, string>;
  }
  read(key: string) {
    const v = this.data[key];
    return v === undefined ? undefined : new TextEncoder().encode(v);
  }
  write(key: string, value: Uint8Array) {
    try {
      this.data[key] = new TextDecoder().decode(value);
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      writeFileSync(this.path + ".tmp", JSON.stringify(this.data, null, 1), { mode: 0o600 });
      chmodSync(this.path + ".tmp", 0o600);
      renameSync(this.path + ".tmp", this.path);
      return true;
    } catch {
      return false;
    }
  }
}
