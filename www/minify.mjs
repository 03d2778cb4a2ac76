// Trunk's post_build hook (Trunk.toml): minifies the page's JavaScript in the staging directory,
// release builds only. A build tool, not shipped: wasm-bindgen's glue is readable and twice the
// size it needs to be, and it counts against the page's 200 KB budget (README, bench part a).
// Every file is an ES module (the page's glue, start.js) but a worker's glue and loader, classic
// scripts that it runs with importScripts (Trunk names them after the worker's binary). Where
// index.html names a file with its subresource integrity (Trunk's modulepreload), the digest is
// replaced with the minified file's.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { minify } from 'terser';

const sri = (bytes) => `sha384-${crypto.createHash('sha384').update(bytes).digest('base64')}`;

if (process.env.TRUNK_PROFILE === 'release') {
  const dir = process.env.TRUNK_STAGING_DIR;
  const htmlFile = path.join(dir, 'index.html');
  let html = fs.readFileSync(htmlFile, 'utf8');
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const file = path.join(dir, name);
    const code = fs.readFileSync(file, 'utf8');
    const module = !name.includes('worker');
    const out = await minify(code, { module, compress: true, mangle: true, format: { comments: false } });
    fs.writeFileSync(file, out.code);
    html = html.replaceAll(`integrity="${sri(code)}"`, `integrity="${sri(out.code)}"`);
  }
  fs.writeFileSync(htmlFile, html);
}
