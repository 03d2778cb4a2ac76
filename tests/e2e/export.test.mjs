// Issue 9, the way out to a real cluster: the page's "Export to Kafka" offers the files of
// `partition-playground export` for the scenario and what was done in the page, written by the
// share worker (a second wasm, fetched on first use). The files the page offers are byte for byte
// the ones the runner writes for the page's own link (target/debug/partition-playground, built by
// `cargo test`), and the worker's first use costs the page nothing at load: its files are fetched
// only then.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, launchChromium, startServer, waitReady } from './harness.mjs';

const RUNNER = path.join(ROOT, 'target/debug/partition-playground');

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('Export to Kafka offers the files the runner writes for the same link', { skip: !fs.existsSync(RUNNER) && 'no runner built (cargo test builds it)' }, async () => {
  const p = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  const fetched = [];
  p.on('pageerror', (e) => errors.push(String(e)));
  p.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  p.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  try {
    await p.goto(`${server.url}#paused`, { waitUntil: 'load' });
    await waitReady(p);
    assert.ok(!fetched.some((f) => f.includes('share-worker')), 'the page loads without the share worker');
    // What a person did: a keyed send, steps, a crash of broker 2, more steps.
    await p.locator('#produce-key').fill('order-35');
    await p.locator('#produce-submit').click();
    for (let i = 0; i < 3; i++) await p.locator('#step').click();
    await p.locator('[data-broker="2"]').first().click({ position: { x: 40, y: 16 } });
    await p.locator('#broker-menu [data-action="crash"]').click();
    for (let i = 0; i < 3; i++) await p.locator('#step').click();

    await p.locator('#copy-link').click();
    await p.waitForFunction(() => document.querySelector('#share-link').value.startsWith('http'));
    const link = await p.locator('#share-link').inputValue();
    assert.ok(fetched.some((f) => f.endsWith('share-worker_bg.wasm')), 'the first Copy link fetched the share worker');

    await p.locator('#export').click();
    await p.waitForFunction(() => document.querySelectorAll('#export-files a[download]').length === 3);
    // Each file as a person gets it: a click, a download (the policy keeps `fetch` off blob: URLs).
    const files = [];
    for (const a of await p.locator('#export-files a[download]').all()) {
      const [download] = await Promise.all([p.waitForEvent('download'), a.click()]);
      files.push([download.suggestedFilename(), fs.readFileSync(await download.path(), 'utf8')]);
    }
    assert.deepEqual(files.map(([name]) => name), ['compose.yaml', 'commands.sh', 'README.md']);
    assert.match(await p.locator('#export-status').textContent(), /docker compose up -d/);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-export-'));
    execFileSync(RUNNER, ['export', link, '-o', dir], { encoding: 'utf8' });
    for (const [name, contents] of files) {
      assert.equal(contents, fs.readFileSync(path.join(dir, name), 'utf8'), `${name}: the page's file is the runner's`);
    }
    const script = files.find(([name]) => name === 'commands.sh')[1];
    assert.match(script, /docker kill/, "the crash is in the script as a real act");
    assert.match(script, /order-35/, 'the keyed send is in the script');
    fs.rmSync(dir, { recursive: true });

    // A second export replaces the first: three links, the old object URLs freed.
    await p.locator('#export').click();
    await p.waitForFunction(() => document.querySelectorAll('#export-files a[download]').length === 3);
    assert.deepEqual(errors, []);
  } finally {
    await p.close();
  }
});

// The share worker is a second download: when it cannot start (here its wasm is missing), the
// waiting Copy link says why instead of waiting for ever, and the next click starts a new worker.
test('a share worker that cannot start says so, and the next Copy link tries again', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const p = await context.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(String(e)));
  try {
    await context.route(/share-worker_bg\.wasm/, (route) => route.fulfill({ status: 404, body: 'missing' }));
    await p.goto(`${server.url}#paused`, { waitUntil: 'load' });
    await waitReady(p);
    await p.locator('#copy-link').click();
    await p.waitForFunction(() => document.querySelector('#share-link').value.startsWith('No link:'));
    assert.match(await p.locator('#share-link').inputValue(), /^No link: the share worker could not start \(.+\)\.$/);
    await context.unroute(/share-worker_bg\.wasm/);
    await p.locator('#copy-link').click();
    await p.waitForFunction(() => document.querySelector('#share-link').value.startsWith('http'));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
