// The shipped page's wasm imports its glue's functions by short names (www/short-imports.mjs, run
// by the release build's post_build hook), and a glue that does not match stops the build.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { DIST } from './harness.mjs';
import { shortenImports } from '../../www/short-imports.mjs';

const pairs = fs.readdirSync(DIST).filter((f) => f.endsWith('_bg.wasm')).map((wasm) => [wasm, wasm.replace(/_bg\.wasm$/, '.js')]);

test('every shipped wasm imports from module "m" by short names, and its glue names no long import', () => {
  assert.ok(pairs.length >= 2, 'the page and the share worker');
  for (const [wasmName, glueName] of pairs) {
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(fs.readFileSync(path.join(DIST, wasmName))));
    assert.ok(imports.length > 20, `${wasmName} imports its glue's functions`);
    for (const { module, name } of imports) {
      assert.equal(module, 'm', `${wasmName}: ${name}`);
      assert.ok(name.length <= 2, `${wasmName}: import ${name} is short`);
    }
    const glue = fs.readFileSync(path.join(DIST, glueName), 'utf8');
    assert.doesNotMatch(glue, /__wbg_\w+_[0-9a-f]{16}/, `${glueName} keeps no long import name`);
  }
});

/** A module importing one function `field` from `module`: (import "module" "field" (func)). */
function moduleImporting(module, field) {
  const name = (s) => [s.length, ...Buffer.from(s)];
  const types = [0x01, 0x04, 0x01, 0x60, 0x00, 0x00];
  const entry = [0x01, ...name(module), ...name(field), 0x00, 0x00];
  return Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, 0x02, entry.length, ...entry]);
}

test('an import is renamed in the wasm and in its glue together', () => {
  const glue = 'const i={__proto__:null,__wbg_log_0123456789abcdef:function(){}};return{"./x_bg.js":i}';
  const out = shortenImports(moduleImporting('./x_bg.js', '__wbg_log_0123456789abcdef'), glue);
  assert.equal(out.renamed, 1);
  assert.deepEqual(WebAssembly.Module.imports(new WebAssembly.Module(out.wasm)), [{ module: 'm', name: 'a', kind: 'function' }]);
  assert.equal(out.glue, 'const i={__proto__:null,a:function(){}};return{"m":i}');
});

test('a glue that does not hold an import exactly once stops the build', () => {
  const wasm = moduleImporting('./x_bg.js', '__wbg_log_0123456789abcdef');
  assert.throws(() => shortenImports(wasm, 'return{"./x_bg.js":{}}'), /does not hold __wbg_log_0123456789abcdef exactly once/);
  const twice = '__wbg_log_0123456789abcdef:1,b:__wbg_log_0123456789abcdef;return{"./x_bg.js":i}';
  assert.throws(() => shortenImports(wasm, twice), /exactly once/);
});
