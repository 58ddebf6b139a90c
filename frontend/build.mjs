// Bundles livekit-client and src/livekit-call.js into one offline file for the web app.
// The output is committed (voice-sim serves it from its package; no CDN, no npm at run time);
// its first line records the sha256 of the inputs, which tests/voice_sim/web/test_bundle.py
// checks so a changed source or lock file without a rebuild fails the suite.
//
//   cd frontend && npm ci && node build.mjs
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

const OUT = "../voice_sim/web/static/call/livekit-call.js";
const LICENSES = "../voice_sim/web/static/call/livekit-call.LICENSES.txt";
const INPUTS = ["src/livekit-call.js", "package-lock.json"];

const hash = createHash("sha256");
for (const f of INPUTS) hash.update(readFileSync(f));
const digest = hash.digest("hex");

const result = await build({
  entryPoints: ["src/livekit-call.js"],
  bundle: true,
  format: "iife",
  minify: true,
  target: ["chrome100", "firefox100", "safari15"],
  legalComments: "none",
  metafile: true,
  write: false,
  banner: { js: `/* voice-sim livekit-call.js; inputs sha256 ${digest}; licences: livekit-call.LICENSES.txt */` },
});
writeFileSync(OUT, result.outputFiles[0].text);

// every npm package in the bundle, with its licence: the packages esbuild read, and their
// dependencies (livekit-client ships pre-bundled, its dependencies inside its dist file)
const pkgs = new Map();
function add(name) {
  if (pkgs.has(name)) return;
  let meta;
  try {
    meta = JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8"));
  } catch {
    return; // an optional dependency not installed on this platform
  }
  pkgs.set(name, `${meta.name} ${meta.version}: ${meta.license}`);
  for (const dep of Object.keys(meta.dependencies || {})) add(dep);
}
for (const input of Object.keys(result.metafile.inputs)) {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m) add(m[1]);
}
const lines = [...pkgs.values()].sort();
writeFileSync(
  LICENSES,
  "npm packages bundled in livekit-call.js (built by frontend/build.mjs):\n" +
    lines.map((l) => `  ${l}\n`).join("")
);
console.log(`wrote ${OUT} (${result.outputFiles[0].text.length} bytes, ${lines.length} packages)`);
