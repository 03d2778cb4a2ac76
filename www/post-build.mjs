// Trunk's post_build hook (Trunk.toml), on the staging directory:
// - release builds: minifies the page's JavaScript with terser. A build tool, not shipped:
//   wasm-bindgen's glue is readable and twice the size it needs to be, and it counts against the
//   page's 200 KB budget (README, bench part a). Then gives each wasm's imports short names in it
//   and its glue (short-imports.mjs). Where index.html names a file with its subresource
//   integrity (Trunk's modulepreload and preload), the digest is replaced with the shipped file's.
// - every build: writes the share worker's build on the start script's tag
//   (`data-share-worker`: a digest of the worker's glue and wasm), which the page puts in the
//   worker loader's query (web::share_client). Trunk gives a worker's files fixed names, so
//   without it a browser or a CDN could answer a newer page with an older worker.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { minify } from 'terser';
import { shortenImports } from './short-imports.mjs';

// Classic scripts, run by the share worker with importScripts (their top-level names are globals:
// `wasm_bindgen`); every other .js here is an ES module (the page's glue, start.js).
const CLASSIC = new Set(['share-worker-loader.js', 'share-worker.js']);

const sri = (bytes) => `sha384-${crypto.createHash('sha384').update(bytes).digest('base64')}`;

const dir = process.env.TRUNK_STAGING_DIR;
const htmlFile = path.join(dir, 'index.html');
let html = fs.readFileSync(htmlFile, 'utf8');
if (process.env.TRUNK_PROFILE === 'release') {
  const digests = new Map(); // a file's digest as Trunk wrote it -> the file's name
  const read = (name) => fs.readFileSync(path.join(dir, name));
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.js') || f.endsWith('.wasm'))) {
    digests.set(sri(read(name)), name);
  }
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const code = read(name).toString('utf8');
    const out = await minify(code, { module: !CLASSIC.has(name), compress: true, mangle: true, format: { comments: false } });
    fs.writeFileSync(path.join(dir, name), out.code);
  }
  // Each wasm and its glue (`x_bg.wasm` and `x.js`): imports with short names (short-imports.mjs).
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('_bg.wasm'))) {
    const glueName = name.replace(/_bg\.wasm$/, '.js');
    const short = shortenImports(read(name), read(glueName).toString('utf8'));
    fs.writeFileSync(path.join(dir, name), short.wasm);
    fs.writeFileSync(path.join(dir, glueName), short.glue);
  }
  // Where index.html names a file with its subresource integrity, the digest of what is shipped.
  for (const [digest, name] of digests) {
    html = html.replaceAll(`integrity="${digest}"`, `integrity="${sri(read(name))}"`);
  }
}
const worker = crypto.createHash('sha256');
for (const name of ['share-worker.js', 'share-worker_bg.wasm']) worker.update(fs.readFileSync(path.join(dir, name)));
const build = worker.digest('hex').slice(0, 16);
if (!html.includes(' data-wasm=')) throw new Error('post-build.mjs: no start script tag with data-wasm in index.html');
html = html.replace(' data-wasm=', ` data-share-worker="${build}" data-wasm=`);
fs.writeFileSync(htmlFile, html);
