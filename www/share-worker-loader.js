// Starts the share worker (src/bin/share_worker.rs; the page's web::share_client makes it): its
// wasm-bindgen glue, then its wasm. The page's build comes in this script's query and goes on to
// both files, so a worker cached from an older build (its files have fixed names) never answers a
// newer page. A wasm that cannot start is said to the page, whose requests are waiting (a
// rejected promise in a worker reaches no `error` listener of the page).
const build = self.location.search;
importScripts(`./share-worker.js${build}`);
wasm_bindgen({ module_or_path: `./share-worker_bg.wasm${build}` }).catch((e) => postMessage(['failed', String(e)]));
