// End-to-end test of the release build (dist/) in headless Chromium, through the page's UI only
// (KIP-455, kafka-reassign-partitions.sh): add a broker, reassign orders-0 onto it without its
// leader, and watch the new broker take the leadership while the old leader's replica goes away.
//
// Run: `trunk build --release && node --test tests/e2e/` (./dev test does both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedDist, waitReady } from './harness.mjs';

const PARTITION = 'orders-0';
const WALL_TIMEOUT_MS = 30_000;

const served = servedDist();

// The page's data attributes of everything matching `selector`.
const attrs = (page, selector) => page.$$eval(selector, (els) => els.map((e) => ({ ...e.dataset })));

test('add a broker, reassign a partition onto it, and see the leadership move there', async (t) => {
  const page = await served.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err?.stack ?? err)));
  await page.goto(served.server.url, { waitUntil: 'load' });
  await waitReady(page);
  const brokersBefore = (await attrs(page, '[data-broker][data-state]')).map((b) => b.broker);
  const newId = String(Math.max(...brokersBefore.map(Number)) + 1);

  // "Add broker", in the Topics & configs group.
  await page.locator('summary', { hasText: 'Topics & configs' }).click();
  await page.locator('#add-broker').click();
  assert.match((await page.locator('#config-error').textContent()) ?? '', new RegExp(`Broker ${newId} added`));
  // The page plays from the start (#play pressed); play if it does not.
  if ((await page.getAttribute('#play', 'aria-pressed')) !== 'true') await page.locator('#play').click();
  await page.waitForFunction(
    (id) => document.querySelector(`[data-broker="${id}"][data-state]`)?.dataset.fenced === 'false',
    newId,
    { timeout: WALL_TIMEOUT_MS },
  );
  assert.equal((await attrs(page, `[data-replica^="${newId}:"]`)).length, 0, 'nothing moves to a new broker on its own');

  // The partition's details: a target with the new broker first and without the current leader.
  const before = (await attrs(page, `[data-partition="${PARTITION}"][data-leader]`))[0];
  const oldLeader = before.leader;
  const others = (await attrs(page, `[data-replica$=":${PARTITION}"]`))
    .map((r) => r.replica.split(':')[0])
    .filter((b) => b !== oldLeader);
  const target = [newId, ...others].join(', ');
  await page.locator(`.partitions tr[data-partition="${PARTITION}"]`).click();
  await page.locator('#reassign-replicas').fill(target);
  await page.locator('#reassign-submit').click();
  assert.match((await page.locator('#reassign-error').textContent()) ?? '', /Sent to the controller/);
  t.diagnostic(`reassigning ${PARTITION} from leader ${oldLeader} to [${target}]`);

  // The new broker catches up, joins the ISR, and the completed reassignment elects it.
  await page.waitForFunction(
    ({ name, id }) => document.querySelector(`[data-partition="${name}"][data-leader]`)?.dataset.leader === id,
    { name: PARTITION, id: newId },
    { timeout: WALL_TIMEOUT_MS },
  );
  const after = (await attrs(page, `[data-partition="${PARTITION}"][data-leader]`))[0];
  assert.ok(Number(after.leaderEpoch) > Number(before.leaderEpoch), 'a new leader epoch');
  assert.equal(after.isr.split(',').map((s) => s.trim()).sort().join(','), [newId, ...others].sort().join(','));
  await page.waitForFunction(
    (sel) => document.querySelectorAll(sel).length === 0,
    `[data-replica="${oldLeader}:${PARTITION}"]`,
    { timeout: WALL_TIMEOUT_MS },
  );
  const log = (await page.locator('#event-log').textContent()) ?? '';
  assert.match(log, new RegExp(`reassignment of ${PARTITION} completed`));
  assert.match(log, new RegExp(`broker ${oldLeader} is no longer a replica of ${PARTITION}`));
  assert.deepEqual(errors, []);
  await page.close();
});
