// Bundles the lab page into dist/ (served by the emulator at /lab/, embedded in its assembly).
// Run by the emulator project's build after `npm ci`; the output needs no network at run time.
import * as esbuild from "esbuild";
import { cp, mkdir, rm } from "node:fs/promises";

const out = process.argv[2] ?? "dist";
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await esbuild.build({
  entryPoints: ["src/main.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  outfile: `${out}/lab.js`,
  legalComments: "linked",
  logLevel: "warning",
});
await cp("src/index.html", `${out}/index.html`);
await cp("src/lab.css", `${out}/lab.css`);
