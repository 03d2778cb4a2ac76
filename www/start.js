// Starts the page (a file: the page's CSP refuses inline scripts). ARCHITECTURE.md, www/.
const tag = document.querySelector('script[data-js]');
try {
  const pp = (window.wasmBindings = await import(tag.dataset.js));
  await pp.default({ module_or_path: tag.dataset.wasm });
  pp.pp_start();
  if (document.documentElement.hasAttribute('data-embed')) {
    const body = document.body;
    new IntersectionObserver((e) => pp.pp_visible(e[e.length - 1].isIntersecting)).observe(body);
    let last = 0;
    new ResizeObserver(() => {
      const main = document.querySelector('main'); // none if the scenario could not open
      const height = main && Math.ceil(main.getBoundingClientRect().bottom + scrollY) + 8;
      if (height && height !== last && parent !== window) parent.postMessage({ type: 'partition-playground:height', height: (last = height) }, '*');
    }).observe(body);
  }
} catch (e) {
  const p = document.getElementById('loading') || document.getElementById('app').appendChild(document.createElement('p'));
  p.className = 'loading';
  p.textContent = 'The simulator could not start: ' + e;
}
