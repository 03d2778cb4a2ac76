//! The page's share worker: a second wasm module that the page starts on the first "Copy link" or
//! "Export", so the link writer (session code, deflate, base64) and the export's files stay out of
//! the page's first download. Trunk builds it for wasm32 (`www/index.html`, `data-type="worker"`);
//! its work is `web::share_worker`.

#[cfg(target_arch = "wasm32")]
fn main() {
    partition_playground::web::share_worker::run();
}

// Built natively only by `--all-features` (the lints): there is nothing to run outside a browser.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("share-worker is the page's web worker: Trunk builds it for wasm32 (see www/index.html)");
    std::process::exit(2);
}
