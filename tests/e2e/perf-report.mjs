// The one performance report (issue 12): `./dev perf` runs the benchmarks, then this prints their
// figures side by side as the Markdown table the README keeps, with the commit and the machine.
//
// It reads what the steps before it wrote: target/perf/engine.txt (`cargo bench --bench engine`),
// target/perf/callgrind.txt (valgrind on that bench at 200,000 records), target/perf/timeline.txt
// and seek-native.json (`cargo bench --bench timeline`), target/perf/link.txt (`cargo bench --bench
// link`) and tests/e2e/artifacts/bench.json (the page benchmarks, tests/e2e/bench.mjs). A figure
// whose step did not run is printed as "not measured", never guessed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ARTIFACTS, ROOT } from './harness.mjs';

const PERF = path.join(ROOT, 'target/perf');
const NONE = 'not measured';

function read(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** The first capture of `re` in `text`, as a number (commas dropped). */
function number(text, re) {
  const m = text?.match(re);
  return m ? Number(m[1].replaceAll(',', '')) : null;
}

const int = (n) => Math.round(n).toLocaleString('en');
const ms = (n) => `${n.toFixed(1)} ms`;

function commit() {
  const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim();
  return dirty ? `${head} with uncommitted changes` : head;
}

function rows() {
  const engine = read(path.join(PERF, 'engine.txt'));
  const callgrind = read(path.join(PERF, 'callgrind.txt'));
  const link = read(path.join(PERF, 'link.txt'));
  const seekNative = read(path.join(PERF, 'seek-native.json'));
  const page = read(path.join(ARTIFACTS, 'bench.json'));
  const b = page ? JSON.parse(page) : {};
  const s = seekNative ? JSON.parse(seekNative) : null;

  const recordsPerS = number(engine, /records\/s\s+([\d.]+)/);
  const bytesPerRecord = number(engine, /\(([\d.]+) bytes\/record/);
  const instructions = number(callgrind, /Collected\s*:\s*(\d+)/);
  const link200 = number(link, /200 commands: link (\d+) characters/);
  const t = b.throughput;
  return [
    ['engine end to end natively, one core: 3 brokers, 12 partitions, RF 3, `acks=all`, 1,000,000 records (`benches/engine.rs`)', recordsPerS ? `${int(recordsPerS)} records/s` : NONE, '≥ 2,000,000 records/s'],
    ['memory per stored record (3 replicas and client bookkeeping)', bytesPerRecord ? `${bytesPerRecord} bytes` : NONE, '≤ 107 bytes'],
    ['instructions, that bench at 200,000 records (`valgrind --tool=callgrind`; the stable figure)', instructions ? `${(instructions / 1e9).toFixed(3)} × 10⁹` : NONE, '—'],
    [
      'engine records/s, the same 200,000-record scenario natively and in headless Chromium (wasm)',
      t ? `${int(t.nativeRecordsPerS)} natively, ${int(t.wasmRecordsPerS)} in Chromium: ${t.ratio.toFixed(2)}× ${t.sameState ? '(same state hash)' : '(STATE HASHES DIFFER)'}` : NONE,
      '—',
    ],
    ['frame (engine advance + diagram update), 12 brokers × 48 partitions × RF 3', b.frame12x48 ? `median ${ms(b.frame12x48.median_ms)}, p95 ${ms(b.frame12x48.p95_ms)}` : NONE, 'median ≤ 4 ms'],
    ['frame, 100 brokers × 1,000 partitions × RF 3', b.frame100x1000 ? `median ${ms(b.frame100x1000.median_ms)}, p95 ${ms(b.frame100x1000.p95_ms)}` : NONE, 'median ≤ 33 ms'],
    ['navigation → first drawn diagram', b.firstDraw ? `median ${ms(b.firstDraw.medianMs)}` : NONE, '—'],
    ['wasm + JS, gzipped (`dist/` as it ships)', b.bundle ? `${int(b.bundle.wasmJsGzipBytes)} B` : NONE, '≤ 200,000 B'],
    [
      `seek to a random time in a ${s ? int(s.commands) : '10,000'}-command session, natively (\`benches/timeline.rs\`)`,
      s ? `median ${ms(s.median_ms)}, p95 ${ms(s.p95_ms)}, max ${ms(s.max_ms)} (${s.checkpoints} checkpoints, ${s.checkpoint_mib} MiB)` : NONE,
      '—',
    ],
    [
      'the same seeks in headless Chromium, after opening the session as a link',
      b.seek ? `median ${ms(b.seek.medianMs)}, p95 ${ms(b.seek.p95Ms)}, max ${ms(b.seek.maxMs)} (opened in ${int(b.seek.open_ms)} ms, ${b.seek.checkpoints} checkpoints)` : NONE,
      '≤ 50 ms',
    ],
    ['share link of a 200-command session (`benches/link.rs`)', link200 ? `${int(link200)} characters` : NONE, '—'],
  ];
}

const table = rows();
console.log(`Performance report: commit ${commit()}, ${new Date().toISOString().slice(0, 10)}, \`./dev perf\``);
console.log('');
console.log('| measure | figure | target |');
console.log('|---|---|---|');
for (const [measure, figure, target] of table) console.log(`| ${measure} | ${figure} | ${target} |`);
const missing = table.filter(([, figure]) => figure === NONE).length;
if (missing) console.log(`\n${missing} figure(s) not measured: a step before the report failed or was skipped.`);
