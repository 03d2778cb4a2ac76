// Accessibility of the release build (dist/) in headless Chromium (issue 8): axe-core finds no
// serious or critical violation in the default scenario, the large one, with a broker menu open and
// in the dark colour scheme; and the keyboard works as README says (the skip link, the event log's
// one tab stop, the live region that announces an election after a broker crash).
//
// Run: `trunk build --release && node --test tests/e2e/` (./dev test does both).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, launchChromium, startServer, waitReady } from './harness.mjs';

// axe-core is a dev dependency (package.json). The page's CSP would block a <script> tag, so its
// source is evaluated in the page through the DevTools protocol (page.evaluate).
const AXE_SOURCE = fs.readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
const BLOCKING = new Set(['serious', 'critical']);

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

// A fresh context per check: its own colour scheme, nothing left from another test.
async function open(fragment = '', { colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(String(err?.stack ?? err)));
  await page.goto(`${server.url}${fragment}`, { waitUntil: 'load' });
  await waitReady(page);
  return page;
}

// Steps the paused clock so that the log, the strips and the panels have something in them.
async function steps(page, n) {
  for (let i = 0; i < n; i++) await page.locator('#step').click();
}

// Runs axe in the page; returns the violations (id, impact, targets) and the rules it ran.
async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations', 'incomplete'] });
    const brief = (v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 8).map((n) => n.target.join(' ')),
      nodes: v.nodes.length,
    });
    return {
      violations: r.violations.map(brief),
      incomplete: r.incomplete.map((v) => v.id),
      rules: [...r.passes, ...r.violations, ...r.incomplete, ...r.inapplicable].map((v) => v.id),
      ran: r.passes.length + r.violations.length + r.incomplete.length,
    };
  });
}

// axe cannot tell the background of SVG text ("needs review"), so the diagram's text is checked
// here: its colour against what is painted under its middle (the shapes there, blended with their
// fill-opacity and opacity over the card), at least 4.5:1 (WCAG 1.4.3), and its size on screen at
// least 11 px. Returns the failures and the lowest contrast seen.
async function diagramText(page) {
  return page.evaluate(() => {
    const rgba = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r, g, b, a };
    };
    const alpha = (el) => {
      let a = 1;
      for (let e = el; e && e.id !== 'diagram'; e = e.parentElement) a *= Number(getComputedStyle(e).opacity);
      return a;
    };
    const over = (top, a, bottom) => ({ r: top.r * a + bottom.r * (1 - a), g: top.g * a + bottom.g * (1 - a), b: top.b * a + bottom.b * (1 - a) });
    const lum = ({ r, g, b }) => {
      const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const svg = document.querySelector('#diagram');
    const scale = svg.getScreenCTM().a;
    const card = rgba(getComputedStyle(svg.closest('.card')).backgroundColor);
    const failures = [];
    let lowest = Infinity;
    let checked = 0;
    for (const t of svg.querySelectorAll('text')) {
      const text = t.textContent.trim();
      const box = t.getBoundingClientRect();
      if (!text || box.width === 0 || getComputedStyle(t).display === 'none') continue;
      checked++;
      const px = parseFloat(getComputedStyle(t).fontSize) * scale;
      let bg = card;
      const under = document.elementsFromPoint(box.x + box.width / 2, box.y + box.height / 2).filter((e) => e !== svg && svg.contains(e) && e.tagName !== 'text');
      for (const e of under.reverse()) {
        const s = getComputedStyle(e);
        const fill = rgba(s.fill);
        if (fill) bg = over(fill, fill.a * Number(s.fillOpacity) * alpha(e), bg);
      }
      const fg = rgba(getComputedStyle(t).fill);
      const shown = over(fg, fg.a * Number(getComputedStyle(t).fillOpacity) * alpha(t), bg);
      const [hi, lo] = [lum(shown), lum(bg)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      lowest = Math.min(lowest, ratio);
      const where = `${t.getAttribute('class') ?? 'text'} "${text.slice(0, 24)}" in ${t.closest('[data-replica],[data-broker],.broker,.node,.rack')?.getAttribute('data-replica') ?? t.closest('[class]')?.getAttribute('class')}`;
      if (ratio < 4.5) failures.push(`${where}: contrast ${ratio.toFixed(2)}:1`);
      if (px < 10.95) failures.push(`${where}: ${px.toFixed(1)} px`);
    }
    return { failures, lowest: Number(lowest.toFixed(2)), checked };
  });
}

// Asserts no serious or critical violation; the rest is reported (ids, impacts, targets).
async function audit(t, page, what) {
  const { violations, incomplete, rules, ran } = await axe(page);
  const counts = {};
  for (const v of violations) counts[v.impact] = (counts[v.impact] ?? 0) + v.nodes;
  t.diagnostic(`${what}: ${rules.length} axe rules (${ran} applicable); violations by impact (nodes): ${JSON.stringify(counts)}`);
  for (const v of violations) t.diagnostic(`  ${v.impact} ${v.id} (${v.nodes}): ${v.targets.join(' | ')}`);
  t.diagnostic(`  needs review (incomplete): ${incomplete.join(', ') || 'none'}`);
  const svg = await diagramText(page);
  t.diagnostic(`  diagram text: ${svg.checked} texts, lowest contrast ${svg.lowest}:1, ${svg.failures.length} failures`);
  assert.deepEqual(svg.failures, [], `${what}: diagram text below 4.5:1 or 11 px`);
  const blocking = violations.filter((v) => BLOCKING.has(v.impact));
  assert.deepEqual(
    blocking.map((v) => v.id),
    [],
    `${what}: serious or critical axe violations:\n${blocking.map((v) => `${v.impact} ${v.id}: ${v.help}\n    ${v.targets.join('\n    ')}`).join('\n')}`,
  );
}

test('axe: the default scenario has no serious or critical violation', async (t) => {
  const page = await open('#paused');
  try {
    await steps(page, 30);
    await audit(t, page, 'default');
  } finally {
    await page.context().close();
  }
});

test('axe: the large scenario (#scenario=large&speed=0.1&paused) has none', async (t) => {
  const page = await open('#scenario=large&speed=0.1&paused');
  try {
    assert.equal(await page.locator('#diagram [data-broker]').count(), 100);
    await audit(t, page, 'large');
  } finally {
    await page.context().close();
  }
});

test('axe: with a broker menu open, none', async (t) => {
  const page = await open('#paused');
  try {
    await page.locator('[data-broker="2"]').click({ position: { x: 40, y: 16 } }); // its title, not a replica
    await page.locator('#broker-menu').waitFor({ state: 'visible', timeout: 5_000 });
    await audit(t, page, 'broker menu open');
  } finally {
    await page.context().close();
  }
});

test('axe: time travel (the past shown, two branches, a comparison), none', async (t) => {
  const page = await open('#paused');
  try {
    await steps(page, 30);
    // The slider half way back, and broker 2 crashed there: branch 2.
    await page.locator('#time-slider').evaluate((s) => {
      s.value = String(Math.floor(Number(s.max) / 2));
      s.dispatchEvent(new Event('input'));
    });
    assert.match(await page.locator('#timeline-status').textContent(), /^Viewing /);
    await page.locator('[data-broker="2"]').click({ position: { x: 40, y: 16 } });
    await page.locator('#broker-menu [data-action=crash]').click();
    await page.locator('#branch-list [data-branch="1"][aria-current]').waitFor({ timeout: 5_000 });
    await page.locator('#compare').click();
    // The diagram's text is measured where it is painted: in the viewport.
    await page.evaluate(() => window.scrollTo(0, 0));
    await audit(t, page, 'time travel');
  } finally {
    await page.context().close();
  }
});

test('axe: with a consumer group formed (the group form and its table), none', async (t) => {
  // Consumers c1 and c2 of orders, neither assigned partitions (tests/e2e/groups.test.mjs's link):
  // the default scenario's consumer-1 reads assigned partitions, which a group member cannot.
  const link = '2.5.150.eNoBZQCa_wFbcAGP2GehKdWkTfjGMHE48lkOrO4rkwIMzf8Ls6q41bi-evUJKLauZnfIkU9iU1WSsBmbsxCqmks3kYNtLG_BsKpEkYIHWqth7HeTzjrOaDECudI_S89htA3xgwIGAAAAAAAAwcMtrw';
  const page = await open(`#s=${link}&paused`);
  try {
    // From the keyboard: the group id, then Enter submits "Join group" (kafka-model §6.4).
    await page.locator('#group-id').fill('billing');
    await page.locator('#group-id').press('Enter');
    assert.match((await page.textContent('#group-error')) ?? '', /Joining/);
    // Step until the coordinator has the group (FindCoordinator, __consumer_offsets, JoinGroup).
    for (let i = 0; i < 400 && !(await page.isVisible('#group-table')); i++) await steps(page, 1);
    assert.equal(await page.isVisible('#group-table'), true, 'the group table shows');
    await audit(t, page, 'consumer group');
  } finally {
    await page.context().close();
  }
});

test('axe: in the dark colour scheme, none (records above the HW included)', async (t) => {
  const page = await open('#paused', { colorScheme: 'dark' });
  try {
    assert.equal(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches), true);
    // Records produced and not yet replicated: uncommitted cells, whose text the issue named.
    await page.locator('#produce-count').fill('6');
    await page.locator('#produce-submit').click();
    await steps(page, 3);
    await audit(t, page, 'dark');
  } finally {
    await page.context().close();
  }
});

// The issue's known failures: the green "running" and purple "slow" labels, uncommitted offsets in
// the dark scheme; and a crashed broker's faded replicas.
for (const colorScheme of ['light', 'dark']) {
  test(`diagram text in the ${colorScheme} scheme: running, slow, crashed brokers and uncommitted records`, async (t) => {
    const page = await open('#paused', { colorScheme });
    try {
      const menu = async (broker, action) => {
        await page.locator(`[data-broker="${broker}"]`).click({ position: { x: 40, y: 16 } });
        await page.locator(`#broker-menu [data-action=${action}]`).click();
      };
      // Step event by event until the leader holds the records and its followers do not yet.
      await page.locator('#produce-count').fill('6');
      await page.locator('#produce-submit').click();
      const uncommitted = () => page.locator('.cell.uncommitted + .cell-text:not(:empty)').count();
      for (let i = 0; i < 100 && (await uncommitted()) === 0; i++) await page.locator('#step').click();
      assert.ok((await uncommitted()) > 0, 'uncommitted offsets drawn');
      await menu(2, 'slow');
      await menu(3, 'crash');
      assert.equal(await page.locator('.broker.stalled').count(), 1);
      assert.equal(await page.locator('.broker.crashed').count(), 1);
      const { failures, lowest, checked } = await diagramText(page);
      t.diagnostic(`${checked} texts, lowest contrast ${lowest}:1`);
      assert.deepEqual(failures, []);
    } finally {
      await page.context().close();
    }
  });
}

test('keyboard: the skip link is the first tab stop, shows when focused and reaches the controls', async () => {
  const page = await open('#paused');
  try {
    await page.keyboard.press('Tab');
    const skip = page.locator('#skip-to-controls');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'skip-to-controls');
    const box = await skip.boundingBox();
    assert.ok(box && box.y >= 0 && box.height > 0, `visible on focus (${JSON.stringify(box)})`);
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'controls');
    assert.equal(new URL(page.url()).hash, '#paused', 'the URL keeps its fragment');
    await page.keyboard.press('Tab');
    assert.ok(
      await page.evaluate(() => document.activeElement?.closest('#controls') !== null),
      'the next tab stop is a control',
    );
  } finally {
    await page.context().close();
  }
});

test('keyboard: the event log is one tab stop; arrows move in it; Enter shows the line', async () => {
  const page = await open('#paused');
  const active = () =>
    page.evaluate(() => {
      const a = document.activeElement;
      return { inLog: a?.closest('#event-log') !== null, seq: a?.dataset?.seq ?? null, tag: a?.tagName };
    });
  try {
    await steps(page, 40);
    const seqs = await page.$$eval('#event-log > li', (lis) => lis.map((li) => li.dataset.seq));
    assert.ok(seqs.length > 3, `${seqs.length} lines`);
    assert.equal(await page.locator('#event-log > [tabindex="0"]').count(), 1, 'one tab stop');
    // The element before the log is its "hide routine" check; Tab enters the log on its newest line.
    await page.locator('#hide-routine').focus();
    await page.keyboard.press('Tab');
    assert.deepEqual(await active(), { inLog: true, seq: seqs[0], tag: 'LI' });
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal((await active()).seq, seqs[2]);
    await page.keyboard.press('End');
    assert.equal((await active()).seq, seqs[seqs.length - 1]);
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    assert.equal((await active()).seq, seqs[1]);
    // One Tab leaves the log, past all its other lines; Shift+Tab comes back where it was left.
    await page.keyboard.press('Tab');
    assert.equal((await active()).inLog, false, 'one Tab leaves the log');
    await page.keyboard.press('Shift+Tab');
    assert.equal((await active()).seq, seqs[1], 'back on the line left');
    // Enter on a line that is about something shows it in the details panel; Space does too and
    // does not play the clock.
    const linked = await page.$$eval('#event-log > li', (lis) => lis.findIndex((li) => li.dataset.subject));
    assert.ok(linked >= 0, 'a line about something');
    await page.keyboard.press('Home');
    for (let i = 0; i < linked; i++) await page.keyboard.press('ArrowDown');
    const before = await page.locator('#details h2').textContent();
    await page.keyboard.press('Enter');
    const after = await page.locator('#details h2').textContent();
    assert.notEqual(after, before, `Enter shows the line's subject (${after})`);
    await page.keyboard.press(' ');
    assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'false', 'Space on a line does not play');
    // Each line's accessible name is its own text.
    const names = await page.$$eval('#event-log > li', (lis) => lis.slice(0, 5).map((li) => [li.getAttribute('role'), li.title]));
    assert.deepEqual(names, names.map(() => ['option', '']));
  } finally {
    await page.context().close();
  }
});

test('keyboard: a broker crashed from its menu; the live region announces the election', async () => {
  const page = await open('#speed=20');
  try {
    const leader = await page.getAttribute('[data-partition="orders-0"]', 'data-leader');
    await page.locator(`[data-broker="${leader}"]`).focus();
    await page.keyboard.press('Enter');
    await page.locator('#broker-menu').waitFor({ state: 'visible', timeout: 5_000 });
    // From "Show details", ArrowUp wraps to the last enabled item: Crash.
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.action), 'crash');
    await page.keyboard.press('Enter');
    await page.waitForFunction((b) => document.querySelector(`[data-broker="${b}"]`)?.dataset.state === 'crashed', leader);
    assert.equal(await page.getAttribute('#announce', 'aria-live'), 'polite');
    // kafka-model §6.2: fenced after broker.session.timeout.ms (9 s), then a new leader, epoch 1.
    await page.waitForFunction(
      () => /Broker \d+ leads orders-0, epoch 1\./.test(document.querySelector('#announce')?.textContent ?? ''),
      null,
      { timeout: 30_000 },
    );
    const said = await page.locator('#announce').textContent();
    assert.doesNotMatch(said, new RegExp(`Broker ${leader} leads orders-0`), said);
    assert.doesNotMatch(said, /acknowledged|fetch|retr/i, 'no routine traffic');
  } finally {
    await page.context().close();
  }
});

test('focus and selection look different: an amber ring, a blue outline', async () => {
  const page = await open('#paused');
  const stroke = (sel) => page.locator(sel).evaluate((e) => getComputedStyle(e).stroke);
  try {
    await page.locator('[data-replica="2:orders-1"]').click();
    // Keyboard focus (focus-visible) on another replica: broker 1's button, then Tab.
    await page.locator('[data-broker="1"]').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.replica), '1:orders-0');
    const selected = await stroke('[data-replica="2:orders-1"] .replica-bg');
    const focused = await stroke('[data-replica="1:orders-0"] .replica-bg');
    const plain = await stroke('[data-replica="3:orders-0"] .replica-bg');
    assert.notEqual(selected, focused, `selected ${selected}, focused ${focused}`);
    assert.notEqual(focused, plain);
    assert.notEqual(selected, plain);
  } finally {
    await page.context().close();
  }
});

test('no page errors', () => {
  assert.deepEqual(pageErrors, []);
});
