// as-pect runs the engine's unit specs (test/engine/*.spec.ts) inside wasm.
// The HAL imports are stubs with fixed values: these specs test pure engine code.
module.exports = {
  entries: ["test/engine/**/*.spec.ts"],
  include: [],
  disclude: [/node_modules/],

  async instantiate(memory, createImports, instantiate, binary) {
    let instance;
    let t = 1000n;
    let seed = 12345;
    const store = new Map();
    const mem = () => instance.exports.memory.buffer;
    const text = (p, n) => Buffer.from(new Uint8Array(mem(), p, n)).toString("utf8");
    const host = {
      now_ms: () => t,
      utc_ms: () => 1767225600000n + t,
      random_u32: () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed | 0; },
      log: (level, p, n) => { if (process.env.ASP_LOG) console.log("engine log", level, text(p, n)); },
      ws_connect: () => {},
      ws_send: () => 0,
      store_read: (k, kl, buf, cap) => {
        const v = store.get(text(k, kl));
        if (v === undefined) return -1;
        if (v.length > cap) return -2;
        new Uint8Array(mem(), buf, v.length).set(v);
        return v.length;
      },
      store_write: (k, kl, v, vl) => { store.set(text(k, kl), new Uint8Array(mem(), v, vl).slice()); return 0; },
    };
    instance = instantiate(binary, createImports({ host }));
    return instance;
  },
  outputBinary: false,
};
