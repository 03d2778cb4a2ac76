// Page performance benchmarks of the release build (dist/), in headless Chromium:
//   (a) wasm + JS bundle size, gzipped (gzip -9)            budget <= 200 KB (200,000 bytes)
//   (b) navigation -> first drawn diagram (window.__ppFirstDrawMs), median of 5 cold loads
//   (c) frame cost (engine advance + diagram update) via pp_frame_bench:
//         12 brokers x 48 partitions x RF 3                 budget: median <= 4 ms
//         100 brokers x 1,000 partitions x RF 3             budget: median <= 33 ms (>= 30 fps)
//   (d) one engine scenario natively (in process: benches/scenario.rs; and the runner binary) and in
//       wasm (pp_engine_bench): wall-time ratio, and the same state_hash everywhere (determinism
//       across native and wasm)
//   (f) a share link: navigation -> first drawn diagram of a page opened from a link, which decodes
//       it and replays its 200 commands before it draws (issue 9), median of 5 cold loads, beside (b)
//   (g) time travel: the 10,000-command session of `cargo bench --bench timeline` (which writes it to
//       target/perf/seek-session.bin; `./dev perf` runs it first) opened in wasm as a link opens
//       (one replay taking checkpoints, pp_seek_bench), then 200 seeks to random times: issue 12's
//       <= 50 ms (skipped, with a note, when the file is missing)
//   (h) engine throughput, records/s: 3 brokers, 12 partitions, RF 3, acks=all, 200,000 records in
//       sends of 100, produced, replicated and consumed, natively (benches/scenario.rs) and in wasm
//       (pp_engine_bench), and their ratio
//   (e) the playing page (its own frame loop) on the large scenario at 100x and 1000x: frames a
//       second, the speed reached, and the speed label, which must say the speed reached when the
//       page falls short (reported, not budgeted: it depends on the machine)
//
// Run: `./dev bench` (builds dist/, the `bench` build with the benchmarks' exports into
// target/dist-bench, and the runner first), or after those builds:
// `E2E_DIST=target/dist-bench node tests/e2e/bench.mjs`. Prints a report; writes the figures to
// tests/e2e/artifacts/bench.json; exits 1 if a budget is missed or the hashes differ.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ARTIFACTS, DIST, ROOT, launchChromium, median, startServer, waitReady } from './harness.mjs';

const KB = 1000;
const BUDGET = { bundleGzipBytes: 200 * KB, frameMs12x48: 4, frameMs100x1000: 33, seekMs: 50 };
const SEEK_SESSION = path.join(ROOT, 'target/perf/seek-session.bin');
const SEEK_PERF = path.join(ROOT, 'target/perf/seek-native.json');
const LOADS = 5;
const ENGINE_RUNS = 9; // after one discarded warm-up run on each side (caches; wasm tier-up)
// One frame at 1x speed and 60 fps is 16 ms of simulated time.
const SIM_MS_PER_FRAME = 16;

const RUNNER = path.join(ROOT, 'target/release/partition-playground');

/**
 * A cluster under steady load, in the scenario format (www/scenarios/default.json,
 * src/scenario/parse.rs): `brokers` brokers spread over `racks` racks, one topic `orders` with
 * `partitions` partitions (RF 3, min.insync.replicas 2), a producer (acks=all) sending `perSend`
 * records every 100 ms of simulated time with a rotating key, and a consumer reading the topic.
 * `faults` adds a crash of broker 1 at a third of the run and its restart at two thirds.
 */
export function loadScenario({ brokers, racks, partitions, untilMs, perSend = 4, faults = false }) {
  const commands = [{ at_ms: 0, consume: { consumer: 'consumer', topic: 'orders' } }];
  for (let t = 0, i = 0; t < untilMs; t += 100, i++) {
    commands.push({ at_ms: t, produce: { producer: 'producer', topic: 'orders', key: `key-${i % 997}`, value: `v${i}`, count: perSend } });
  }
  if (faults) {
    commands.push({ at_ms: Math.round(untilMs / 3) + 50, crash_broker: { broker: 1 } });
    commands.push({ at_ms: Math.round((2 * untilMs) / 3) + 50, restart_broker: { broker: 1 } });
  }
  commands.sort((a, b) => a.at_ms - b.at_ms); // stable: the scenario lists commands in time order
  return {
    format: 1,
    seed: 42,
    cluster: {
      brokers: Array.from({ length: brokers }, (_, i) => ({ id: i + 1, rack: `rack-${String.fromCharCode(97 + (i % racks))}` })),
    },
    topics: [{ name: 'orders', partitions, 'replication.factor': 3, config: { 'min.insync.replicas': 2 } }],
    producers: [{ name: 'producer', config: { acks: 'all' } }],
    consumers: [{ name: 'consumer', config: { 'auto.offset.reset': 'earliest' } }],
    commands,
    until_ms: untilMs,
  };
}

/** The scenario's binary code (what the page reads), from the runner: `encode SCENARIO.json CODE.bin`. */
function encode(scenario) {
  if (!fs.existsSync(RUNNER)) throw new Error(`${RUNNER} is missing: cargo build --release`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const json = path.join(ARTIFACTS, 'bench-encode.json');
  const bin = path.join(ARTIFACTS, 'bench-encode.bin');
  fs.writeFileSync(json, JSON.stringify(scenario));
  execFileSync(RUNNER, ['encode', json, bin]);
  return [...fs.readFileSync(bin)];
}

/**
 * A person's session on the default scenario as benches/link.rs describes it (issue 9): `commands`
 * clicks 0.3-2.5 s apart, mostly sends (counts 1/5/10, a key on a third, a few typed values), a crash
 * and restart, a cut and healed link; made into a link by the runner (`link --at MS --paused`).
 */
function sessionLink(commands) {
  const scenario = JSON.parse(fs.readFileSync(path.join(ROOT, 'www/scenarios/default.json'), 'utf8'));
  let x = 0x9e3779b9;
  const below = (n) => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0), x % n);
  let t = 0;
  let crashed = null;
  let cut = false;
  // After the scenario's own commands (the consumer subscribing at 0).
  for (let i = 0; i < commands; i++) {
    t += 300 + below(2201);
    const r = below(20);
    let command;
    if (r === 0 && crashed === null) command = { crash_broker: { broker: (crashed = 1 + below(3)) } };
    else if (r === 1 && crashed !== null) (command = { restart_broker: { broker: crashed } }), (crashed = null);
    else if (r === 2) command = { [(cut = !cut) ? 'cut_link' : 'heal_link']: { between: ['broker:1', 'broker:2'] } };
    else {
      const produce = { producer: 'producer-1', topic: 'orders', value: below(8) === 0 ? 'order 35 paid' : 'hello', count: [1, 1, 1, 5, 10][below(5)] };
      if (i % 3 === 0) produce.key = `order-${below(50)}`;
      command = { produce };
    }
    scenario.commands.push({ at_ms: t, ...command });
  }
  const atMs = t + 1300;
  scenario.until_ms = atMs;
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const json = path.join(ARTIFACTS, 'bench-session.json');
  fs.writeFileSync(json, JSON.stringify(scenario));
  const fragment = execFileSync(RUNNER, ['link', json, '--at', String(atMs), '--paused'], { encoding: 'utf8' }).trim();
  const text = new URLSearchParams(fragment.slice(fragment.indexOf('#') + 1)).get('s');
  return { fragment: fragment.slice(fragment.indexOf('#')), text, atMs };
}

function gzipBytes(file) {
  return execFileSync('gzip', ['-9', '-c', file], { maxBuffer: 1 << 30 }).length;
}

function fmtKB(bytes) {
  return `${(bytes / KB).toFixed(1)} KB`;
}

// (a) Sizes of what the browser downloads to start: wasm and JS (budgeted), HTML and CSS (reported),
// of the page as it ships (dist/, or BUNDLE_DIST; not E2E_DIST, where the other parts run on the
// `bench` build). The share
// worker's files are fetched only on the first Copy link or Export: reported, not budgeted.
const SHIPPED = path.resolve(process.env.BUNDLE_DIST ?? path.join(ROOT, 'dist'));
function bundleSizes() {
  const files = fs.readdirSync(SHIPPED).filter((f) => /\.(wasm|js|css|html)$/.test(f));
  const rows = files.map((f) => {
    const p = path.join(SHIPPED, f);
    return { file: f, raw: fs.statSync(p).size, gzip: gzipBytes(p) };
  });
  const sum = (rs, k) => rs.reduce((s, r) => s + r[k], 0);
  const code = rows.filter((r) => /\.(wasm|js)$/.test(r.file));
  const budgeted = code.filter((r) => !r.file.startsWith('share-worker'));
  const worker = code.filter((r) => r.file.startsWith('share-worker'));
  return {
    files: rows,
    wasmJsRawBytes: sum(budgeted, 'raw'),
    wasmJsGzipBytes: sum(budgeted, 'gzip'),
    shareWorkerGzipBytes: sum(worker, 'gzip'),
  };
}

// (b) Cold loads: a new browser context each time (empty cache).
async function firstDraw(browser, url) {
  const samples = [];
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(url);
    await waitReady(page);
    samples.push(await page.evaluate(() => window.__ppFirstDrawMs));
    await context.close();
  }
  return { samplesMs: samples.map((x) => Math.round(x * 10) / 10), medianMs: median(samples) };
}

async function benchPage(browser, url) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await waitReady(page);
  const missing = await page.evaluate(() =>
    ['pp_frame_bench', 'pp_engine_bench', 'pp_seek_bench'].filter((f) => typeof window.wasmBindings?.[f] !== 'function'),
  );
  if (missing.length) throw new Error(`window.wasmBindings lacks ${missing.join(', ')}`);
  return { page, errors };
}

// (c) pp_frame_bench(scenario_code, frames, sim_ms_per_frame) -> each frame's ms -> {median_ms, p95_ms, frames}
async function frameCost(page, scenario, frames, simMsPerFrame) {
  const code = encode(scenario);
  const times = await page.evaluate(
    ({ code, frames, simMsPerFrame }) => [...window.wasmBindings.pp_frame_bench(new Uint8Array(code), frames, simMsPerFrame)],
    { code, frames, simMsPerFrame },
  );
  const sorted = [...times].sort((a, b) => a - b);
  const p95 = sorted[Math.round((sorted.length - 1) * 0.95)] ?? 0;
  return { median_ms: median(times), p95_ms: p95, frames: times.length };
}

// (d) pp_engine_bench(scenario_code, until_ms) -> {wall_ms, steps, state_hash}
async function engineWasm(page, scenario, count = ENGINE_RUNS) {
  const code = encode(scenario);
  const runs = [];
  for (let i = 0; i <= count; i++) {
    const until = scenario.until_ms;
    runs.push(JSON.parse(await page.evaluate(({ code, until }) => window.wasmBindings.pp_engine_bench(new Uint8Array(code), until), { code, until })));
  }
  runs.shift(); // warm-up
  return { runs, medianWallMs: median(runs.map((r) => r.wall_ms)) };
}

// In process, like pp_engine_bench: benches/scenario.rs, built with the bench profile (= release, as the wasm).
function engineNative(file, count = ENGINE_RUNS) {
  const r = spawnSync(
    'cargo',
    ['bench', '--quiet', '--bench', 'scenario'],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, PP_BENCH_SCENARIO: file, PP_BENCH_RUNS: String(count + 1) } },
  );
  if (r.status !== 0) throw new Error(`benches/scenario.rs exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  const runs = r.stdout.split('\n').filter((l) => l.startsWith('PP_ENGINE_BENCH ')).map((l) => JSON.parse(l.slice(16)));
  runs.shift(); // warm-up
  if (runs.length !== count) throw new Error(`benches/scenario.rs printed ${runs.length} runs:\n${r.stdout}`);
  return { runs, medianWallMs: median(runs.map((r) => r.wall_ms)) };
}

// The runner binary on the same file: its whole process (start, parse, run, print the JSON report).
function engineRunner(file) {
  if (!fs.existsSync(RUNNER)) throw new Error(`${RUNNER} is missing: cargo build --release`);
  const runs = [];
  for (let i = 0; i < ENGINE_RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(RUNNER, ['run', file, '--format', 'json'], { maxBuffer: 1 << 30, encoding: 'utf8' });
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`runner exited ${r.status}: ${r.stderr}`);
    const out = JSON.parse(r.stdout);
    runs.push({ wall_ms: wallMs, steps: out.steps, state_hash: out.state_hash });
  }
  return { runs, medianWallMs: median(runs.map((r) => r.wall_ms)) };
}

// Hashes as 16 hex digits whatever the side printed (hex string, decimal string or number).
function normHash(h) {
  if (typeof h === 'string' && /^[0-9a-f]{16}$/i.test(h)) return h.toLowerCase();
  if (typeof h === 'string' && /^0x[0-9a-f]+$/i.test(h)) return BigInt(h).toString(16).padStart(16, '0');
  if (typeof h === 'string' && /^\d+$/.test(h)) return BigInt(h).toString(16).padStart(16, '0');
  return `unreadable:${JSON.stringify(h)}`;
}

async function main() {
  const report = { date: new Date().toISOString(), machine: `${os.cpus()[0]?.model} x${os.cpus().length}`, budget: BUDGET };
  const failures = [];
  const check = (ok, what) => {
    console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${what}`);
    if (!ok) failures.push(what);
  };
  fs.mkdirSync(ARTIFACTS, { recursive: true });

  console.log('(a) bundle size (gzip -9)');
  report.bundle = bundleSizes();
  for (const f of report.bundle.files) console.log(`      ${f.file.padEnd(40)} ${fmtKB(f.raw).padStart(10)} raw ${fmtKB(f.gzip).padStart(10)} gzipped`);
  check(report.bundle.wasmJsGzipBytes <= BUDGET.bundleGzipBytes, `wasm + JS ${fmtKB(report.bundle.wasmJsGzipBytes)} gzipped <= ${fmtKB(BUDGET.bundleGzipBytes)}`);
  console.log(`      share worker (fetched on the first Copy link or Export): ${fmtKB(report.bundle.shareWorkerGzipBytes)} gzipped`);

  const server = await startServer();
  const browser = await launchChromium();
  try {
    console.log(`(b) navigation -> first drawn diagram, ${LOADS} cold loads`);
    report.firstDraw = await firstDraw(browser, server.url);
    console.log(`      median ${report.firstDraw.medianMs.toFixed(1)} ms (samples ${report.firstDraw.samplesMs.join(', ')} ms)`);

    console.log(`(f) a share link of 200 commands: navigation -> decoded, replayed and drawn, ${LOADS} cold loads`);
    const linked = sessionLink(200);
    report.linkFirstDraw = { linkChars: linked.text.length, atMs: linked.atMs, ...(await firstDraw(browser, `${server.url}${linked.fragment}`)) };
    console.log(`      link of ${linked.text.length} characters at t=${linked.atMs} ms: median ${report.linkFirstDraw.medianMs.toFixed(1)} ms (samples ${report.linkFirstDraw.samplesMs.join(', ')} ms)`);

    const { page, errors } = await benchPage(browser, server.url);
    report.browser = await browser.version();

    console.log(`(c) frame cost: engine advance + diagram update, ${SIM_MS_PER_FRAME} ms simulated per frame`);
    const small = loadScenario({ brokers: 12, racks: 3, partitions: 48, untilMs: 600 * SIM_MS_PER_FRAME });
    const large = loadScenario({ brokers: 100, racks: 10, partitions: 1000, untilMs: 200 * SIM_MS_PER_FRAME });
    report.frame12x48 = await frameCost(page, small, 600, SIM_MS_PER_FRAME);
    check(
      report.frame12x48.median_ms <= BUDGET.frameMs12x48,
      `12 brokers x 48 partitions x RF 3: median ${report.frame12x48.median_ms.toFixed(3)} ms, p95 ${report.frame12x48.p95_ms.toFixed(3)} ms over ${report.frame12x48.frames} frames (<= ${BUDGET.frameMs12x48} ms)`,
    );
    report.frame100x1000 = await frameCost(page, large, 200, SIM_MS_PER_FRAME);
    check(
      report.frame100x1000.median_ms <= BUDGET.frameMs100x1000,
      `100 brokers x 1,000 partitions x RF 3: median ${report.frame100x1000.median_ms.toFixed(3)} ms, p95 ${report.frame100x1000.p95_ms.toFixed(3)} ms over ${report.frame100x1000.frames} frames (<= ${BUDGET.frameMs100x1000} ms, >= 30 fps)`,
    );

    // Reported, not budgeted: at 10x speed a frame advances ten times as much simulated time.
    const fast = SIM_MS_PER_FRAME * 10;
    report.frame12x48at10x = await frameCost(page, loadScenario({ brokers: 12, racks: 3, partitions: 48, untilMs: 300 * fast }), 300, fast);
    report.frame100x1000at10x = await frameCost(page, loadScenario({ brokers: 100, racks: 10, partitions: 1000, untilMs: 100 * fast }), 100, fast);
    for (const [label, r] of [['12 x 48', report.frame12x48at10x], ['100 x 1,000', report.frame100x1000at10x]]) {
      console.log(`  info  ${label} at 10x (${fast} ms simulated per frame): median ${r.median_ms.toFixed(3)} ms, p95 ${r.p95_ms.toFixed(3)} ms over ${r.frames} frames`);
    }

    console.log('(d) the same engine scenario natively and in wasm');
    // 12 x 48 under load for 300 s simulated, with broker 1 crashing at 100 s and restarting at 200 s.
    const engineScenario = loadScenario({ brokers: 12, racks: 3, partitions: 48, untilMs: 300_000, faults: true });
    const file = path.join(ARTIFACTS, 'bench-engine-scenario.json');
    fs.writeFileSync(file, JSON.stringify(engineScenario, null, 1));
    report.engine = { scenario: path.relative(ROOT, file), untilMs: engineScenario.until_ms };
    report.engine.native = engineNative(file);
    report.engine.runner = engineRunner(file);
    report.engine.wasm = await engineWasm(page, engineScenario);
    const all = ['native', 'runner', 'wasm'].flatMap((k) => report.engine[k].runs);
    const hashes = new Set(all.map((r) => normHash(r.state_hash)));
    const steps = new Set(all.map((r) => r.steps));
    report.engine.ratio = report.engine.wasm.medianWallMs / report.engine.native.medianWallMs;
    const line = (label, k) => {
      const e = report.engine[k];
      console.log(`      ${label.padEnd(46)} median ${e.medianWallMs.toFixed(1).padStart(7)} ms, ${e.runs[0].steps} steps, hash ${normHash(e.runs[0].state_hash)}`);
    };
    line(`native in process (benches/scenario.rs) x${ENGINE_RUNS}`, 'native');
    line(`runner process (run --format json) x${ENGINE_RUNS}`, 'runner');
    line(`wasm in Chromium (pp_engine_bench) x${ENGINE_RUNS}`, 'wasm');
    console.log(`      wasm / native wall time: ${report.engine.ratio.toFixed(2)}`);
    check(hashes.size === 1 && steps.size === 1, `native, runner and wasm reach the same state: hashes {${[...hashes].join(', ')}}, steps {${[...steps].join(', ')}}`);
    console.log('(h) engine throughput: 3 brokers x 12 partitions x RF 3, acks=all, 200,000 records in sends of 100, consumed');
    report.throughput = await throughput(page);
    console.log(
      `      native ${Math.round(report.throughput.nativeRecordsPerS).toLocaleString('en')} records/s, wasm ${Math.round(report.throughput.wasmRecordsPerS).toLocaleString('en')} records/s: native / wasm ${report.throughput.ratio.toFixed(2)}`,
    );
    check(report.throughput.sameState, `throughput scenario: native and wasm reach the same state (${report.throughput.hashes.join(', ')})`);

    console.log('(g) time travel in wasm: open the 10,000-command session as a link, then 200 seeks to random times');
    if (fs.existsSync(SEEK_SESSION) && fs.existsSync(SEEK_PERF)) {
      report.seek = await seekWasm(page);
      const w = report.seek;
      console.log(`      opened in ${w.open_ms.toFixed(0)} ms with ${w.checkpoints} checkpoints; seeks: median ${w.medianMs.toFixed(1)} ms, p95 ${w.p95Ms.toFixed(1)} ms, max ${w.maxMs.toFixed(1)} ms`);
      check(w.sameState, `the session opened in wasm reaches the native state (${w.state_hash} vs ${w.native.state_hash})`);
      check(w.p95Ms <= BUDGET.seekMs, `seek p95 ${w.p95Ms.toFixed(1)} ms <= ${BUDGET.seekMs} ms (max ${w.maxMs.toFixed(1)} ms)`);
    } else {
      console.log(`  info  skipped: ${path.relative(ROOT, SEEK_SESSION)} missing (run \`./dev perf\`, or \`PP_BENCH_SEEK_MESSAGE=... cargo bench --bench timeline\`)`);
    }

    console.log('(e) the playing page: large scenario, 3 s of frames after 1.5 s of warm-up');
    report.playing = [];
    for (const speed of [100, 1000]) {
      const r = await playing(browser, server.url, speed);
      report.playing.push(r);
      console.log(`  info  at ${speed}x: ${r.fps.toFixed(1)} frames/s, reached ${r.reached.toFixed(0)}x, label "${r.label}"`);
      const honest = r.reached >= 0.9 * speed ? !r.label.includes('reached') : r.label.includes('reached');
      check(honest, `at ${speed}x the speed label tells the speed reached when it falls short ("${r.label}", reached ${r.reached.toFixed(0)}x)`);
      check(r.fps >= 29, `at ${speed}x the page keeps the 30 fps floor (${r.fps.toFixed(1)} frames/s)`);
    }
    check(errors.length === 0, `no page errors during the benchmarks${errors.length ? `: ${errors.join('; ')}` : ''}`);
    await page.close();
  } finally {
    await browser.close();
    await server.close();
  }

  fs.writeFileSync(path.join(ARTIFACTS, 'bench.json'), JSON.stringify(report, null, 2));
  console.log(`figures written to ${path.relative(process.cwd(), path.join(ARTIFACTS, 'bench.json'))}`);
  console.log(failures.length ? `page benchmarks: ${failures.length} FAILED` : 'page benchmarks: all budgets met');
  process.exit(failures.length ? 1 : 0);
}

/** (h): the same 200,000-record scenario natively (in process) and in wasm, three runs each. */
async function throughput(page) {
  const scenario = loadScenario({ brokers: 3, racks: 3, partitions: 12, untilMs: 200_000, perSend: 100 });
  scenario.until_ms += 5_000; // the last sends replicated and consumed
  const records = scenario.commands.filter((c) => c.produce).reduce((n, c) => n + c.produce.count, 0);
  const file = path.join(ARTIFACTS, 'bench-throughput-scenario.json');
  fs.writeFileSync(file, JSON.stringify(scenario));
  const native = engineNative(file, 3);
  const wasm = await engineWasm(page, scenario, 3);
  const hashes = [...new Set([...native.runs, ...wasm.runs].map((r) => normHash(r.state_hash)))];
  const nativeRecordsPerS = records / (native.medianWallMs / 1000);
  const wasmRecordsPerS = records / (wasm.medianWallMs / 1000);
  return { records, nativeRecordsPerS, wasmRecordsPerS, ratio: nativeRecordsPerS / wasmRecordsPerS, hashes, sameState: hashes.length === 1 };
}

/** (g): pp_seek_bench on the session benches/timeline.rs wrote, at 200 random times of it. */
async function seekWasm(page) {
  const native = JSON.parse(fs.readFileSync(SEEK_PERF, 'utf8'));
  const message = [...fs.readFileSync(SEEK_SESSION)];
  let seed = 0x2545f491;
  const times = Array.from({ length: 200 }, () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return Math.floor((seed / 2 ** 32) * (native.end_ms + 1));
  });
  const r = JSON.parse(
    await page.evaluate(({ message, end, times }) => window.wasmBindings.pp_seek_bench(new Uint8Array(message), end, new Float64Array(times)), {
      message,
      end: native.end_ms,
      times,
    }),
  );
  const sorted = [...r.seeks_ms].sort((a, b) => a - b);
  return {
    ...r,
    native,
    medianMs: median(r.seeks_ms),
    p95Ms: sorted[Math.round((sorted.length - 1) * 0.95)],
    maxMs: sorted[sorted.length - 1],
    sameState: normHash(r.state_hash) === normHash(native.state_hash),
  };
}

/** The page playing `#scenario=large` at `speed`: frames a second, simulated ms per wall ms, label. */
async function playing(browser, url, speed) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await page.goto(`${url}#scenario=large&speed=${speed}`);
    await waitReady(page);
    return await page.evaluate(async () => {
      const simMs = () => Number(document.querySelector('#sim-time').dataset.ms);
      await new Promise((ok) => setTimeout(ok, 1500));
      const s0 = simMs();
      const w0 = performance.now();
      let frames = 0;
      await new Promise((ok) => {
        const f = () => (++frames, performance.now() - w0 < 3000 ? requestAnimationFrame(f) : ok());
        requestAnimationFrame(f);
      });
      const w1 = performance.now();
      const label = document.querySelector('.speed-label')?.textContent ?? '';
      return { speed: Number(new URLSearchParams(location.hash.slice(1)).get('speed')), fps: frames / ((w1 - w0) / 1000), reached: (simMs() - s0) / (w1 - w0), label };
    });
  } finally {
    await page.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    console.error(e);
    console.log('page benchmarks: ERROR');
    process.exit(1);
  });
}
