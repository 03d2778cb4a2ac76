//! A mutation fuzzer for the share-link reader, on stable Rust (`cargo run --release --example
//! fuzz_link -- INPUTS [SEED]`): it mutates the seed corpus (`tests/links/corpus/` and the golden
//! links) with bit flips, byte inserts and deletes, splices, header and length edits, and, so that
//! mutations reach past the checksum, mutations of the inflated code deflated again. Each input
//! goes to `read_link`; a panic, an allocation over [`alloc::ALLOCATION_MAX`] or a peak over
//! [`alloc::PEAK_MAX`] is saved to `tests/links/corpus/crash-*` and counted. It ends with one line:
//! inputs, crashes, the largest allocation and peak seen, and the wall time.

mod alloc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use partition_playground::scenario::read_link;
use std::path::Path;

// Native only: the page's wasm has its own allocator (talc, `web`), and counts nothing there.
#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static COUNTING: alloc::Counting = alloc::Counting;

/// xorshift: a repeatable sequence of mutations from the seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

fn seeds(dir: &Path) -> Vec<String> {
    let mut seeds = Vec::new();
    let mut files: Vec<_> =
        std::fs::read_dir(dir.join("corpus")).into_iter().flatten().flatten().map(|e| e.path()).collect();
    files.sort();
    for f in files {
        seeds.push(std::fs::read_to_string(f).unwrap_or_default().trim_end().to_string());
    }
    for name in ["format-1.txt", "format-2.txt"] {
        for line in std::fs::read_to_string(dir.join(name)).unwrap_or_default().lines() {
            seeds.push(line.splitn(3, ' ').nth(2).unwrap_or_default().to_string());
        }
    }
    seeds
}

/// The inflated code of a link text, if it has one.
fn code_of(text: &str) -> Option<Vec<u8>> {
    let data = text.splitn(4, '.').nth(3)?;
    let deflated = URL_SAFE_NO_PAD.decode(data).ok()?;
    miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&deflated, 1 << 16).ok()
}

fn relink(format: &str, code: &[u8]) -> String {
    let data = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec_zlib(code, 1));
    format!("{format}.1.{}.{data}", data.len())
}

fn mutate_bytes(r: &mut Rng, bytes: &mut Vec<u8>, other: &[u8]) {
    for _ in 0..1 + r.below(4) {
        let at = r.below(bytes.len() + 1);
        match r.below(6) {
            0 if at < bytes.len() => bytes[at] ^= 1 << r.below(8),
            1 => bytes.insert(at, r.below(256) as u8),
            2 if at < bytes.len() => drop(bytes.remove(at)),
            3 if at < bytes.len() => bytes[at] = [0, 1, 0x7f, 0x80, 0xff][r.below(5)],
            4 if !other.is_empty() => {
                let from = r.below(other.len());
                let len = r.below(other.len() - from + 1).min(64);
                bytes.splice(at..(at + len).min(bytes.len()), other[from..from + len].iter().copied());
            }
            _ => bytes.truncate(at),
        }
    }
}

fn mutate(r: &mut Rng, seeds: &[String], codes: &[(String, Vec<u8>)]) -> String {
    let seed = &seeds[r.below(seeds.len())];
    match r.below(4) {
        // The text itself: characters, header fields, the length.
        0 => {
            let mut bytes = seed.clone().into_bytes();
            let other = seeds[r.below(seeds.len())].as_bytes();
            mutate_bytes(r, &mut bytes, other);
            String::from_utf8_lossy(&bytes).into_owned()
        }
        1 => {
            let mut parts: Vec<String> = seed.splitn(4, '.').map(str::to_string).collect();
            let i = r.below(parts.len().min(3));
            parts[i] = ["0", "1", "2", "3", "99999999999999999999", "", "-1", "8192"][r.below(8)].to_string();
            parts.join(".")
        }
        // The inflated code, deflated again: past the checksum.
        _ if !codes.is_empty() => {
            let (format, code) = &codes[r.below(codes.len())];
            let mut code = code.clone();
            let other = &codes[r.below(codes.len())].1;
            mutate_bytes(r, &mut code, other);
            relink(format, &code)
        }
        _ => seed.clone(),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let inputs: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let mut r = Rng(args.next().and_then(|a| a.parse().ok()).unwrap_or(0x9e37_79b9_7f4a_7c15) | 1);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/links");
    let seeds = seeds(&dir);
    let codes: Vec<_> = seeds.iter().filter_map(|s| Some((s.split('.').next()?.to_string(), code_of(s)?))).collect();
    std::panic::set_hook(Box::new(|_| {}));
    let start = std::time::Instant::now();
    let (mut crashes, mut largest, mut peak, mut opened) = (0u64, 0, 0, 0u64);
    for i in 0..inputs {
        let input = mutate(&mut r, &seeds, &codes);
        let base = alloc::live();
        alloc::reset();
        let result = std::panic::catch_unwind(|| read_link(&input).is_ok());
        let (one, most) = alloc::measure(base);
        (largest, peak) = (largest.max(one), peak.max(most));
        opened += u64::from(matches!(result, Ok(true)));
        if result.is_err() || one > alloc::ALLOCATION_MAX || most > alloc::PEAK_MAX {
            crashes += 1;
            let _ = std::fs::write(dir.join(format!("corpus/crash-{i}.txt")), &input);
        }
    }
    println!(
        "{inputs} inputs, {crashes} crashes, {opened} opened, largest allocation {largest} bytes, peak {peak} bytes, {:.0} s",
        start.elapsed().as_secs_f64()
    );
    std::process::exit(i32::from(crashes > 0));
}
