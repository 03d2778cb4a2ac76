// End-to-end test of the release build (dist/) in headless Chromium (issue 12, "Seeing the
// protocol"): select orders-0, produce 5 records with acks=all, and see the produce, the follower
// fetches and the fetch that moved the high watermark as arrows of the space-time view, its line
// in Kafka's words under the pointer, the charts; a kind's checkbox hides its arrows; axe finds no
// serious or critical violation, under the page's strict CSP with no console error.
//
// Run: `trunk build --release && node --test tests/e2e/` (./dev test does both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, servedDist, waitReady } from './harness.mjs';

const AXE_SOURCE = fs.readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
const WALL_TIMEOUT_MS = 30_000;
const served = servedDist();

test('the space-time view of orders-0 shows why its high watermark moved', async (t) => {
  const page = await served.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err?.stack ?? err)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${served.server.url}#speed=0.1`, { waitUntil: 'load' });
  await waitReady(page);

  // Nothing selected: the card says what to do.
  assert.equal(await page.locator('.spacetime .hint').isVisible(), true);
  assert.equal(await page.locator('.spacetime svg.st').isVisible(), false);

  // Select orders-0 in the partitions table, then produce 5 records to it.
  await page.locator('.partitions tr[data-partition="orders-0"]').click();
  await page.locator('.spacetime svg.st').waitFor({ state: 'visible' });
  await page.locator('#produce-partition').selectOption('0');
  await page.locator('#produce-count').fill('5');
  await page.locator('#produce-submit').click();

  // The produce, the follower fetches, the fetch response carrying the new HW.
  await page.waitForFunction(
    // The HW moves before the leader answers the producer (acks=all): wait for both lines.
    () => {
      const lines = [...document.querySelectorAll('.st-lines li')].map((li) => li.textContent);
      return lines.some((l) => /with high watermark 5$/.test(l)) && lines.some((l) => /answers producer-1/.test(l));
    },
    null,
    { timeout: WALL_TIMEOUT_MS },
  );
  assert.ok((await page.locator('.st line.st-produce').count()) >= 2, 'the request and its answer');
  assert.ok((await page.locator('.st line.st-fetch').count()) >= 2, 'follower fetches');
  assert.match((await page.locator('.st title').textContent()) ?? '', /^Messages of orders-0 from \d+ ms to \d+ ms$/);
  assert.match((await page.locator('.st desc').textContent()) ?? '', /messages in the window/);

  // The moment the HW moved (the window's end when its line appeared), for the time travel below.
  const movedAt = Number(((await page.locator('.st title').textContent()) ?? '').match(/to (\d+) ms$/)[1]);

  // Pause, then point at a follower fetch: its line in Kafka's words.
  if ((await page.getAttribute('#play', 'aria-pressed')) === 'true') await page.locator('#play').click();
  const fetch = page.locator('.st line.st-fetch').last();
  await fetch.dispatchEvent('pointerover');
  const explain = (await page.locator('.st-explain').textContent()) ?? '';
  t.diagnostic(`pointed at: ${explain}`);
  assert.match(explain, /^(Follower fetch from broker \d at offset \d+|broker \d (returns|answers) broker \d)/);
  const lines = await page.locator('.st-lines li').allTextContents();
  t.diagnostic(lines.join('\n'));

  // The charts: four, each a titled SVG; the HW reached 5.
  assert.equal(await page.locator('.st-charts figure').count(), 4);
  assert.match((await page.locator('.st-charts figcaption').first().textContent()) ?? '', /HW 5; LEO broker 1 5, broker 2 5, broker 3 5/);
  assert.match((await page.locator('.st-charts figcaption').nth(1).textContent()) ?? '', /ISR size 3, min.insync.replicas 2/);

  // The follower fetch checkbox hides those arrows (the page is paused: the change redraws).
  await page.locator('.st-checks input[data-kind="follower fetch"]').uncheck();
  assert.equal(await page.locator('.st line.st-fetch').count(), 0);
  assert.ok((await page.locator('.st line.st-produce').count()) >= 2, 'the other kinds stay');

  // Back in time: the slider at that moment rebuilds the window before it (the probe replayed from
  // a checkpoint), so the fetch that moved the HW is there again.
  await page.locator('.st-checks input[data-kind="follower fetch"]').check();
  await page.locator('#play').click();
  await page.waitForFunction((t) => Number(document.querySelector('#time-slider')?.max) > t + 300, movedAt, { timeout: WALL_TIMEOUT_MS });
  await page.locator('#play').click();
  await page.locator('#time-slider').fill(String(movedAt));
  await page.waitForFunction((t) => new RegExp(`to ${t} ms$`).test(document.querySelector('.st title')?.textContent ?? ''), movedAt, { timeout: WALL_TIMEOUT_MS });
  const past = await page.locator('.st-lines li').allTextContents();
  assert.ok(past.some((l) => /with high watermark 5$/.test(l)), `the past window holds the fetch that moved the HW:\n${past.join('\n')}`);

  // Text at least 11 px on screen.
  const small = await page.$$eval('.st text, .chart text', (ts) =>
    ts.filter((t) => t.getBoundingClientRect().height > 0 && t.getBoundingClientRect().height < 11).map((t) => t.textContent),
  );
  assert.deepEqual(small, []);

  // axe: no serious or critical violation.
  await page.evaluate(AXE_SOURCE);
  const blocking = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
  });
  assert.deepEqual(blocking, []);
  assert.deepEqual(errors, []);
  await page.close();
});
