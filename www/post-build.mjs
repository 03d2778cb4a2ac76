// Trunk's post_build hook (Trunk.toml), on the staging directory:
// - release builds: minifies the page's JavaScript with terser. A build tool, not shipped:
//   wasm-bindgen's glue is readable and twice the size it needs to be, and it counts against the
//   page's 200 KB budget (README, bench part a). Where index.html names a file with its
//   subresource integrity (Trunk's modulepreload), the digest is replaced with the minified file's.
// - every build: writes the share worker's build on the start script's tag
//   (`data-share-worker`: a digest of the worker's glue and wasm), which the page puts in the
//   worker loader's query (web::share_client). Trunk gives a worker's files fixed names, so
//   without it a browser or a CDN could answer a newer page with an older worker.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { minify } from 'terser';

// Classic scripts, run by the share worker with importScripts (their top-level names are globals:
// `wasm_bindgen`); every other .js here is an ES module (the page's glue, start.js).
const CLASSIC = new Set(['share-worker-loader.js', 'share-worker.js']);

const sri = (bytes) => `sha384-${crypto.createHash('sha384').update(bytes).digest('base64')}`;

const dir = process.env.TRUNK_STAGING_DIR;
const htmlFile = path.join(dir, 'index.html');
let html = fs.readFileSync(htmlFile, 'utf8');
if (process.env.TRUNK_PROFILE === 'release') {
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const file = path.join(dir, name);
    const code = fs.readFileSync(file, 'utf8');
    const out = await minify(code, { module: !CLASSIC.has(name), compress: true, mangle: true, format: { comments: false } });
    fs.writeFileSync(file, out.code);
    html = html.replaceAll(`integrity="${sri(code)}"`, `integrity="${sri(out.code)}"`);
  }
}
const worker = crypto.createHash('sha256');
for (const name of ['share-worker.js', 'share-worker_bg.wasm']) worker.update(fs.readFileSync(path.join(dir, name)));
const build = worker.digest('hex').slice(0, 16);
if (!html.includes(' data-wasm=')) throw new Error('post-build.mjs: no start script tag with data-wasm in index.html');
html = html.replace(' data-wasm=', ` data-share-worker="${build}" data-wasm=`);
fs.writeFileSync(htmlFile, html);
