// Issue 9, the way out to a real cluster: the page's "Export to Kafka" offers the files of
// `partition-playground export` for the scenario and what was done in the page, written by the
// share worker (a second wasm, fetched on first use). The files the page offers are byte for byte
// the ones the runner writes for the page's own link (target/debug/partition-playground, built by
// `cargo test`), and the worker's first use costs the page nothing at load: its files are fetched
// only then.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, servedDist, waitReady } from './harness.mjs';

const RUNNER = path.join(ROOT, 'target/debug/partition-playground');

const served = servedDist();

test('Export to Kafka offers the files the runner writes for the same link', { skip: !fs.existsSync(RUNNER) && 'no runner built (cargo test builds it)' }, async () => {
  const p = await served.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  const fetched = [];
  p.on('pageerror', (e) => errors.push(String(e)));
  p.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  p.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  try {
    await p.goto(`${served.server.url}#paused`, { waitUntil: 'load' });
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

    // A second export replaces the first: three new links, the old object URLs freed.
    const before = await p.$$eval('#export-files a[download]', (as) => as.map((a) => a.href));
    await p.evaluate(() => {
      window.__revoked = [];
      const revoke = URL.revokeObjectURL.bind(URL);
      URL.revokeObjectURL = (u) => (window.__revoked.push(u), revoke(u));
    });
    await p.locator('#export').click();
    await p.waitForFunction(
      (old) => {
        const now = [...document.querySelectorAll('#export-files a[download]')].map((a) => a.href);
        return now.length === 3 && now.every((h) => !old.includes(h));
      },
      before,
    );
    assert.deepEqual((await p.evaluate(() => window.__revoked)).sort(), [...before].sort(), "the first export's URLs are freed");
    assert.match(await p.locator('#export-status').textContent(), /docker compose up -d/);
    assert.deepEqual(errors, []);
  } finally {
    await p.close();
  }
});

// The share worker is a second download: when it cannot start (its wasm missing, or its loader),
// the waiting Copy link says why instead of waiting for ever, and the next click starts a new one.
const FAILURES = [
  { missing: /share-worker_bg\.wasm/, says: /^No link: the share worker could not start \(.+\)\.$/ },
  { missing: /share-worker-loader\.js/, says: /^No link: the share worker stopped \(its script did not load\)\.$/ },
];
for (const { missing, says } of FAILURES) {
  test(`a share worker whose ${missing.source.replaceAll('\\', '')} is missing says so, and the next Copy link tries again`, async () => {
    const context = await served.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const p = await context.newPage();
    const errors = [];
    p.on('pageerror', (e) => errors.push(String(e)));
    try {
      await context.route(missing, (route) => route.fulfill({ status: 404, body: 'missing' }));
      await p.goto(`${served.server.url}#paused`, { waitUntil: 'load' });
      await waitReady(p);
      await p.locator('#copy-link').click();
      await p.waitForFunction(() => document.querySelector('#share-link').value.startsWith('No link:'));
      assert.match(await p.locator('#share-link').inputValue(), says);
      await context.unroute(missing);
      await p.locator('#copy-link').click();
      await p.waitForFunction(() => document.querySelector('#share-link').value.startsWith('http'));
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

// The share worker answers after the click: Copy link's button says "Copied" only once the
// clipboard has taken the link, and says so when it refuses (the link is then in the field).
test('Copy link says Copied only when the clipboard took the link', async () => {
  const p = await served.browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await p.goto(`${served.server.url}#paused`, { waitUntil: 'load' });
    await waitReady(p);
    const clipboard = (accept) =>
      p.evaluate((accept) => {
        navigator.clipboard.writeText = (text) => (accept ? ((window.__copied = text), Promise.resolve()) : Promise.reject(new Error('refused')));
      }, accept);
    await clipboard(false);
    await p.locator('#copy-link').click();
    await p.waitForFunction(() => document.querySelector('#copy-link').textContent !== 'Copy link');
    assert.equal(await p.locator('#copy-link').textContent(), 'Not copied: select the field');
    assert.match(await p.locator('#share-link').inputValue(), /^http.*#s=/, 'the link is in the field');
    await clipboard(true);
    await p.locator('#copy-link').click();
    await p.waitForFunction(() => document.querySelector('#copy-link').textContent === 'Copied');
    assert.equal(await p.evaluate(() => window.__copied), await p.locator('#share-link').inputValue());
  } finally {
    await p.close();
  }
});
