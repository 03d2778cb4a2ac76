// End-to-end test of the release build (dist/) in headless Chromium, through the page's UI only:
// produce five keyed records, watch them replicate, crash the leader, watch the controller fence it
// and elect a new leader with a higher epoch, and read the explanation in the event log.
//
// Run: `trunk build --release && node --test tests/e2e/` (./dev test does both).
// Screenshots land in tests/e2e/artifacts/ (gitignored; CI keeps them as artifacts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ARTIFACTS, launchChromium, startServer, waitReady } from './harness.mjs';

const TOPIC = 'orders';
const KEY = 'order-42'; // murmur2("order-42") % 3 == 0 (src/engine/murmur2.rs tests): orders-0
const PARTITION = 'orders-0';
const COUNT = 5;
// Kafka 4.x defaults (src/engine/config.rs): a silent broker is fenced after broker.session.timeout.ms
// without a heartbeat; heartbeats go out every broker.heartbeat.interval.ms.
const SESSION_TIMEOUT_MS = 9_000;
const HEARTBEAT_INTERVAL_MS = 2_000;
const ELECTION_SLACK_MS = 1_000; // network latency and the controller's timer granularity
const WALL_TIMEOUT_MS = 60_000;
const SPEED = 20; // times real time

// Reads #sim-time as simulated milliseconds. Defined in the page (addInitScript) so that polling
// code running there can use it. Accepts a data-ms-like attribute, "mm:ss.mmm", "12.345 s" or
// "12345 ms"; NaN if none fits.
const SIM_MS_SOURCE = `
window.__e2eSimMs = function () {
  const el = document.querySelector('#sim-time');
  if (!el) return NaN;
  for (const k of ['ms', 'simMs', 'timeMs', 'simTimeMs', 'nowMs']) {
    if (el.dataset[k] !== undefined && el.dataset[k] !== '' && Number.isFinite(Number(el.dataset[k]))) return Number(el.dataset[k]);
  }
  const text = (el.textContent || '').replace(/[\\u00a0\\u202f\\u2009 ,_]/g, '');
  let m = text.match(/(?:(\\d+):)?(\\d+):(\\d{2})(?:\\.(\\d{1,3}))?/);
  if (m) return ((Number(m[1] || 0) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number((m[4] || '0').padEnd(3, '0'));
  m = text.match(/(\\d+(?:\\.\\d+)?)ms/);
  if (m) return Number(m[1]);
  m = text.match(/(\\d+(?:\\.\\d+)?)s/);
  if (m) return Math.round(Number(m[1]) * 1000);
  return NaN;
};`;

let server;
let browser;
let page;
const consoleErrors = [];
const pageErrors = [];
const failedRequests = [];
let broken = null; // the first failed step: later steps are skipped rather than failing confusingly

// Runs a step of the story; skips it when an earlier one failed.
function step(name, fn) {
  test(name, async (t) => {
    if (broken) {
      t.skip(`an earlier step failed: ${broken}`);
      return;
    }
    try {
      await fn(t);
    } catch (e) {
      broken = name;
      throw e;
    }
  });
}

// A new page of the playground at `hash`, ready, its errors collected for the last test.
async function openPage(hash, options) {
  const p = await browser.newPage(options);
  p.on('pageerror', (err) => pageErrors.push(String(err?.stack ?? err)));
  await p.goto(`${server.url}${hash}`, { waitUntil: 'load' });
  await waitReady(p);
  return p;
}

const simMs = () => page.evaluate(() => window.__e2eSimMs());

async function attrs(selector) {
  return page.$$eval(selector, (els) => els.map((e) => ({ ...e.dataset })));
}

// Sets a form control whatever its kind (select, input, or a group of buttons with data-value).
async function setControl(selector, value) {
  const el = page.locator(selector);
  const tag = await el.evaluate((e) => e.tagName);
  if (tag === 'SELECT') {
    await el.selectOption(String(value));
  } else if (tag === 'INPUT' || tag === 'TEXTAREA') {
    await el.fill(String(value));
  } else {
    await el.locator(`[value="${value}"], [data-value="${value}"]`).first().click();
  }
}

// Sets #speed near `target` times real time: fast enough that the fencing delay passes in about half
// a second, slow enough that each frame advances well under a second of simulated time. #speed may be
// a range input on a log10 scale (the page's), a plain range or number input, a select, or a button
// that cycles; returns the multiplier the page reports in data-speed.
async function setSpeed(target) {
  const el = page.locator('#speed');
  const kind = await el.evaluate((e) => `${e.tagName}:${e.type ?? ''}`);
  if (kind.startsWith('SELECT')) {
    const values = await el.evaluate((e) => [...e.options].map((o) => o.value));
    const best = values.reduce((a, b) => (Math.abs(Math.log(parseFloat(b) / target)) < Math.abs(Math.log(parseFloat(a) / target)) ? b : a));
    await el.selectOption(best);
  } else if (kind.startsWith('INPUT')) {
    await el.evaluate((e, target) => {
      const min = Number(e.min), max = Number(e.max);
      // A log scale when its range cannot hold the multiplier itself (the page's: -2..3).
      const logScale = Number.isFinite(max) && e.max !== '' && max < target;
      e.value = String(logScale ? Math.log10(target) : target);
      if (Number.isFinite(min) && e.min !== '' && Number(e.value) < min) e.value = String(min);
      e.dispatchEvent(new Event('input', { bubbles: true }));
      e.dispatchEvent(new Event('change', { bubbles: true }));
    }, target);
  } else {
    for (let i = 0; i < 8 && !(Number(await el.getAttribute('data-speed')) >= target); i++) await el.click();
  }
  const speed = Number(await el.getAttribute('data-speed'));
  assert.ok(Number.isFinite(speed) && speed > 1, `#speed has a numeric data-speed above 1 (got ${speed})`);
  return speed;
}

// Makes simulated time run: clicks #play, and clicks again if that paused an already running clock.
async function ensurePlaying() {
  const advancing = async () => {
    const a = await simMs();
    await page.waitForTimeout(600);
    return (await simMs()) > a;
  };
  await page.locator('#play').click();
  if (!(await advancing())) {
    await page.locator('#play').click();
    assert.ok(await advancing(), '#sim-time advances after clicking #play');
  }
}

before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.addInitScript(SIM_MS_SOURCE);
  page.on('console', (msg) => {
    // Chromium asks for /favicon.ico at the origin's root by itself: not the page's doing.
    if (msg.type() === 'error' && !/\/favicon\.ico$/.test(msg.location()?.url ?? '')) {
      consoleErrors.push(`${msg.text()} (${msg.location()?.url ?? '?'})`);
    }
  });
  page.on('pageerror', (err) => pageErrors.push(String(err?.stack ?? err)));
  page.on('requestfailed', (req) => failedRequests.push(`${req.url()} (${req.failure()?.errorText})`));
});

after(async () => {
  await browser?.close();
  await server?.close();
});

step(`page loads from dist/ under a sub-path and becomes ready`, async (t) => {
  const response = await page.goto(server.url, { waitUntil: 'load' });
  assert.equal(response.status(), 200);
  await waitReady(page);
  const firstDraw = await page.evaluate(() => window.__ppFirstDrawMs);
  t.diagnostic(`served at ${server.url}; first draw ${firstDraw} ms after navigation`);
  assert.ok(typeof firstDraw === 'number' && firstDraw > 0, `window.__ppFirstDrawMs is a positive number (got ${firstDraw})`);
  assert.ok(Number.isFinite(await simMs()), `#sim-time reads as a time (text: ${JSON.stringify(await page.textContent('#sim-time'))})`);
  const partitions = (await attrs('[data-partition]')).map((p) => p.partition);
  assert.ok(partitions.includes(PARTITION), `the default scenario shows ${PARTITION} (found ${partitions.join(', ')})`);
  const replicas = await attrs(`[data-replica$=":${PARTITION}"]`);
  assert.equal(replicas.length, 3, `three replicas of ${PARTITION} (RF 3)`);
  for (const r of replicas) assert.equal(r.leo, '0', `${r.replica} starts empty`);
});

step(`produce ${COUNT} records with key ${KEY} (acks=all): offsets 0-${COUNT - 1} and HW ${COUNT} on every replica of ${PARTITION}`, async (t) => {
  if ((await page.locator('#produce-topic').count()) > 0) await setControl('#produce-topic', TOPIC);
  await setControl('#produce-key', KEY);
  await setControl('#produce-value', 'hello');
  await setControl('#produce-count', COUNT);
  await page.locator('#produce-submit').click();
  const error = ((await page.locator('#produce-error').textContent()) ?? '').trim();
  assert.equal(error, '', '#produce-error stays empty');

  const speed = await setSpeed(SPEED);
  await ensurePlaying();
  t.diagnostic(`speed ×${speed}`);

  await page.waitForFunction(
    ({ sel, n }) => {
      const rs = [...document.querySelectorAll(sel)];
      return rs.length === 3 && rs.every((r) => r.dataset.leo === String(n) && r.dataset.hw === String(n));
    },
    { sel: `[data-replica$=":${PARTITION}"]`, n: COUNT },
    { timeout: WALL_TIMEOUT_MS },
  ).catch(async (e) => {
    throw new Error(`replicas of ${PARTITION} did not reach LEO=HW=${COUNT}: ${JSON.stringify(await attrs(`[data-replica$=":${PARTITION}"]`))}\n${e.message}`);
  });
  const replicas = await attrs(`[data-replica$=":${PARTITION}"]`);
  t.diagnostic(`replicas: ${replicas.map((r) => `${r.replica} ${r.role} leo=${r.leo} hw=${r.hw} in-isr=${r.inIsr}`).join('; ')}`);
  // Every record went to orders-0 (keyed): no other partition received any.
  const others = (await attrs('[data-replica]')).filter((r) => !r.replica.endsWith(`:${PARTITION}`) && r.leo !== '0');
  assert.deepEqual(others, [], `only ${PARTITION} holds records`);
  const partition = (await attrs(`[data-partition="${PARTITION}"]`))[0];
  assert.deepEqual(
    replicas.map((r) => r.role === 'leader').filter(Boolean).length,
    1,
    `one replica of ${PARTITION} has data-role=leader (roles: ${replicas.map((r) => r.role).join(', ')})`,
  );
  assert.equal(replicas.find((r) => r.role === 'leader')?.replica, `${partition.leader}:${PARTITION}`, 'the leader replica is the partition leader');
});

let crash; // { leader, epoch, atMs }

step(`crash the leader of ${PARTITION} from the broker menu`, async (t) => {
  const partition = (await attrs(`[data-partition="${PARTITION}"]`))[0];
  const leader = partition.leader;
  assert.match(leader ?? '', /^\d+$/, `${PARTITION} has a leader (data-leader=${leader})`);
  const epoch = Number(partition.leaderEpoch);
  assert.ok(Number.isInteger(epoch), `data-leader-epoch is an integer (got ${partition.leaderEpoch})`);

  // On the broker's title: a click on one of its replicas would inspect the replica instead.
  await page.locator(`[data-broker="${leader}"]`).first().click({ position: { x: 40, y: 16 } });
  const crashButton = page.locator('#broker-menu [data-action=crash]');
  await crashButton.waitFor({ state: 'visible', timeout: 5_000 });
  // The page holds the clock while the menu is open, so this is the crash's simulated time.
  const atMs = await simMs();
  await crashButton.click();
  await page.waitForFunction(
    (b) => document.querySelector(`[data-broker="${b}"][data-state]`)?.dataset.state === 'crashed',
    leader,
    { timeout: 10_000 },
  );
  crash = { leader, epoch, atMs };
  t.diagnostic(`crashed broker ${leader} (leader of ${PARTITION} at epoch ${epoch}) at ${atMs} ms simulated`);
});

step(`the controller fences the crashed broker and elects a new leader with a higher epoch within ${SESSION_TIMEOUT_MS} ms`, async (t) => {
  // Polled in the page every frame: the change happened between `before` and `after` (simulated ms).
  const seen = await page.evaluate(
    ({ name, old, oldEpoch, timeout }) =>
      new Promise((resolve) => {
        const start = performance.now();
        let before = window.__e2eSimMs();
        const tick = () => {
          const p = document.querySelector(`[data-partition="${name}"]`);
          const after = window.__e2eSimMs();
          const leader = p?.dataset.leader ?? '';
          const epoch = Number(p?.dataset.leaderEpoch);
          if (/^\d+$/.test(leader) && leader !== old && epoch > oldEpoch) {
            resolve({ leader, epoch, before, after });
          } else if (performance.now() - start > timeout) {
            resolve({ timedOut: true, leader, epoch, after });
          } else {
            before = after;
            requestAnimationFrame(tick);
          }
        };
        tick();
      }),
    { name: PARTITION, old: crash.leader, oldEpoch: crash.epoch, timeout: WALL_TIMEOUT_MS },
  );
  assert.ok(!seen.timedOut, `a new leader of ${PARTITION} within ${WALL_TIMEOUT_MS / 1000} s wall time (last seen: ${JSON.stringify(seen)})`);
  const earliest = seen.before - crash.atMs;
  const latest = seen.after - crash.atMs;
  t.diagnostic(`broker ${seen.leader} leads ${PARTITION} at epoch ${seen.epoch}; elected ${earliest}-${latest} ms (simulated) after the crash`);
  assert.ok(
    earliest <= SESSION_TIMEOUT_MS + ELECTION_SLACK_MS,
    `elected within broker.session.timeout.ms (${SESSION_TIMEOUT_MS} ms) + ${ELECTION_SLACK_MS} ms: first seen between ${earliest} and ${latest} ms after the crash`,
  );
  assert.ok(
    latest >= SESSION_TIMEOUT_MS - HEARTBEAT_INTERVAL_MS - ELECTION_SLACK_MS,
    `not before the session could expire (seen ${latest} ms after the crash)`,
  );
  const replicas = await attrs(`[data-replica$=":${PARTITION}"]`);
  const newLeader = replicas.find((r) => r.replica === `${seen.leader}:${PARTITION}`);
  assert.equal(newLeader?.role, 'leader', `replica ${seen.leader}:${PARTITION} has data-role=leader`);
  assert.ok(Number(newLeader?.hw) >= COUNT, `the new leader keeps the acknowledged records (hw=${newLeader?.hw})`);
  const fenced = (await attrs(`[data-broker="${crash.leader}"][data-fenced]`))[0];
  assert.equal(fenced?.fenced, 'true', `broker ${crash.leader} shows data-fenced="true"`);

  // The event log (newest first) explains the election in Kafka's words.
  const wanted = [`fenced broker ${crash.leader}`, `elected broker ${seen.leader}`];
  await page
    .waitForFunction(
      (ws) => {
        const items = [...document.querySelectorAll('#event-log li')].map((li) => li.textContent);
        return ws.every((w) => items.some((s) => s.includes(w)));
      },
      wanted,
      { timeout: 10_000 },
    )
    .catch(() => {});
  const log = await page.$$eval('#event-log li', (lis) => lis.map((li) => li.textContent.replace(/\s+/g, ' ').trim()));
  const election = log.find((s) => s.includes(`elected broker ${seen.leader}`) && s.includes(PARTITION));
  t.diagnostic(`event log: ${election ?? '(no election line)'}`);
  for (const w of wanted) {
    assert.ok(log.some((s) => s.includes(w)), `#event-log has a line with "${w}"; first lines:\n${log.slice(0, 12).join('\n')}`);
  }
  assert.ok(election, `#event-log says which broker was elected leader of ${PARTITION}`);

  await page.waitForSelector('#safety[data-unexpected]', { state: 'attached', timeout: 5_000 });
  assert.equal(await page.getAttribute('#safety', 'data-unexpected'), '0', 'no unexpected safety violation');
});

step('screenshots at desktop and 360 px width', async (t) => {
  const wide = path.join(ARTIFACTS, 'playground.png');
  await page.screenshot({ path: wide, fullPage: true });
  await page.setViewportSize({ width: 360, height: 780 });
  await page.waitForTimeout(300);
  const narrow = path.join(ARTIFACTS, 'playground-360.png');
  await page.screenshot({ path: narrow, fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  t.diagnostic(`saved ${path.relative(process.cwd(), wide)} and ${path.relative(process.cwd(), narrow)}; horizontal overflow at 360 px: ${overflow} px`);
  assert.ok(fs.statSync(wide).size > 0 && fs.statSync(narrow).size > 0);
  assert.ok(overflow <= 0, `nothing overflows horizontally at 360 px (scrollWidth exceeds the viewport by ${overflow} px)`);
});

// A note embeds the playground in the state it talks about through the URL's fragment.
test('#scenario=large&speed=0.1&paused opens the large scenario, paused, at 0.1x', async () => {
  const linked = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  linked.on('pageerror', (err) => pageErrors.push(String(err?.stack ?? err)));
  try {
    await linked.goto(`${server.url}#scenario=large&speed=0.1&paused`, { waitUntil: 'load' });
    await waitReady(linked);
    assert.equal(await linked.locator('#scenario-select').inputValue(), 'large');
    assert.equal(await linked.locator('#diagram [data-broker]').count(), 100, '100 brokers');
    assert.equal(await linked.getAttribute('#speed', 'data-speed'), '0.1');
    assert.equal(await linked.getAttribute('#play', 'aria-pressed'), 'false', 'paused');
    const t0 = await linked.getAttribute('#sim-time', 'data-ms');
    await linked.waitForTimeout(300);
    assert.equal(await linked.getAttribute('#sim-time', 'data-ms'), t0, 'simulated time stands still while paused');
  } finally {
    await linked.close();
  }
});

// A mistyped link still opens a playground, and says what it could not do (as text, never markup).
test('a link with mistakes opens the default scenario and names them', async () => {
  const linked = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  linked.on('pageerror', (err) => pageErrors.push(String(err?.stack ?? err)));
  try {
    await linked.goto(`${server.url}#scenario=lage&speed=fast&<b>x</b>`, { waitUntil: 'load' });
    await waitReady(linked);
    assert.equal(await linked.locator('#scenario-select').inputValue(), 'default');
    assert.equal(await linked.locator('#diagram [data-broker]').count(), 3);
    assert.ok(await linked.locator('#notice').isVisible(), '#notice is shown');
    const text = await linked.locator('#notice').textContent();
    assert.match(text, /^Part of this link was not used: there is no scenario “lage”, so the default one opened \(scenarios: default, large\)/);
    assert.match(text, /speed “fast” is not a positive number/);
    assert.equal(await linked.locator('#notice b').count(), 0, 'link text is never parsed as markup');
    await linked.goto(`${server.url}#scenario=large`, { waitUntil: 'load' });
    await linked.reload({ waitUntil: 'load' });
    await waitReady(linked);
    assert.equal(await linked.locator('#notice').isVisible(), false, 'no notice for a good link');
  } finally {
    await linked.close();
  }
});

// Switching scenarios and resetting replace the playground; the old one's listeners and frame loop
// must go with it (a leftover would throw "closure invoked ... after being dropped" on the next key).
test('switching scenarios and Reset leave one working playground', async () => {
  const other = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  other.on('pageerror', (err) => pageErrors.push(String(err?.stack ?? err)));
  other.on('console', (msg) => {
    if (msg.type() === 'error' && !/\/favicon\.ico$/.test(msg.location()?.url ?? '')) consoleErrors.push(msg.text());
  });
  const brokers = () => other.locator('#diagram [data-broker]').count();
  try {
    await other.goto(server.url, { waitUntil: 'load' });
    await waitReady(other);
    await other.locator('#scenario-select').selectOption('large');
    await other.waitForFunction(() => document.querySelectorAll('#diagram [data-broker]').length === 100);
    await other.locator('#reset').click();
    await other.waitForFunction(() => document.querySelectorAll('#diagram [data-broker]').length === 100);
    await other.locator('#scenario-select').selectOption('default');
    await other.waitForFunction(() => document.querySelectorAll('#diagram [data-broker]').length === 3);
    assert.equal(await brokers(), 3);
    assert.equal(await other.locator('.pp').count(), 1, 'one playground in the page');
    // Space toggles play once (a leftover document listener would toggle a second, dead playground).
    const before = await other.getAttribute('#play', 'aria-pressed');
    await other.keyboard.press('Space');
    const after = await other.getAttribute('#play', 'aria-pressed');
    assert.notEqual(after, before, 'Space toggles play');
    if (after === 'true') {
      const t0 = Number(await other.getAttribute('#sim-time', 'data-ms'));
      await other.waitForFunction((t) => Number(document.querySelector('#sim-time').dataset.ms) > t, t0);
    }
  } finally {
    await other.close();
  }
});

// Issue 8's first trap: the broker menu opens on its harmless item, so Space (which elsewhere plays
// the clock) crashes nothing; it follows the ARIA menu pattern (arrows move, Escape closes and
// gives the focus back to the broker).
test('the broker menu opens on "Show details"; Space crashes nothing; arrows move; Escape returns the focus', async () => {
  const p = await openPage('#paused', { viewport: { width: 1280, height: 900 } });
  const focused = () => p.evaluate(() => document.activeElement?.dataset?.action ?? null);
  const state = () => p.evaluate(() => document.querySelector('[data-broker="2"][data-state]')?.dataset.state);
  try {
    await p.locator('[data-broker="2"]').first().focus();
    await p.keyboard.press('Enter');
    await p.locator('#broker-menu').waitFor({ state: 'visible', timeout: 5_000 });
    assert.equal(await focused(), 'select', 'the menu opens with the focus on Show details');
    const t0 = await p.getAttribute('#sim-time', 'data-ms');
    await p.keyboard.press('ArrowDown');
    assert.equal(await focused(), 'shutdown');
    await p.keyboard.press('ArrowUp');
    await p.keyboard.press('ArrowUp');
    assert.equal(await focused(), 'crash', 'ArrowUp wraps to the last enabled item (Restart is disabled)');
    await p.keyboard.press('ArrowRight');
    assert.equal(await focused(), 'crash', 'ArrowRight stays in the menu');
    assert.equal(await p.getAttribute('#sim-time', 'data-ms'), t0, 'ArrowRight in the menu does not step the clock');
    await p.keyboard.press('Home');
    assert.equal(await focused(), 'select');
    await p.keyboard.press('Escape');
    assert.equal(await p.locator('#broker-menu').isVisible(), false, 'Escape closes the menu');
    assert.equal(
      await p.evaluate(() => document.activeElement?.closest('[data-broker]')?.dataset.broker),
      '2',
      'the focus is back on broker 2',
    );
    // A click on a replica inspects it: no broker menu over the diagram, the clock not held.
    await p.locator('[data-replica="2:orders-1"]').first().click();
    assert.equal(await p.locator('#broker-menu').isVisible(), false, 'a replica click opens no broker menu');
    assert.match(await p.locator('#details').textContent(), /orders-1/, 'the replica is in the details panel');
    await p.locator('[data-broker="2"]').first().focus();
    // Open again and press Space at once: details, no crash.
    await p.keyboard.press('Enter');
    await p.locator('#broker-menu').waitFor({ state: 'visible', timeout: 5_000 });
    await p.keyboard.press('Space');
    assert.notEqual(await state(), 'crashed', 'Space on the opened menu crashed nothing');
    assert.doesNotMatch(await p.locator('#event-log').textContent(), /broker 2 crashed/);
  } finally {
    await p.close();
  }
});

// The engine owns the input contract: the page's forms show its refusals beside the input at fault,
// the budget included, and the page goes on working.
test('over-budget input from the forms is refused inline, and the page goes on', async () => {
  const p = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  p.on('pageerror', (err) => pageErrors.push(String(err?.stack ?? err)));
  const set = (sel, value) =>
    p.locator(sel).evaluate((e, v) => {
      e.value = v;
      e.dispatchEvent(new Event('input', { bubbles: true }));
    }, value);
  const click = (sel) => p.locator(sel).evaluate((e) => e.click());
  const text = (sel) => p.locator(sel).textContent();
  try {
    await p.goto(`${server.url}#paused`, { waitUntil: 'load' });
    await waitReady(p);
    // 5,000 partitions × RF 3 = 15,000 replicas, over the 10,000 the playground holds.
    await set('#topic-name', 'big');
    await set('#topic-partitions', '5000');
    await set('#topic-rf', '3');
    await click('#topic-submit');
    assert.match(await text('#topic-partitions-error'), /^The cluster would hold 15,009 replicas .*holds at most 10,000$/);
    assert.equal(await p.getAttribute('#topic-partitions', 'aria-invalid'), 'true');
    assert.equal(await p.locator('#produce-topic option').count(), 1, 'no topic was created');
    // The record budget covers the scenario and the page: 1,000,000 records fit, one more does not.
    await set('#produce-count', '1000000');
    await click('#produce-submit');
    assert.equal(await text('#produce-error'), '');
    await set('#produce-count', '1');
    await click('#produce-submit');
    assert.match(await text('#produce-error'), /would hold 1,000,001 records; the playground holds at most 1,000,000/);
    assert.equal(await p.getAttribute('#produce-count', 'aria-invalid'), 'true');
    // Still a working page: play moves simulated time on.
    await click('#play');
    const t0 = Number(await p.getAttribute('#sim-time', 'data-ms'));
    await p.waitForFunction((t) => Number(document.querySelector('#sim-time').dataset.ms) > t, t0);
  } finally {
    await p.close();
  }
});

// Issue 8, "every step explained": after a Send, each press of Step (→) stops at the next line the
// log shows and says what it did; with replication shown (the default scenario), the success is
// preceded by the leader's append, the followers' fetches and the high-watermark advance.
test('Step goes from line to line after a Send, and the log says why the high watermark moved', async () => {
  const p = await openPage('#paused', { viewport: { width: 1280, height: 900 } });
  const logTexts = () => p.$$eval('#event-log li', (els) => els.map((e) => e.textContent));
  try {
    assert.equal(await p.locator('#show-replication').isChecked(), true, 'replication lines shown in the default scenario');
    await p.locator('#produce-value').fill('order 35 paid');
    await p.locator('#produce-submit').click();
    const statuses = [];
    for (let press = 0; press < 12; press++) {
      const before = (await logTexts()).length;
      if (press % 2) {
        await p.locator('#step').click();
      } else {
        await p.locator('#diagram').focus();
        await p.keyboard.press('ArrowRight');
      }
      const status = await p.locator('#step-status').textContent();
      statuses.push(status);
      assert.match(status, /^Stepped \d+ ms \(\d+ engine steps?\) to \d+\.\d{3} s: /);
      assert.ok((await logTexts()).length > before, `press ${press + 1} added a line: ${status}`);
      if (/acks=all success/.test(status)) break;
    }
    assert.ok(statuses.some((s) => /acks=all success/.test(s)), `the success within 12 presses: ${statuses.join('\n')}`);
    assert.equal(await p.getAttribute('#play', 'aria-pressed'), 'false', 'stepping keeps the clock paused');
    const texts = await logTexts(); // newest first
    const at = (re) => texts.findIndex((t) => re.test(t));
    assert.ok(at(/acks=all success/) >= 0 && at(/acks=all success/) < at(/advanced the high watermark of orders-\d from 0 to 1/));
    assert.ok(at(/advanced the high watermark/) < at(/fetched orders-\d from leader \d at fetch offset 1 \(it holds offsets up to 0\)/));
    assert.ok(at(/fetch offset 1 \(it holds/) < at(/appended 1 record to orders-\d at offset 0/));
    await p.locator('#show-replication').uncheck();
    assert.equal(await p.locator('#event-log li.replication').count(), 0, 'replication lines hidden on request');
  } finally {
    await p.close();
  }
});

// Issue 8: NOT_ENOUGH_REPLICAS retries say why, fold into one line with a counter, and "hide
// routine" hides them.
test('retries of a send refused with NOT_ENOUGH_REPLICAS fold into one line that says why', async () => {
  const p = await openPage('#paused', { viewport: { width: 1280, height: 900 } });
  try {
    await p.locator('summary', { hasText: 'Topics & configs' }).click();
    await p.locator('#config-topic').selectOption('orders');
    await p.locator('#config-min-isr').fill('3');
    await p.locator('#config-submit').click();
    await p.locator('[data-broker="3"]').first().focus();
    await p.keyboard.press('Enter');
    await p.locator('#broker-menu [data-action="crash"]').click();
    await p.locator('#produce-partition').selectOption('0');
    await p.locator('#produce-submit').click();
    await p.locator('#speed').evaluate((e) => {
      e.value = String(Math.log10(20));
      e.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await p.locator('#play').click();
    const retryLines = p.locator('#event-log li', { hasText: 'NOT_ENOUGH_REPLICAS' });
    await p.waitForFunction(
      () => [...document.querySelectorAll('#event-log li .repeats')].some((c) => Number(c.textContent.slice(1)) >= 4),
      null,
      { timeout: WALL_TIMEOUT_MS },
    );
    await p.locator('#play').click();
    assert.equal(await retryLines.count(), 1, 'one line for all the retries of the send');
    const text = await retryLines.first().textContent();
    assert.match(text, /ISR \[1, 2\] has 2 members < min\.insync\.replicas = 3/);
    const n = Number((await retryLines.first().locator('.repeats').textContent()).slice(1));
    const attempt = Number(text.match(/\(attempt (\d+)\)/)[1]);
    assert.ok(attempt >= n, `the line says the latest attempt (${attempt}, after ${n} with this error)`);
    assert.match(await retryLines.first().locator('.repeats').getAttribute('title'), new RegExp(`^${n} retries in a row with this error, the first at `));
    await p.locator('#hide-routine').check();
    assert.equal(await retryLines.count(), 0, '"hide routine" hides retries');
  } finally {
    await p.close();
  }
});

// Issue 8, "Phone and frame": on a phone a tap shows the selection in a bottom sheet beside what
// was tapped (not 1,600 px below); Escape and the close button close it and give the focus back.
test('on a phone a tapped replica opens a sheet beside it; Escape and Close give the focus back', async () => {
  const p = await openPage('#paused', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const rect = (sel) => p.locator(sel).first().evaluate((e) => e.getBoundingClientRect().toJSON());
  const replica = '[data-replica="2:orders-1"]';
  try {
    assert.equal(await p.locator('#details').isVisible(), false, 'no sheet before a selection');
    await p.locator(replica).first().tap();
    await p.locator('#details').waitFor({ state: 'visible', timeout: 5_000 });
    const sheet = await rect('#details');
    assert.ok(sheet.top > 0 && sheet.bottom <= 844 + 1, `the sheet is in the viewport: ${JSON.stringify(sheet)}`);
    assert.ok(sheet.height <= 844 * 0.46, `it covers at most about 45% of the screen (${sheet.height} px)`);
    assert.match(await p.locator('#details h2').textContent(), /orders-1 on broker 2/i);
    const tapped = await rect(replica);
    assert.ok(tapped.top >= 0 && tapped.bottom <= sheet.top, `the tapped replica stays in sight above it: ${JSON.stringify(tapped)}`);
    assert.equal(await p.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Close the selection');
    await p.keyboard.press('Escape');
    assert.equal(await p.locator('#details').isVisible(), false, 'Escape closes the sheet');
    assert.equal(await p.evaluate(() => document.activeElement?.dataset?.replica), '2:orders-1', 'the focus is back on the replica');
    await p.locator('[data-client="producer:0"]').first().tap();
    await p.locator('#details').waitFor({ state: 'visible', timeout: 5_000 });
    assert.match(await p.locator('#details h2').textContent(), /producer-1/i);
    await p.getByRole('button', { name: 'Close the selection' }).tap();
    assert.equal(await p.locator('#details').isVisible(), false, 'the close button closes it');
    await p.evaluate(() => scrollTo(0, 0));
    const send = await rect('#quick-send');
    assert.ok(send.top >= 0 && send.bottom <= 844, 'Send is at hand beside the clock, at the top of the page');
  } finally {
    await p.close();
  }
});

// A notes page embeds the playground in a frame of about 700 × 520: the diagram (every broker) and
// the main controls (play, step, speed, send) are visible together without scrolling.
test('in a 700 x 520 frame the diagram and the main controls are visible together', async () => {
  const p = await openPage('#paused', { viewport: { width: 700, height: 520 } });
  try {
    const outside = await p.evaluate(() => {
      const sels = ['#play', '#step', '#speed', '#quick-send', '#sim-time', '#diagram [data-broker]', '#diagram [data-client]'];
      const out = [];
      for (const sel of sels) {
        const els = [...document.querySelectorAll(sel)];
        if (!els.length) out.push(`${sel}: missing`);
        for (const e of els) {
          const r = e.getBoundingClientRect();
          if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth || r.width === 0) {
            out.push(`${sel} at ${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)}`);
          }
        }
      }
      return out;
    });
    assert.deepEqual(outside, [], 'everything in the 700 x 520 viewport');
    assert.equal(await p.locator('.notice.sweep').isVisible(), false, 'no empty sweep notice takes room');
    assert.equal(await p.evaluate(() => scrollY), 0);
    // The Send beside the clock submits the Produce form.
    await p.locator('#quick-send').click();
    assert.equal(await p.locator('#produce-error').textContent(), '');
    for (let i = 0; i < 12 && !/acks=all success/.test(await p.locator('#step-status').textContent()); i++) {
      await p.locator('#step').click();
    }
    assert.match(await p.locator('#step-status').textContent(), /acks=all success/);
  } finally {
    await p.close();
  }
});

// Issue 8's fourth trap: acks is the producer's configuration, fixed when a KafkaProducer is
// constructed (kafka-model §5.3). The producer's panel reconfigures it (close() and a new producer);
// an explicit enable.idempotence=true with acks=1 is Kafka's ConfigException (KAFKA-13673).
test('the producer panel reconfigures acks; idempotence with acks=1 is refused beside its select', async () => {
  const p = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  p.on('pageerror', (err) => pageErrors.push(String(err?.stack ?? err)));
  // The selection panel's key-value rows.
  const rows = () =>
    p.$$eval('#details .kv tr', (trs) => Object.fromEntries(trs.map((tr) => [...tr.cells].map((td) => td.textContent))));
  try {
    await p.goto(`${server.url}#paused`, { waitUntil: 'load' });
    await waitReady(p);
    assert.equal(await p.locator('#produce-form select[name*=acks]').count(), 0, 'no acks select in the produce form');
    assert.equal(await p.locator('#reconfigure-form').isVisible(), false, 'no producer selected: no form');
    await p.locator('[data-client="producer:0"]').first().click();
    await p.locator('#reconfigure-form').waitFor({ state: 'visible', timeout: 5_000 });
    const before = await rows();
    assert.equal(before['acks'], 'all');
    assert.equal(before['enable.idempotence'], 'true');

    await p.locator('#reconfigure-acks').selectOption('1');
    await p.locator('#reconfigure-idempotence').selectOption('true');
    await p.locator('#reconfigure-submit').click();
    assert.match(await p.locator('#reconfigure-error').textContent(), /needs acks=all, not acks=1 .*ConfigException/);
    assert.equal(await p.getAttribute('#reconfigure-idempotence', 'aria-invalid'), 'true');
    assert.equal((await rows())['acks'], 'all', 'refused: nothing changed');

    await p.locator('#reconfigure-idempotence').selectOption('default');
    await p.locator('#reconfigure-submit').click();
    assert.equal(await p.getAttribute('#reconfigure-idempotence', 'aria-invalid'), 'false');
    const after = await rows();
    assert.equal(after['acks'], '1');
    assert.equal(after['enable.idempotence'], 'false');
    assert.match(await p.locator('#event-log').textContent(), /enable\.idempotence defaults to false when acks is not all \(KAFKA-13673\)/);

    // A send from the new producer goes with acks=1.
    await p.locator('#produce-count').fill('1');
    await p.locator('#produce-submit').click();
    await p.locator('#play').click();
    await p.waitForFunction(() => /acks=1acknowledged at offset/.test(document.querySelector('#details')?.textContent ?? ''), null, {
      timeout: WALL_TIMEOUT_MS,
    });
  } finally {
    await p.close();
  }
});

// Issue 9: "Copy link" carries the scenario and everything done in the page; opening the link
// replays to the same state hash at the same simulated time. A link cut short says so and the
// default scenario opens under that sentence.
test('a copied link opens at the same moment with the same state hash; a cut one says so', async () => {
  const p = await openPage('#paused', { viewport: { width: 1280, height: 900 } });
  try {
    await p.locator('#produce-value').fill('order 35 paid');
    await p.locator('#produce-submit').click();
    for (let i = 0; i < 3; i++) await p.locator('#step').click();
    await p.locator('[data-broker="2"]').first().click({ position: { x: 40, y: 16 } });
    await p.locator('#broker-menu [data-action="crash"]').click();
    for (let i = 0; i < 5; i++) await p.locator('#step').click();
    await p.locator('#produce-submit').click();
    await p.locator('#step').click();
    await p.locator('#copy-link').click();
    await p.waitForFunction(() => document.querySelector('#share-link').value.startsWith('http'));
    const link = await p.locator('#share-link').inputValue();
    const hash = await p.locator('#state-hash').textContent();
    const at = await p.getAttribute('#sim-time', 'data-ms');
    assert.match(hash, /^[0-9a-f]{16}$/);
    // Link format 2, the engine's behaviour version, the data's length, the data.
    assert.match(link, /#s=2\.\d+\.\d+\.[A-Za-z0-9_-]+&t=\d+&paused$/);
    const opened = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    opened.on('pageerror', (err) => pageErrors.push(String(err?.stack ?? err)));
    try {
      await opened.goto(link, { waitUntil: 'load' });
      await waitReady(opened);
      assert.equal(await opened.getAttribute('#play', 'aria-pressed'), 'false', 'paused as linked');
      assert.equal(await opened.getAttribute('#sim-time', 'data-ms'), at, 'the same simulated time');
      assert.equal(await opened.locator('#state-hash').textContent(), hash, 'the same state hash');
      assert.equal(await opened.getAttribute('[data-broker="2"][data-state]', 'data-state'), 'crashed');
      assert.equal(await opened.locator('#notice').isVisible(), false);
      const cut = link.slice(0, link.indexOf('&t=') - 12);
      await opened.goto(cut, { waitUntil: 'load' });
      await opened.reload({ waitUntil: 'load' });
      await waitReady(opened);
      assert.match(await opened.locator('#notice').textContent(), /^This link could not open: this link was cut short: it has \d+ of its \d+ characters/);
      assert.equal(await opened.locator('#diagram [data-broker]').count(), 3, 'the default scenario opened under it');
    } finally {
      await opened.close();
    }
  } finally {
    await p.close();
  }
});

// Reset on a page opened from a link restarts the link's scenario, not the one the select shows.
test('Reset on a linked page restarts the linked scenario', async () => {
  const p = await openPage('#scenario=large&paused', { viewport: { width: 1280, height: 900 } });
  try {
    await p.locator('#copy-link').click();
    await p.waitForFunction(() => document.querySelector('#share-link').value.startsWith('http'));
    const link = await p.locator('#share-link').inputValue();
    await p.goto(link, { waitUntil: 'load' });
    await p.reload({ waitUntil: 'load' });
    await waitReady(p);
    assert.equal(await p.locator('#diagram [data-broker]').count(), 100, 'the link opens the large scenario');
    assert.equal(await p.locator('#scenario-select').inputValue(), 'link', 'the choice says it came from a link');
    await p.locator('#reset').click();
    await p.waitForFunction(() => document.querySelectorAll('.pp').length === 1 && document.querySelectorAll('#diagram [data-broker]').length > 0);
    await p.waitForTimeout(200);
    assert.equal(await p.locator('#diagram [data-broker]').count(), 100, 'Reset keeps the linked scenario');
    assert.equal(await p.locator('#scenario-select').inputValue(), 'link');
  } finally {
    await p.close();
  }
});

// Runs even when a step failed: errors in the console are often the reason.
test('no console errors, page errors, failed requests or requests outside the sub-path', () => {
  const misses = (server?.misses ?? []).filter((p) => p !== '/favicon.ico');
  assert.deepEqual(
    { pageErrors, consoleErrors, failedRequests, misses },
    { pageErrors: [], consoleErrors: [], failedRequests: [], misses: [] },
    `misses are requests outside ${server?.url} or for files missing from dist/`,
  );
});
