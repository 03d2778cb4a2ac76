// Shared by the end-to-end test and the page benchmarks: a static server for dist/ under a sub-path,
// and headless Chromium as installed by .ci/install.
import { before, after } from 'node:test';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// E2E_DIST points the test and the benchmarks at another build (default: dist/ of this checkout).
export const DIST = path.resolve(process.env.E2E_DIST ?? path.join(ROOT, 'dist'));
export const ARTIFACTS = path.join(ROOT, 'tests/e2e/artifacts');

// The policy the page declares in a <meta> (www/index.html); the server sends it as a header too, as
// a careful host would (docs/embedding.md). Without frame-ancestors: notes sites on other origins
// may frame it.
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

// The page is hosted under a sub-path, as a notes site would embed it: asset URLs must be relative.
export const SUB_PATH = '/playground/';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Serves `dir` at http://127.0.0.1:<random free port><SUB_PATH>. Anything outside the sub-path is a
 * 404 and is recorded in `misses`, so an absolute asset URL shows up as a failure.
 */
export async function startServer(dir = DIST) {
  dir = path.resolve(dir);
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    throw new Error(`${dir}/index.html is missing: run \`trunk build --release\` first (./dev test does)`);
  }
  const misses = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let rel = null;
    if (url.pathname === SUB_PATH.slice(0, -1)) {
      res.writeHead(301, { location: SUB_PATH });
      res.end();
      return;
    }
    if (url.pathname.startsWith(SUB_PATH)) {
      rel = decodeURIComponent(url.pathname.slice(SUB_PATH.length)) || 'index.html';
      if (rel.endsWith('/')) rel += 'index.html';
    }
    const file = rel === null ? null : path.join(dir, rel);
    // Stay inside dir.
    if (!file || !file.startsWith(dir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      misses.push(url.pathname);
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
      ...(file.endsWith('.html') ? { 'content-security-policy': CSP } : {}),
    });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${SUB_PATH}`,
    misses,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** Resolves once the page says it is ready (`document.body.dataset.ready === "true"`). */
export async function waitReady(page, timeout = 30_000) {
  await page.waitForFunction(() => document.body?.dataset.ready === 'true', null, { timeout });
}

/** Median of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// A test file's server of dist/ and headless Chromium: started before its tests, closed after
// them; `served.server` and `served.browser` once started.
export function servedDist() {
  const served = {};
  before(async () => {
    served.server = await startServer();
    served.browser = await launchChromium();
  });
  after(async () => {
    await served.browser?.close();
    await served.server?.close();
  });
  return served;
}
