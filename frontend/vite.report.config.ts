import { createHash } from 'node:crypto';
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { viteSingleFile } from 'vite-plugin-singlefile';

// The exported HTML report: report.html with the report screen's components,
// scripts, styles and fonts inlined into one file (dist-report/report.html),
// which the Go binary embeds (frontend/report_embed.go) and fills with the
// report's JSON. Its Content-Security-Policy allows only its own inline code.

// cspHashes: a Vite plugin for single-file pages: after the inlining (vite-plugin-singlefile),
// it hashes every inline <script> and <style> and writes the hashes into the
// page's Content-Security-Policy in place of %CSP_SCRIPT% and %CSP_STYLE%, so
// the page runs its own code and nothing else. Scripts of type
// application/json are data, never executed, and need no hash.

function hashes(html: string, tag: 'script' | 'style'): string {
  const re = new RegExp(`<${tag}(\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g');
  const out: string[] = [];
  for (const m of html.matchAll(re)) {
    const attrs = m[1] ?? '';
    if (/\bsrc=/.test(attrs) || /type="application\/json"/.test(attrs)) continue;
    out.push(`'sha256-${createHash('sha256').update(m[2], 'utf8').digest('base64')}'`);
  }
  return out.length ? [...new Set(out)].join(' ') : "'none'";
}

function cspHashes(): Plugin {
  return {
    name: 'concord:csp-hashes',
    enforce: 'post',
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        for (const file of Object.values(bundle)) {
          if (file.type !== 'asset' || !file.fileName.endsWith('.html')) continue;
          const html = String(file.source);
          if (!html.includes('%CSP_SCRIPT%') || !html.includes('%CSP_STYLE%')) {
            this.error(`${file.fileName}: no %CSP_SCRIPT% / %CSP_STYLE% in its Content-Security-Policy`);
          }
          if (/<(script|link)[^>]+(src|href)=/.test(html)) {
            this.error(`${file.fileName}: a script or stylesheet was left outside the file`);
          }
          file.source = html.replace('%CSP_SCRIPT%', hashes(html, 'script')).replace('%CSP_STYLE%', hashes(html, 'style'));
        }
      },
    },
  };
}

// woff2Only keeps KaTeX's WOFF2 fonts and drops the WOFF and TrueType copies
// (every browser that runs this page reads WOFF2): the file is a third the size.
function woff2Only(): Plugin {
  return {
    name: 'concord:woff2-only',
    enforce: 'pre',
    transform(code, id) {
      if (!id.includes('katex') || !id.endsWith('.css')) return null;
      return code.replace(/,url\([^)]*\.woff\) format\("woff"\),url\([^)]*\.ttf\) format\("truetype"\)/g, '');
    },
  };
}

export default defineConfig({
  plugins: [woff2Only(), svelte(), viteSingleFile({ removeViteModuleLoader: true }), cspHashes()],
  base: './',
  build: {
    outDir: 'dist-report',
    emptyOutDir: true,
    sourcemap: false,
    modulePreload: false,
    rollupOptions: { input: 'report.html' },
  },
});
