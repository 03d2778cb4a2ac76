//! The link fuzzer's corpus (`tests/links/corpus/`: its seeds and every input that ever failed),
//! replayed: each is read without a panic and within the allocation caps the fuzzer holds the
//! reader to (`examples/fuzz_link`).

#[path = "../examples/fuzz_link/alloc.rs"]
mod alloc;

// Native only: the page's wasm has its own allocator (talc, `web`), and counts nothing there.
#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static COUNTING: alloc::Counting = alloc::Counting;

#[test]
fn every_corpus_input_is_read_within_the_caps() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/links/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("the corpus").map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 4, "the seeds at least");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let base = alloc::live();
        alloc::reset();
        let _ = partition_playground::scenario::read_link(text.trim_end());
        let (largest, peak) = alloc::measure(base);
        assert!(largest <= alloc::ALLOCATION_MAX, "{}: an allocation of {largest} bytes", file.display());
        assert!(peak <= alloc::PEAK_MAX, "{}: a peak of {peak} bytes", file.display());
    }
}
