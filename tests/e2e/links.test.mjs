// Issue 9: bad links never crash and never fall back silently. Each malformed link of
// tests/links/malformed.tsv (made and checked natively by tests/link_malformed.rs: bad base64,
// base64 of no possible length, a failed checksum (which the browser's DecompressionStream checks), cut
// short, a newer format, over the 8 KB cap, a deflate bomb, an out-of-range field, trailing bytes, a
// session that would hold too many records) opens in the built page: the page shows that link's own
// sentence as text and the default scenario under it, with no console or page error.
//
// And a page opened from a link at time t, paused, shows the state hash `run LINK` prints (the
// runner built by `cargo test`, target/debug/partition-playground).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, servedDist, waitReady } from './harness.mjs';

const CASES = fs
  .readFileSync(path.join(ROOT, 'tests/links/malformed.tsv'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => {
    const [name, text, sentence] = line.split('\t');
    return { name, text, sentence };
  });

const served = servedDist();

for (const { name, text, sentence } of CASES) {
  test(`a link with ${name} says so over the default scenario`, async () => {
    const p = await served.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    p.on('pageerror', (e) => errors.push(String(e)));
    p.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    p.on('dialog', (d) => (errors.push(`dialog: ${d.message()}`), d.dismiss()));
    try {
      await p.goto(`${served.server.url}#s=${text}&t=2000&paused`, { waitUntil: 'load' });
      await waitReady(p);
      const notice = await p.locator('#notice').textContent();
      assert.ok(notice.startsWith('This link could not open: '), notice);
      assert.ok(notice.includes(sentence), `${notice}\nshould say: ${sentence}`);
      assert.equal(await p.locator('#diagram [data-broker]').count(), 3, 'the default scenario opened under it');
      assert.deepEqual(errors, []);
    } finally {
      await p.close();
    }
  });
}

const RUNNER = path.join(ROOT, 'target/debug/partition-playground');

test('a page opened from a link at t, paused, shows the state hash the runner prints for it', { skip: !fs.existsSync(RUNNER) && 'no runner built (cargo test builds it)' }, async () => {
  const fragment = execFileSync(RUNNER, ['link', path.join(ROOT, 'examples/leader-crash.json'), '--at', '12345', '--paused'], { encoding: 'utf8' }).trim();
  const report = JSON.parse(execFileSync(RUNNER, ['run', fragment], { encoding: 'utf8', maxBuffer: 1 << 28 }));
  const p = await served.browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await p.goto(`${served.server.url}${fragment.slice(fragment.indexOf('#'))}`, { waitUntil: 'load' });
    await waitReady(p);
    assert.equal(await p.getAttribute('#sim-time', 'data-ms'), '12345');
    const hash = await p.locator('#state-hash').textContent();
    assert.equal(hash, String(report.state_hash).padStart(16, '0'), 'the page and the runner reach the same state');
  } finally {
    await p.close();
  }
});
