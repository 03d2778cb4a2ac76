// A lesson end to end, on the release build (dist/) in headless Chromium: the lesson index lists
// the twelve lessons; following the first one's link opens the playground with the lesson's panel
// beside the diagram; it pauses at each step, asks its question as a flashcard, plays on once the
// answer is picked from the keyboard, and reveals the answer with its reason when the event
// occurs, marking that event in the event log.
//
// Run: `trunk build --release && node --test tests/e2e/` (./dev test does both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedDist, waitReady } from './harness.mjs';

const served = servedDist();

test('the index lists every lesson, and a lesson link asks, then reveals the answer with its event', async () => {
  const page = await served.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${served.server.url}lessons/`, { waitUntil: 'load' });
  const lessons = await page.$$eval('.lessons > li', (lis) => lis.map((li) => li.id));
  assert.equal(lessons.length, 14);
  assert.equal(lessons[9], 'preferred-leaders');
  assert.equal(lessons[10], 'eligible-leader-replicas');
  assert.equal(lessons[11], 'kraft-controller-quorum');
  assert.equal(lessons[0], 'partition-leader');
  const href = await page.getAttribute('#partition-leader h2 a', 'href');
  assert.match(href, /^\.\.\/#s=2\./, 'a share link of format 2, which carries the lesson');

  await page.click('#partition-leader h2 a');
  await waitReady(page);
  await page.waitForSelector('#lesson .lesson-text');
  assert.equal(await page.textContent('#lesson h2'), 'One leader per partition');
  // Step 0: narration, paused until Continue (focused: Enter works).
  await page.keyboard.press('Enter');
  // Step 1 (1500 ms): the flashcard.
  await page.waitForSelector('#lesson [data-choice]', { timeout: 30_000 });
  assert.match(await page.textContent('#lesson .lesson-prompt'), /Which broker receives/);
  const choices = await page.$$eval('#lesson [data-choice]', (bs) => bs.map((b) => b.textContent));
  const right = choices.findIndex((c) => c.startsWith('Broker 2, the leader'));
  assert.ok(right >= 0, `${choices}`);
  await page.focus(`#lesson [data-choice="${right}"]`);
  await page.keyboard.press('Enter');
  // The reveal: right, the reason, and the event that shows it, marked in the log.
  await page.waitForSelector('#lesson .lesson-right', { timeout: 30_000 });
  assert.match(await page.textContent('#lesson .lesson-reason'), /leader of its partition/);
  assert.match(await page.textContent('#lesson .lesson-event'), /leader 2 \(epoch 0\) appended 1 record to orders-1/);
  assert.match(await page.textContent('li.lesson-mark'), /appended 1 record to orders-1/);
  assert.deepEqual(errors, []);
  await page.close();
});
