// Share links the page refuses, against the release build (dist/) in headless Chromium. The page
// decodes a link's base64 with `atob` and inflates it with the browser's DecompressionStream
// (src/web/open_link.rs), under the same caps as the runner (src/scenario/link.rs): a deflate
// bomb stops at 64 KiB and says so, a malformed base64 is damage; the default scenario opens under
// the sentence either way.
//
// Run: `trunk build --release && node --test tests/e2e/` (./dev test does both).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { launchChromium, startServer, waitReady } from './harness.mjs';

const LINK_INFLATED_MAX = 64 * 1024; // src/scenario/link.rs

let server;
let browser;
const pageErrors = [];

before(async () => {
  server = await startServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// A link of format 2 around `data`, its length in the header as a whole link has it.
const linkOf = (data) => `#s=2.1.${data.length}.${data}&paused`;

// Opens the page at `hash` and returns its notice and how many brokers it draws.
async function opened(hash) {
  const p = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  p.on('pageerror', (err) => pageErrors.push(String(err?.stack ?? err)));
  try {
    await p.goto(`${server.url}${hash}`, { waitUntil: 'load' });
    await waitReady(p);
    return { notice: await p.locator('#notice').textContent(), brokers: await p.locator('#diagram [data-broker]').count() };
  } finally {
    await p.close();
  }
}

test('a deflate bomb stops at 64 KiB: it says so and the default scenario opens', async () => {
  // 4 MiB of zeros deflate to about 4 KB: a short link that would inflate a thousandfold.
  const bomb = zlib.deflateSync(Buffer.alloc(4 * 1024 * 1024), { level: 9 }).toString('base64url');
  const { notice, brokers } = await opened(linkOf(bomb));
  assert.equal(
    notice,
    `This link could not open: this link holds more than ${LINK_INFLATED_MAX} bytes of scenario, more than a link may carry. The “default” scenario opened instead.`,
  );
  assert.equal(brokers, 3, 'the default scenario opened under it');
});

test('a link whose base64 is malformed is damaged', async () => {
  const damaged = /^This link could not open: this link is damaged: its characters do not add up \(its checksum fails\)\. The “default” scenario opened instead\.$/;
  // A character base64url has not; then five characters, which no byte string encodes to.
  for (const data of ['eJzt!AAA', 'eJztA']) {
    const { notice, brokers } = await opened(linkOf(data));
    assert.match(notice, damaged, data);
    assert.equal(brokers, 3, 'the default scenario opened under it');
  }
});

test('a sound stream whose checksum fails is damaged', async () => {
  const code = zlib.deflateSync(Buffer.from('not a scenario, but a sound zlib stream'));
  code[code.length - 1] ^= 1; // the last byte of its Adler-32
  const { notice } = await opened(linkOf(code.toString('base64url')));
  assert.match(notice, /this link is damaged: its characters do not add up/);
});

test('no page error', () => {
  assert.deepEqual(pageErrors, []);
});
