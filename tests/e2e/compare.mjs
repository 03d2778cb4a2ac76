// Two builds of the page with the benchmarks' exports (`trunk build --release --features bench
// --dist DIR`), compared in one run on this noisy machine: four rounds, A then B in even rounds and
// B then A in odd ones, both pages paused (no frame loop of their own), every round's medians:
//   - frame cost (pp_frame_bench, 16 ms simulated a frame): 12 brokers x 48 partitions (300
//     frames), 100 x 1,000 (60 frames);
//   - the engine alone (pp_engine_bench): 12 x 48 for 60 s simulated, a broker crashed and restarted.
// Run: node tests/e2e/compare.mjs DIR_A DIR_B   (needs target/release/partition-playground)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, launchChromium, median, startServer, waitReady } from './harness.mjs';
import { loadScenario } from './bench.mjs';

const RUNNER = path.join(ROOT, 'target/release/partition-playground');
const ROUNDS = 4;

function encode(scenario) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-compare-'));
  fs.writeFileSync(path.join(dir, 's.json'), JSON.stringify(scenario));
  execFileSync(RUNNER, ['encode', path.join(dir, 's.json'), path.join(dir, 's.bin')]);
  const code = [...fs.readFileSync(path.join(dir, 's.bin'))];
  fs.rmSync(dir, { recursive: true });
  return code;
}

async function round(page, codes) {
  const frames = async (code, n) =>
    median(await page.evaluate(({ code, n }) => [...window.wasmBindings.pp_frame_bench(new Uint8Array(code), n, 16)], { code, n }));
  const engine = async (code) =>
    JSON.parse(await page.evaluate((code) => window.wasmBindings.pp_engine_bench(new Uint8Array(code), 60_000), code)).wall_ms;
  return { small: await frames(codes.small, 300), large: await frames(codes.large, 60), engine: await engine(codes.engine) };
}

const dirs = process.argv.slice(2, 4);
if (dirs.length !== 2) throw new Error('usage: node tests/e2e/compare.mjs DIR_A DIR_B');
const codes = {
  small: encode(loadScenario({ brokers: 12, racks: 3, partitions: 48, untilMs: 300 * 16 })),
  large: encode(loadScenario({ brokers: 100, racks: 10, partitions: 1000, untilMs: 60 * 16 })),
  engine: encode(loadScenario({ brokers: 12, racks: 3, partitions: 48, untilMs: 60_000, faults: true })),
};
const servers = await Promise.all(dirs.map((d) => startServer(d)));
const browser = await launchChromium();
try {
  const pages = [];
  for (const s of servers) {
    const page = await browser.newPage();
    await page.goto(`${s.url}#paused`);
    await waitReady(page);
    pages.push(page);
  }
  const results = [[], []];
  for (let r = 0; r < ROUNDS; r++) for (const i of r % 2 ? [1, 0] : [0, 1]) results[i].push(await round(pages[i], codes));
  const col = (rs, k) => rs.map((x) => x[k].toFixed(2)).join(' ');
  for (const i of [0, 1]) {
    console.log(`${'AB'[i]} ${dirs[i]}`);
    console.log(`  frame 12 x 48 (ms, per round)     ${col(results[i], 'small')}`);
    console.log(`  frame 100 x 1,000 (ms, per round) ${col(results[i], 'large')}`);
    console.log(`  engine 12 x 48, 60 s (ms)          ${col(results[i], 'engine')}`);
  }
} finally {
  await browser.close();
  await Promise.all(servers.map((s) => s.close()));
}
