// Post-link step of the engine build: asc emits its static data as ~1,600 data segments (strings and object
// headers apart), and wasm2c turns each segment into its own load call in the firmware (about 59 KB of Cortex-M4
// code). Merging the active segments into one (the gaps between them zero-filled, as memory already is) keeps
// the same memory image at start and costs one copy. Usage: tsx schemas/pack-data.ts build/engine.wasm
import { readFileSync, writeFileSync } from "node:fs";
import binaryen from "binaryen";

const file = process.argv[2];
if (!file) { console.error("usage: pack-data.ts ENGINE.wasm"); process.exit(2); }
const m = binaryen.readBinary(readFileSync(file));
m.setFeatures(binaryen.Features.MVP | binaryen.Features.BulkMemory | binaryen.Features.SignExt | binaryen.Features.MutableGlobals | binaryen.Features.NontrappingFPToInt);
const n = m.getNumMemorySegments();
const segments = Array.from({ length: n }, (_, i) => {
  const s = m.getMemorySegmentInfoByIndex(i);
  if (s.passive) throw new Error(`${file}: passive data segment ${i} cannot be merged`);
  // binaryen.js reports an active segment's offset as its constant byte offset.
  const at = s.offset as unknown as number;
  if (!Number.isInteger(at) || at < 0) throw new Error(`${file}: data segment ${i} has no constant offset`);
  return { at, data: new Uint8Array(s.data) };
});
if (n > 1) {
  const start = Math.min(...segments.map((s) => s.at));
  const end = Math.max(...segments.map((s) => s.at + s.data.length));
  const image = new Uint8Array(end - start);
  for (const s of segments.sort((a, b) => a.at - b.at)) image.set(s.data, s.at - start);
  const mem = m.getMemoryInfo("0");
  m.removeExport("memory");
  m.setMemory(mem.initial, mem.max ?? 65536, "memory", [{ offset: m.i32.const(start), data: image, passive: false }], mem.shared, mem.is64, "0");
  if (!m.validate()) throw new Error(`${file}: invalid after merging its data segments`);
  writeFileSync(file, m.emitBinary());
  console.log(`${file}: ${n} data segments merged into one of ${image.length} bytes`);
}
m.dispose();
