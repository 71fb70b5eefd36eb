// Persistence behind store_read/store_write: memory for tests and fleets, a JSON file per station for the simulator.
import { existsSync, readFileSync, renameSync, writeFileSync, mkdirSync } from "node:fs";
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

export class FileStore implements Store {
  private data: Record<string, string>;
  constructor(private path: string) {
    this.data = existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : {};
  }
  read(key: string) {
    const v = this.data[key];
    return v === undefined ? undefined : new TextEncoder().encode(v);
  }
  write(key: string, value: Uint8Array) {
    try {
      this.data[key] = new TextDecoder().decode(value);
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(this.path + ".tmp", JSON.stringify(this.data, null, 1));
      renameSync(this.path + ".tmp", this.path);
      return true;
    } catch {
      return false;
    }
  }
}
