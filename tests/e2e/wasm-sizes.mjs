// Where the page's wasm bytes go: sums function-body sizes by what their names contain, read from
// the name section. By default it measures what ships: it runs wasm-bindgen (--keep-debug) and
// wasm-opt (the page's passes; -g keeps the names) on cargo's wasm, as Trunk does, into
// target/wasm-sizes/.
// Approximate: inlined code counts under its caller; a function counts once, under the first
// category its name matches.
//
// Run after `trunk build --release` (PATH as in ./dev: ~/.cargo/bin and node_modules/.bin):
//   node tests/e2e/wasm-sizes.mjs [--top N] [FILE.wasm]
//   --top N      also lists the N largest functions (PP_NAME_CHARS=600 prints longer names)
//   FILE.wasm    measures that file as it is (it needs a name section)
// For generic functions with their type arguments, build with
// RUSTFLAGS=-Csymbol-mangling-version=v0 (in another CARGO_TARGET_DIR) and pass the result.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './harness.mjs';

const topAt = process.argv.indexOf('--top');
const top = topAt > 0 ? Number(process.argv.splice(topAt, 2)[1]) : 0;

function shipped() {
  const built = path.join(ROOT, 'target/wasm32-unknown-unknown/wasm-release/partition_playground.wasm');
  if (!fs.existsSync(built)) throw new Error(`${built} is missing: trunk build --release`);
  const out = path.join(ROOT, 'target/wasm-sizes');
  fs.mkdirSync(out, { recursive: true });
  execFileSync('wasm-bindgen', ['--target', 'web', '--keep-debug', '--out-dir', out, built]);
  const opt = path.join(out, 'partition_playground_opt.wasm');
  // The passes www/index.html gives Trunk (data-wasm-opt="1" and data-wasm-opt-params).
  execFileSync('wasm-opt', ['-O1', '--merge-similar-functions', '-Oz', '--low-memory-unused', '-g',
    '--enable-bulk-memory', '--enable-nontrapping-float-to-int', path.join(out, 'partition_playground_bg.wasm'), '-o', opt]);
  return opt;
}

const file = process.argv[2] ?? shipped();
const bytes = fs.readFileSync(file);

function reader(at) {
  let i = at;
  return {
    get pos() {
      return i;
    },
    skip(n) {
      i += n;
    },
    byte() {
      return bytes[i++];
    },
    leb() {
      let result = 0;
      let shift = 0;
      for (;;) {
        const b = bytes[i++];
        result += (b & 0x7f) * 2 ** shift;
        shift += 7;
        if (b < 0x80) return result;
      }
    },
    name() {
      const n = this.leb();
      const s = bytes.toString('utf8', i, i + n);
      i += n;
      return s;
    },
  };
}

let importedFuncs = 0;
let bodies = [];
const names = new Map();
const r = reader(8);
while (r.pos < bytes.length) {
  const id = r.byte();
  const size = r.leb();
  const end = r.pos + size;
  if (id === 2) {
    // Imports: only function imports shift function indices.
    for (let n = r.leb(); n > 0; n--) {
      r.name();
      r.name();
      const kind = r.byte();
      if (kind === 0) {
        r.leb();
        importedFuncs++;
      } else if (kind === 1) {
        r.byte();
        const flags = r.byte();
        r.leb();
        if (flags & 1) r.leb();
      } else if (kind === 2) {
        const flags = r.byte();
        r.leb();
        if (flags & 1) r.leb();
      } else if (kind === 3) {
        r.skip(2);
      }
    }
  } else if (id === 10) {
    bodies = [];
    for (let n = r.leb(); n > 0; n--) {
      const len = r.leb();
      bodies.push(len);
      r.skip(len);
    }
  } else if (id === 0 && r.name() === 'name') {
    while (r.pos < end) {
      const sub = r.byte();
      const len = r.leb();
      const subEnd = r.pos + len;
      if (sub === 1) {
        for (let n = r.leb(); n > 0; n--) {
          const idx = r.leb();
          names.set(idx, r.name());
        }
      }
      r.skip(subEnd - r.pos);
    }
  }
  r.skip(end - r.pos);
}
if (names.size === 0) throw new Error(`${file} has no name section (was it stripped?)`);

const CATEGORIES = [
  ['alloc::collections::btree', /btree/],
  ['page (web, page, layout)', /partition_playground\d*(3web|4page|6layout)|playground(\.\.|::)(web|page|layout)/],
  ['scenario parser + serde', /partition_playground\d*8scenario|playground(\.\.|::)scenario|serde/],
  ['engine', /partition_playground\d*6engine|playground(\.\.|::)engine/],
  ['wasm-bindgen, js-sys, web-sys', /wasm_bindgen|js_sys|web_sys|__wbindgen|__wbg/],
  ['core (fmt, floats, iterators, ...)', /_ZN4core|core\.\.|4core|^<?core::/],
  ['alloc (other)', /_ZN5alloc|alloc\.\.|5alloc|^<?alloc::/],
  ['dlmalloc', /dlmalloc/],
];
const totals = new Map();
let all = 0;
bodies.forEach((len, k) => {
  const name = names.get(importedFuncs + k) ?? '?';
  const cat = CATEGORIES.find(([, re]) => re.test(name))?.[0] ?? 'other';
  totals.set(cat, (totals.get(cat) ?? 0) + len);
  all += len;
});
console.log(`${path.relative(process.cwd(), file)}: ${bodies.length} functions, ${all} bytes of function bodies`);
for (const [cat, len] of [...totals].sort((a, b) => b[1] - a[1])) {
  console.log(`${String(len).padStart(9)}  ${((100 * len) / all).toFixed(1).padStart(5)} %  ${cat}`);
}
if (top > 0) {
  const sized = bodies.map((len, k) => [len, names.get(importedFuncs + k) ?? '?']).sort((a, b) => b[0] - a[0]);
  for (const [len, name] of sized.slice(0, top)) console.log(`${String(len).padStart(9)}  ${name.slice(0, Number(process.env.PP_NAME_CHARS ?? 160))}`);
}
