// Embedding (issue 9) against the release build (dist/) in headless Chromium: the page under its
// strict Content-Security-Policy with no violation; a note on another origin framing it in a
// sandboxed iframe (it loads, runs and posts its height); "Copy embed code"; the embed from 320 px
// wide; an embed that runs only while on screen; start=click; theme=dark under a light system
// setting; a record value that looks like markup, arriving by link, shown as text; axe-core in
// embed mode.
//
// Run: `trunk build --release && node --test tests/e2e/` (./dev test does both). The XSS check makes
// its link with the runner (`cargo run --release -- link`), which cargo builds if needed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ARTIFACTS, CSP, ROOT, launchChromium, startServer, waitReady } from './harness.mjs';

const HEIGHT_MESSAGE = 'partition-playground:height';
const AXE_SOURCE = fs.readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
const XSS = '<img src=x onerror=alert(1)>';

let server; // the playground, http://127.0.0.1:<port>/playground/
let notes; // a notes site on another origin: http://localhost:<port>/
let browser;

// The notes site: each test puts its note (an HTML page, allowed its own inline script) at a path.
const NOTES = new Map();
function startNotes() {
  const s = http.createServer((req, res) => {
    const html = NOTES.get(new URL(req.url, 'http://localhost').pathname);
    if (!html && req.url === '/favicon.ico') return res.writeHead(204).end();
    res.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html ?? 'not found');
  });
  return new Promise((resolve) => {
    s.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://localhost:${s.address().port}`, close: () => new Promise((r) => s.close(r)) }));
  });
}

// A note holding `iframe` between `above` and `below` pixels of text, listening to the height
// messages as docs/embedding.md shows.
function note(name, iframe, { above = 40, below = 40 } = {}) {
  NOTES.set(`/${name}.html`, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${name}</title></head>
<body style="margin:0">
<h1>A note about partition leaders</h1>
<div style="height:${above}px"></div>
${iframe}
<div style="height:${below}px"></div>
<script>
  window.heights = [];
  addEventListener('message', (e) => {
    if (e.data && e.data.type === '${HEIGHT_MESSAGE}') window.heights.push({ origin: e.origin, height: e.data.height });
  });
</script>
</body></html>`);
  return `${notes.url}/${name}.html`;
}

before(async () => {
  server = await startServer();
  notes = await startNotes();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await notes?.close();
  await server?.close();
});

// Runs in every frame before its own scripts: what the policy refuses, and the console's errors.
function watch() {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) =>
    window.__violations.push(`${e.effectiveDirective} refused ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`));
}

// A fresh context and page (its own colour scheme and size) with the errors it reports collected.
async function newPage({ width = 700, height = 520, colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => errors.push(`pageerror: ${e?.stack ?? e}`));
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    d.dismiss();
  });
  await page.addInitScript(watch);
  return { page, errors, close: () => context.close() };
}

async function openPlayground(fragment, options) {
  const p = await newPage(options);
  p.response = await p.page.goto(`${server.url}${fragment}`, { waitUntil: 'load' });
  await waitReady(p.page);
  return p;
}

// The playground's frame in a note, ready.
async function playgroundFrame(page) {
  await page.waitForFunction(() => document.querySelector('iframe')?.contentWindow);
  let frame;
  for (let i = 0; i < 100 && !frame; i++) {
    frame = page.frames().find((f) => f.url().startsWith(server.url));
    if (!frame) await page.waitForTimeout(100);
  }
  assert.ok(frame, 'the note holds the playground frame');
  await waitReady(frame);
  return frame;
}

const simMs = (frame) => frame.evaluate(() => Number(document.querySelector('#sim-time').dataset.ms));
const playing = async (frame) => (await frame.getAttribute('#play', 'aria-pressed')) === 'true';
const violations = (frame) => frame.evaluate(() => window.__violations);

// Polled on a timer: a frame out of view gets no animation frames (Playwright's default polling).
const waitPlaying = (frame, on) =>
  frame.waitForFunction((on) => document.querySelector('#play').getAttribute('aria-pressed') === String(on), on, { polling: 100, timeout: 10_000 });

async function simTimeMoves(frame, what) {
  const t0 = await simMs(frame);
  await frame.waitForFunction((t) => Number(document.querySelector('#sim-time').dataset.ms) > t, t0, { polling: 100, timeout: 10_000 });
  assert.ok((await simMs(frame)) > t0, `${what}: simulated time moves`);
}

async function simTimeHolds(frame, what) {
  const t0 = await simMs(frame);
  await frame.waitForTimeout(700);
  assert.equal(await simMs(frame), t0, `${what}: simulated time stands still`);
}

let snippet; // what "Copy embed code" gave in the first test

test('the page runs under the strict Content-Security-Policy: load, play, a crash, Copy link, Copy embed code and Export refuse nothing', async () => {
  const { page, errors, response, close } = await openPlayground('#speed=20', { width: 1280, height: 900 });
  try {
    assert.equal(response.headers()['content-security-policy'], CSP, 'the server sends the policy');
    const declared = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    assert.equal(declared, CSP, 'the page declares the same policy for hosts that send none');
    assert.equal(await page.locator('script:not([src])').count(), 0, 'no inline script');
    assert.equal(await page.locator('[style]').count(), 0, 'no style attribute from markup');
    await simTimeMoves(page, 'playing');
    // A crash from the broker menu (the menu is placed through the CSSOM, which the policy allows).
    await page.locator('[data-broker="1"]').first().click({ position: { x: 40, y: 16 } });
    await page.locator('#broker-menu [data-action=crash]').click();
    await page.waitForFunction(() => document.querySelector('[data-broker="1"][data-state]')?.dataset.state === 'crashed');
    await page.locator('#copy-link').click();
    await page.waitForFunction(() => document.querySelector('#share-link').value.startsWith('http'));
    await page.locator('#play').click(); // paused: the embed code opens at this moment, paused
    await page.locator('#copy-embed').click();
    await page.waitForFunction(() => document.querySelector('#share-link').value.startsWith('<iframe'));
    snippet = await page.locator('#share-link').inputValue();
    // Export runs in the share worker, a second wasm the policy must allow too.
    await page.locator('#export').click();
    await page.waitForFunction(() => document.querySelectorAll('#export-files a[download]').length === 3);
    assert.deepEqual(await violations(page), [], 'no securitypolicyviolation');
    assert.deepEqual(errors, [], 'no console error');
  } finally {
    await close();
  }
});

test('Copy embed code gives a lazy, titled, sandboxed iframe as wide as the note, which opens at the same moment', async (t) => {
  if (!snippet) return t.skip('the first test made no snippet');
  assert.match(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/playground\/#s=[^"]+&amp;t=\d+&amp;paused&amp;embed" /);
  for (const attr of ['width="100%"', /height="\d+"/, /title="[^"]+"/, 'loading="lazy"', /sandbox="allow-scripts allow-same-origin[^"]*"/]) {
    assert.match(snippet, attr instanceof RegExp ? attr : new RegExp(attr), `the snippet has ${attr}`);
  }
  const { page, errors, close } = await newPage({ width: 900, height: 800 });
  try {
    await page.goto(note('snippet', snippet), { waitUntil: 'load' });
    const frame = await playgroundFrame(page);
    assert.equal(await playing(frame), false, 'opens paused, as copied');
    const link = await page.evaluate(() => document.querySelector('iframe').src);
    const full = frame.locator('a.full-playground');
    assert.equal(await full.evaluate((a) => a.href), link.replace('&embed', ''), 'the full playground: the same link, no embed flag');
    assert.equal(await full.getAttribute('target'), '_blank');
    assert.equal(await full.getAttribute('rel'), 'noopener');
    assert.deepEqual(await violations(frame), []);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('a note on another origin frames the playground in <iframe sandbox="allow-scripts allow-same-origin">: it loads, runs and posts its height', async () => {
  const { page, errors, close } = await newPage({ width: 800, height: 900 });
  try {
    const url = note('host', `<iframe src="${server.url}#embed" width="100%" height="520" title="Partition Playground" sandbox="allow-scripts allow-same-origin"></iframe>`);
    await page.goto(url, { waitUntil: 'load' });
    assert.notEqual(new URL(url).origin, new URL(server.url).origin, 'the note is on another origin');
    const frame = await playgroundFrame(page);
    await simTimeMoves(frame, 'on screen in the note');
    await page.waitForFunction(() => window.heights.length > 0);
    const heights = await page.evaluate(() => window.heights);
    const content = await frame.evaluate(() => Math.ceil(document.querySelector('main').getBoundingClientRect().bottom + scrollY));
    const last = heights.at(-1);
    assert.equal(last.origin, new URL(server.url).origin, 'the message comes from the playground');
    assert.ok(last.height >= content && last.height <= content + 16, `posted ${last.height} px for ${content} px of content`);
    for (let i = 1; i < heights.length; i++) assert.notEqual(heights[i].height, heights[i - 1].height, 'only when it changes');
    assert.deepEqual(await violations(frame), []);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('the embed at 320 px wide: the diagram and the compact bar, no horizontal scroll', async () => {
  const { page, errors, close } = await openPlayground('#embed', { width: 320, height: 568 });
  try {
    const overflow = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
      wide: [...document.querySelectorAll('body *')]
        .filter((e) => e.getClientRects().length && e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .map((e) => e.id || e.className?.baseVal || e.className || e.tagName)
        .slice(0, 5),
    }));
    assert.ok(overflow.scroll <= overflow.client, `scrollWidth ${overflow.scroll} <= ${overflow.client} (wider: ${overflow.wide})`);
    for (const shown of ['#play', '#step', '#speed', '#sim-time', '#quick-send', '#diagram', 'a.full-playground']) {
      assert.ok(await page.locator(shown).isVisible(), `${shown} is shown`);
    }
    for (const hidden of ['#scenario-select', '#help-button', '#controls', '#event-log', '.legend', '.about']) {
      assert.equal(await page.locator(hidden).isVisible(), false, `${hidden} is not (page chrome)`);
    }
    await simTimeMoves(page, 'on screen');
    await page.screenshot({ path: path.join(ARTIFACTS, 'embed-320.png') });
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('an embed below the fold waits, runs once scrolled into view, pauses when scrolled away and resumes when back', async () => {
  const { page, errors, close } = await newPage({ width: 800, height: 600 });
  try {
    await page.goto(note('fold', `<iframe src="${server.url}#embed" width="100%" height="520" title="Partition Playground"></iframe>`, { above: 1500, below: 3000 }), { waitUntil: 'load' });
    const frame = await playgroundFrame(page);
    await simTimeHolds(frame, 'below the fold');
    assert.equal(await playing(frame), false);
    assert.equal(await simMs(frame), 0, 'it has not run');
    await page.evaluate(() => document.querySelector('iframe').scrollIntoView());
    await waitPlaying(frame, true);
    await simTimeMoves(frame, 'scrolled into view');
    await page.evaluate(() => scrollTo(0, 0));
    await waitPlaying(frame, false);
    await simTimeHolds(frame, 'scrolled away');
    await page.evaluate(() => document.querySelector('iframe').scrollIntoView());
    await waitPlaying(frame, true);
    await simTimeMoves(frame, 'back in view');
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('start=click: the embed waits for a click on Start', async () => {
  const { page, errors, close } = await openPlayground('#embed&start=click');
  try {
    await simTimeHolds(page, 'before the click');
    assert.equal(await simMs(page), 0);
    assert.equal(await playing(page), false);
    await page.locator('#start').click();
    await simTimeMoves(page, 'after the click');
    assert.equal(await page.locator('#start').count(), 0, 'Start has done its work');
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

// The page's colour variables (`--*` on the root) as computed.
function colours(page) {
  return page.evaluate(() => {
    const names = new Set();
    for (const sheet of document.styleSheets) {
      for (const rule of sheet.cssRules) {
        const style = rule.style ?? rule.cssRules?.[0]?.style;
        for (const name of style ?? []) if (name.startsWith('--')) names.add(name);
      }
    }
    const root = getComputedStyle(document.documentElement);
    return Object.fromEntries([...names].sort().map((n) => [n, root.getPropertyValue(n).trim()]));
  });
}

test('theme=dark gives the dark scheme under a light system setting (the same colours), theme=light the light one under a dark setting', async () => {
  const linked = await openPlayground('#embed&theme=dark', { colorScheme: 'light' });
  const system = await openPlayground('#embed', { colorScheme: 'dark' });
  const light = await openPlayground('#embed&theme=light', { colorScheme: 'dark' });
  try {
    const dark = await colours(system.page);
    assert.ok(Object.keys(dark).length > 20, 'the colour variables are read');
    assert.deepEqual(await colours(linked.page), dark, 'theme=dark: the dark scheme, colour for colour');
    const bg = (p) => p.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(await bg(linked.page), 'rgb(14, 18, 23)');
    assert.equal(await bg(light.page), 'rgb(244, 245, 248)', 'theme=light under a dark system setting');
    assert.equal(await linked.page.evaluate(() => getComputedStyle(document.documentElement).colorScheme), 'dark');
    await linked.page.screenshot({ path: path.join(ARTIFACTS, 'embed-dark.png') });
    for (const p of [linked, system, light]) assert.deepEqual(p.errors, []);
  } finally {
    await Promise.all([linked.close(), system.close(), light.close()]);
  }
});

test('a record value that looks like markup, arriving by link, is shown as text', async () => {
  const scenario = JSON.parse(fs.readFileSync(path.join(ROOT, 'www/scenarios/default.json'), 'utf8'));
  scenario.commands.push({ at_ms: 200, produce: { producer: 'producer-1', topic: 'orders', key: XSS, value: XSS } });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, 'embed-xss.json');
  fs.writeFileSync(file, JSON.stringify(scenario));
  const link = execFileSync('cargo', ['run', '--release', '--quiet', '--', 'link', file, '--at', '3000', '--paused', '--base', server.url], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/playground\/#s=/);
  for (const fragment of ['', '&embed']) {
    const p = await newPage({ width: 1280, height: 900 });
    try {
      await p.page.goto(link + fragment, { waitUntil: 'load' });
      await waitReady(p.page);
      // The producer's panel lists its sends, key=value.
      await p.page.locator('[data-client="producer:0"]').first().click();
      await p.page.waitForFunction((x) => document.querySelector('.details').textContent.includes(x), XSS);
      assert.equal(await p.page.locator('img').count(), 0, `no img element${fragment}`);
      assert.deepEqual(await violations(p.page), []);
      assert.deepEqual(p.errors, [], 'no dialog, no error');
    } finally {
      await p.close();
    }
  }
});

async function axe(page) {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(', ')}`);
  });
}

test('axe-core finds no serious or critical violation in embed mode (light, dark, start=click)', async () => {
  for (const [fragment, colorScheme] of [['#embed&paused', 'light'], ['#embed&paused&theme=dark', 'light'], ['#embed&start=click', 'dark']]) {
    const { page, close } = await openPlayground(fragment, { colorScheme });
    try {
      await page.locator('#step').click();
      assert.deepEqual(await axe(page), [], `${fragment} (${colorScheme} system)`);
    } finally {
      await close();
    }
  }
});
