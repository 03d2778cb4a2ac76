// Consumer groups in the page (kafka-model §6.3, §6.4), on the release build (dist/) in headless
// Chromium, through the page's UI only: c1 and c2 join group billing on orders (2 partitions) with
// the "Consumer group" form; records are produced and committed; c1 crashes; after
// session.timeout.ms (45 s) its partition moves to c2, which starts at c1's last committed offset
// and reads every record after it (none skipped); the group's table follows the rebalance.
//
// The scenario (a share link of format 2, `cargo run -- link`): brokers 1-3, topic orders (2
// partitions, RF 3), producer-1 (acks=all), consumers c1 and c2 (auto.offset.reset=earliest).
//
// Run: `trunk build --release && node --test tests/e2e/` (./dev test does both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedDist, waitReady } from './harness.mjs';

const LINK = '2.5.150.eNoBZQCa_wFbcAGP2GehKdWkTfjGMHE48lkOrO4rkwIMzf8Ls6q41bi-evUJKLauZnfIkU9iU1WSsBmbsxCqmks3kYNtLG_BsKpEkYIHWqth7HeTzjrOaDECudI_S89htA3xgwIGAAAAAAAAwcMtrw';
const WALL_TIMEOUT_MS = 30_000;

const served = servedDist();

// The group table's rows: { group, state, partition, owner, committed, lag }.
const groupRows = (page) => page.$$eval('#group-table tbody tr', (trs) => trs.map((tr) => {
  const [group, state, partition, owner, committed, lag] = [...tr.cells].map((c) => c.textContent);
  return { group, state, partition, owner, committed, lag };
}));

// Polls the group table until it has `count` rows that all satisfy `pred`; returns them.
async function waitRows(page, count, pred) {
  const deadline = Date.now() + WALL_TIMEOUT_MS;
  for (;;) {
    const rows = await groupRows(page);
    if (rows.length === count && rows.every(pred)) return rows;
    if (Date.now() > deadline) assert.fail(`group rows never matched: ${JSON.stringify(rows)}`);
    await page.waitForTimeout(100);
  }
}

async function produce(page, partition, count) {
  await page.selectOption('#produce-topic', 'orders');
  await page.selectOption('#produce-partition', String(partition));
  await page.fill('#produce-count', String(count));
  await page.click('#produce-submit');
}

async function join(page, consumer) {
  await page.selectOption('#group-consumer', consumer);
  await page.fill('#group-id', 'billing');
  await page.selectOption('#group-topic', 'orders');
  await page.click('#group-join');
  assert.match((await page.textContent('#group-error')) ?? '', /Joining/);
}

test('a group of two: a crashed member\'s partition moves to the other, from the last committed offset', async (t) => {
  const page = await served.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err?.stack ?? err)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${served.server.url}#s=${LINK}&speed=10`, { waitUntil: 'load' });
  await waitReady(page);
  if ((await page.getAttribute('#play', 'aria-pressed')) !== 'true') await page.locator('#play').click();

  // The form is keyboard reachable and labelled; the table shows once a group exists.
  assert.equal(await page.isVisible('#group-table'), false, 'no group yet');
  await join(page, 'c1');
  await join(page, 'c2');
  let rows = await waitRows(page, 2, (r) => r.group === 'billing' && r.state.startsWith('Stable') && r.owner !== '–');
  assert.deepEqual(rows.map((r) => r.owner).sort(), ['c1', 'c2'], 'range: one partition each');
  const before = rows[0].state;

  // Records on both partitions, read and auto-committed (every 5 s): lag 0.
  await produce(page, 0, 4);
  await produce(page, 1, 4);
  rows = await waitRows(page, 2, (r) => r.committed === '4' && r.lag === '0');
  const moved = rows.find((r) => r.owner === 'c1').partition;
  t.diagnostic(`c1 owns ${moved}`);

  // c1 crashes; three more records on its partition wait for a new owner.
  await page.selectOption('#group-consumer', 'c1');
  await page.click('#group-crash');
  assert.match((await page.textContent('#group-error')) ?? '', /Crashed/);
  await produce(page, Number(moved.split('-').pop()), 3);

  // After session.timeout.ms the coordinator removes c1; a new generation gives c2 both partitions.
  rows = await waitRows(page, 2, (r) => r.owner === 'c2' && r.state.startsWith('Stable') && r.state !== before);
  // c2 starts at c1's committed offset 4 and reads 4, 5, 6: committed 7, lag 0, none skipped.
  rows = await waitRows(page, 2, (r) => r.lag === '0');
  assert.equal(rows.find((r) => r.partition === moved).committed, '7');
  const log = (await page.textContent('#event-log')) ?? '';
  assert.match(log, /coordinator \d removed member c1\S* from group billing/);
  assert.match(log, new RegExp(`consumer c2 starts ${moved} at its committed offset 4`));

  // c2's panel: the records of the moved partition from offset 4 on, one each.
  await page.locator('[data-client="consumer:1"]').first().click();
  const received = await page.$$eval('#details table.list tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
  for (const offset of [4, 5, 6]) {
    assert.equal(received.filter((r) => r === `${moved}@${offset}`).length, 1, `${moved}@${offset} once: ${received}`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});
