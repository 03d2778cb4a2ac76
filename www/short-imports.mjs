// Gives the functions a wasm module imports from its wasm-bindgen glue short names, in both files.
// wasm-bindgen names each import after the Rust binding and a hash
// (`__wbg_setAttribute_f75317b2b5cabfb4`, about 100 of them, each in the wasm's import section
// and again in the glue's import object): shortened to `a`, `b`, … they cost some 4 KB gzipped
// less, with nothing else changed (the import section's entries keep their order, so no function
// index moves). Run by post-build.mjs on release builds, after terser.
//
// A name is renamed only where the glue holds it exactly once; otherwise the build stops here
// rather than ship a page whose imports no longer match.

/** Reads an unsigned LEB128 at `at`; returns [value, next offset]. */
function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

function putLeb(out, value) {
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
}

function putName(out, text) {
  const bytes = Buffer.from(text, 'utf8');
  putLeb(out, bytes.length);
  out.push(...bytes);
}

/** The description after an import's kind, skipped: [kind, description bytes, next offset]. */
function skipDescription(bytes, at) {
  const kind = bytes[at++];
  const start = at;
  const limits = () => {
    const flags = bytes[at++];
    [, at] = leb(bytes, at);
    if (flags & 1) [, at] = leb(bytes, at);
  };
  switch (kind) {
    case 0: // function: its type index
      [, at] = leb(bytes, at);
      break;
    case 1: // table: reference type, limits
      at += 1;
      limits();
      break;
    case 2: // memory: limits
      limits();
      break;
    case 3: // global: value type, mutability
      at += 2;
      break;
    case 4: // tag: attribute, type index
      at += 1;
      [, at] = leb(bytes, at);
      break;
    default:
      throw new Error(`short-imports: unknown import kind ${kind}`);
  }
  return [kind, bytes.subarray(start, at), at];
}

/** `a`, `b`, … `Z`, `aa`, `ab`, …: the n-th short name. */
function shortName(n) {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let name = '';
  do {
    name = letters[n % letters.length] + name;
    n = Math.floor(n / letters.length) - 1;
  } while (n >= 0);
  return name;
}

/** Occurrences of `name` in `code` as a whole identifier or string. */
function occurrences(code, name) {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return code.match(new RegExp(`(?<![\\w$])${escaped}(?![\\w$])`, 'g'))?.length ?? 0;
}

/**
 * Renames the imports of `wasm` (a Buffer) from the glue's module to short names, in the wasm and
 * in `glue` (its JavaScript); the module itself becomes `"m"`. Returns `{ wasm, glue, renamed }`.
 */
export function shortenImports(wasm, glue) {
  if (wasm.readUInt32LE(0) !== 0x6d736100) throw new Error('short-imports: not a wasm module');
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at];
    const [size, body] = leb(wasm, at + 1);
    if (id === 2) return rewrite(wasm, glue, at, body, body + size);
    at = body + size;
  }
  return { wasm, glue, renamed: 0 };
}

function rewrite(wasm, glue, sectionAt, bodyAt, end) {
  let [count, at] = leb(wasm, bodyAt);
  const out = [];
  putLeb(out, count);
  const modules = new Set();
  let renamed = 0;
  for (let i = 0; i < count; i++) {
    let len;
    [len, at] = leb(wasm, at);
    const module = wasm.toString('utf8', at, at + len);
    at += len;
    [len, at] = leb(wasm, at);
    const field = wasm.toString('utf8', at, at + len);
    at += len;
    const [kind, description, next] = skipDescription(wasm, at);
    at = next;
    const short = shortName(renamed);
    if (occurrences(glue, field) !== 1) throw new Error(`short-imports: the glue does not hold ${field} exactly once`);
    glue = glue.replace(new RegExp(`(?<![\\w$])${field}(?![\\w$])`), short);
    renamed++;
    modules.add(module);
    putName(out, 'm');
    putName(out, short);
    out.push(kind, ...description);
  }
  if (at !== end) throw new Error('short-imports: the import section does not end where its size says');
  for (const module of modules) {
    const quoted = JSON.stringify(module);
    if (glue.split(quoted).length !== 2) throw new Error(`short-imports: the glue does not name ${quoted} exactly once`);
    glue = glue.replace(quoted, '"m"');
  }
  if (modules.size > 1) throw new Error(`short-imports: imports from ${modules.size} modules, expected one`);
  const section = [2];
  putLeb(section, out.length);
  const rebuilt = Buffer.concat([wasm.subarray(0, sectionAt), Buffer.from(section), Buffer.from(out), wasm.subarray(end)]);
  return { wasm: rebuilt, glue, renamed };
}
