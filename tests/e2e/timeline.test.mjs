// Issue 12 in the built page (dist/, headless Chromium), through its UI only: the default scenario
// runs with broker 1 crashed at about 10 s; the time slider is dragged back before the crash, where
// broker 1 runs again; broker 2 is crashed there instead, which starts a branch. The page's state
// hash at each moment equals the runner's replay of that moment's share link (target/debug/
// partition-playground, built by `cargo test`); the old branch is still listed, and switching to it
// shows it exactly as it was left. Compare lists the two brokers' processes as what differs.
//
// Run: `trunk build --release && node --test tests/e2e/` (./dev test does both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, servedDist, waitReady } from './harness.mjs';

const RUNNER = path.join(ROOT, 'target/debug/partition-playground');
const WALL_TIMEOUT_MS = 30_000;
const served = servedDist();

const simMs = (p) => p.getAttribute('#sim-time', 'data-ms').then(Number);
const brokerState = (p, id) => p.getAttribute(`[data-broker="${id}"][data-state]`, 'data-state');

// Plays until simulated time reaches `ms`, then pauses.
async function playTo(p, ms) {
  if ((await p.getAttribute('#play', 'aria-pressed')) !== 'true') await p.locator('#play').click();
  await p.waitForFunction((t) => Number(document.querySelector('#sim-time')?.dataset.ms) >= t, ms, { timeout: WALL_TIMEOUT_MS });
  await p.locator('#play').click();
  assert.equal(await p.getAttribute('#play', 'aria-pressed'), 'false');
}

async function crash(p, id) {
  await p.locator(`[data-broker="${id}"]`).first().click({ position: { x: 40, y: 16 } });
  const item = p.locator('#broker-menu [data-action=crash]');
  await item.waitFor({ state: 'visible', timeout: 5_000 });
  await item.click();
  await p.waitForFunction((b) => document.querySelector(`[data-broker="${b}"][data-state]`)?.dataset.state === 'crashed', id);
}

// The page's Copy link for where it stands, replayed by the runner: its state hash and the page's.
async function pageAndRunner(p) {
  await p.locator('#share-link').evaluate((f) => (f.value = ''));
  await p.locator('#copy-link').click();
  await p.waitForFunction(() => document.querySelector('#share-link').value.startsWith('http'));
  const link = await p.locator('#share-link').inputValue();
  const report = JSON.parse(execFileSync(RUNNER, ['run', link.slice(link.indexOf('#'))], { encoding: 'utf8', maxBuffer: 1 << 28 }));
  return { page: await p.locator('#state-hash').textContent(), runner: String(report.state_hash).padStart(16, '0'), link };
}

test('drag the slider back, act there: a branch starts, matches the runner, and the old branch stays', { skip: !fs.existsSync(RUNNER) && 'no runner built (cargo test builds it)' }, async (t) => {
  const p = await served.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  p.on('pageerror', (e) => errors.push(String(e?.stack ?? e)));
  p.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  try {
    await p.goto(`${served.server.url}#speed=10&paused`, { waitUntil: 'load' });
    await waitReady(p);

    // main: broker 1 crashes at about 10 s; the run goes on to 25 s.
    await playTo(p, 10_000);
    const crashMs = await simMs(p);
    await crash(p, '1');
    await playTo(p, 25_000);
    const mainEnd = await simMs(p);
    const mainHash = await p.locator('#state-hash').textContent();
    assert.match(mainHash, /^[0-9a-f]{16}$/, 'paused: the state hash is shown');
    await p.waitForFunction(() => document.querySelectorAll('#time-marks .mark.crash').length > 0);
    const crashMark = await p.locator('#time-marks .mark.crash title').first().textContent();
    assert.match(crashMark, /broker 1 crashed/, 'the crash is marked on the slider');
    assert.equal(await p.getAttribute('#time-slider', 'max'), String(mainEnd), 'the slider covers the run so far');

    // "[" steps back to the latest marked event, "]" forward again; both before now.
    await p.keyboard.press('[');
    const stepped = await simMs(p);
    assert.ok(stepped < mainEnd, `[ went back (to ${stepped} ms)`);
    assert.match(await p.locator('#timeline-status').textContent(), /^Viewing /);
    assert.equal(await p.getAttribute('#back-to-now', 'disabled'), null, 'Back to now is offered');

    // Drag the slider to about a fifth of the run: before the crash, broker 1 runs again.
    const box = await p.locator('#time-slider').boundingBox();
    await p.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
    await p.mouse.down();
    await p.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2, { steps: 8 });
    await p.mouse.up();
    const forkMs = await simMs(p);
    assert.ok(forkMs > 0 && forkMs < crashMs, `dragged before the crash at ${crashMs} ms (to ${forkMs} ms)`);
    assert.equal(await brokerState(p, '1'), 'running', 'the cluster as it was then');
    assert.equal(await p.getAttribute('#play', 'aria-pressed'), 'false', 'the past is paused');
    const past = await pageAndRunner(p);
    assert.equal(past.page, past.runner, 'the moment shown is the runner\'s replay of its link');

    // Crash broker 2 there instead: branch 2 starts at that moment.
    await crash(p, '2');
    assert.equal(await brokerState(p, '1'), 'running');
    await p.waitForFunction(() => document.querySelectorAll('#branch-list [data-branch]').length === 2);
    const current = p.locator('#branch-list [aria-current]');
    assert.equal(await current.textContent(), 'branch 2');
    const origin = await p.locator('#branch-list li', { has: p.locator('[aria-current]') }).textContent();
    assert.ok(origin.includes(`forked from main at ${(forkMs / 1000).toFixed(3)} s`), origin);
    t.diagnostic(`main: broker 1 crashed at ${crashMs} ms, ran to ${mainEnd} ms; branch 2 forked at ${forkMs} ms`);

    // The branch runs on its own; its link replays to the same state in the runner.
    await playTo(p, forkMs + 15_000);
    assert.equal(await brokerState(p, '2'), 'crashed');
    assert.equal(await brokerState(p, '1'), 'running', 'the old future is not in this branch');
    const branch = await pageAndRunner(p);
    assert.equal(branch.page, branch.runner, 'the branch is the runner\'s replay of its link');
    assert.notEqual(branch.link, past.link);

    // Compare the branches at this moment: the two brokers' processes differ.
    await p.locator('#compare-with').selectOption('0');
    await p.locator('#compare').click();
    const table = await p.locator('#compare-table').textContent();
    assert.match(table, /broker 1 process/);
    assert.match(table, /broker 2 process/);

    // The old branch is still there: switching to it shows it exactly as it was left.
    await p.locator('#branch-list [data-branch="0"]').click();
    assert.equal(await simMs(p), mainEnd);
    assert.equal(await p.locator('#state-hash').textContent(), mainHash, 'main as it was left');
    assert.equal(await brokerState(p, '1'), 'crashed');
    assert.equal(await brokerState(p, '2'), 'running');
    assert.equal(await p.locator('#branch-list [aria-current]').textContent(), 'main');
    const main = await pageAndRunner(p);
    assert.equal(main.page, main.runner, 'main\'s link replays to main');
    assert.deepEqual(errors, []);
  } finally {
    await p.close();
  }
});
