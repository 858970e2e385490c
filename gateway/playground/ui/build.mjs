// Builds the playground into ../dist, which is checked in so that `go build`
// needs no Node: `npm ci && npm run build` (or `make playground`).
//
// Output: dist/index.html, a Go html/template that gateway/playground fills
// with the asset base path and the page's config, and dist/assets/ with
// content-hashed files (so the router can cache them forever): the page's JS
// and CSS, Monaco's three workers and its icon font. The assets are stored
// gzipped (NAME.gz): the router sends them as they are to clients that accept
// gzip (all browsers), and the binary grows by a quarter of their size.
import { readdir, readFile, rm, mkdir, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '..', 'dist');
const assets = path.join(dist, 'assets');

const common = {
  bundle: true,
  minify: true,
  metafile: true,
  outdir: assets,
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  target: ['chrome111', 'firefox115', 'safari16.4'],
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'eof',
  logLevel: 'warning',
  absWorkingDir: here,
};

// outputFor maps an entry point to the file name esbuild gave its bundle.
function outputFor(metafile, entry, ext) {
  for (const [out, info] of Object.entries(metafile.outputs)) {
    if (info.entryPoint === entry && out.endsWith(ext)) return path.basename(out);
  }
  throw new Error(`build: no ${ext} output for ${entry}`);
}

await rm(dist, { recursive: true, force: true });
await mkdir(assets, { recursive: true });

// Monaco's workers are classic scripts, one self-contained file each.
const workerEntries = {
  editor: 'node_modules/monaco-editor/esm/vs/editor/editor.worker.js',
  json: 'node_modules/monaco-editor/esm/vs/language/json/json.worker.js',
  graphql: 'node_modules/monaco-graphql/esm/graphql.worker.js',
};
const workers = await esbuild.build({
  ...common,
  format: 'iife',
  entryPoints: Object.entries(workerEntries).map(([name, file]) => ({ in: file, out: `${name}.worker` })),
});
const workerNames = Object.fromEntries(
  Object.entries(workerEntries).map(([name, file]) => [name, './' + outputFor(workers.metafile, file, '.js')]),
);

const app = await esbuild.build({
  ...common,
  // One file: Monaco (most of the bundle) is needed at once anyway, and esbuild
  // would leave the CSS of split chunks to us; prettier (Prettify) comes along.
  format: 'esm',
  jsx: 'automatic',
  entryPoints: { playground: 'src/main.jsx' },
  loader: { '.ttf': 'file' },
  define: { ...common.define, __WORKERS__: JSON.stringify(workerNames) },
});
const js = outputFor(app.metafile, 'src/main.jsx', '.js');
const css = Object.keys(app.metafile.outputs)
  .map((o) => path.basename(o))
  .find((o) => o.startsWith('playground-') && o.endsWith('.css'));
if (!css) throw new Error('build: no CSS output for src/main.jsx');

// {{.Assets}} is the URL path of dist/assets as mounted; {{.Config}} is JSON.
const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>shopgraph playground</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{{.Assets}}/${css}">
<script type="module" src="{{.Assets}}/${js}"></script>
</head>
<body>
<script id="playground-config" type="application/json">{{.Config}}</script>
<div id="root"></div>
</body>
</html>
`;
await writeFile(path.join(dist, 'index.html'), html);

// Gzip each asset (level 9; Node writes no timestamp, so the bytes depend only
// on the content) and report raw and compressed sizes.
let raw = 0;
let packed = 0;
const rows = [];
for (const name of (await readdir(assets)).sort()) {
  const file = path.join(assets, name);
  const data = await readFile(file);
  const gz = gzipSync(data, { level: 9 });
  await writeFile(file + '.gz', gz);
  await rm(file);
  raw += data.length;
  packed += gz.length;
  rows.push([name, data.length, gz.length]);
}
const kib = (n) => (n / 1024).toFixed(1).padStart(8) + ' KiB';
for (const [name, r, g] of rows) console.log(`${kib(r)} ${kib(g)} gzipped  ${name}`);
console.log(`${kib(raw)} ${kib(packed)} gzipped  total in dist/assets`);
