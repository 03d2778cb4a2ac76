// The KRaft controller quorum in the page (kafka-model §2.2), on the release build (dist/) in
// headless Chromium: the lesson "No ZooKeeper" opens a cluster of three separate controllers; the
// controller box names the voters with the active one marked; its menu crashes a voter, the log
// says so, and the box marks it down.
//
// Run: `trunk build --release && node --test tests/e2e/` (./dev test does both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedDist, waitReady } from './harness.mjs';

const served = servedDist();

test('the controller quorum is drawn with its active controller, and a controller can be crashed from its menu', async () => {
  const page = await served.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${served.server.url}lessons/`, { waitUntil: 'load' });
  await page.click('#kraft-controller-quorum h2 a');
  await waitReady(page);
  const box = '[data-node=controller]';
  await page.waitForSelector(box);
  assert.match(await page.textContent(box), /3001\* 3002 3003/, 'three voters, 3001 active');
  assert.match(await page.textContent(`${box} title`), /3001 active, 3002 standby, 3003 standby/);

  // Its menu: one item per voter; crash 3002 (a standby).
  await page.locator(box).click();
  await page.waitForSelector('#broker-menu:not([hidden]) [data-action="crash-controller:3002"]');
  assert.equal(await page.textContent('#broker-menu .menu-title'), 'Controller quorum');
  assert.equal(await page.isVisible('#broker-menu [data-action=shutdown]'), false, 'no broker items');
  await page.click('[data-action="crash-controller:3002"]');
  await page.waitForFunction(() => [...document.querySelectorAll('#event-log li')]
    .some((li) => /controller 3002 crashed/.test(li.textContent)), null, { timeout: 10_000 });
  await page.waitForFunction((sel) => /3002x/.test(document.querySelector(sel).textContent), box,
    { timeout: 10_000 });
  // The menu is the broker menu again for a broker.
  await page.locator('[data-broker="1"]').click({ position: { x: 40, y: 16 } }); // its title, not a replica
  await page.waitForSelector('#broker-menu:not([hidden]) [data-action=shutdown]');
  assert.equal(await page.$$eval('#broker-menu .controller-item', (items) => items.length), 0);
  assert.deepEqual(errors, []);
  await page.close();
});
