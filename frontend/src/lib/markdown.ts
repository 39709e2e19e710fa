// The one path that turns model text (untrusted) into HTML.
//
//   marked (Markdown → HTML, math replaced by placeholders)
//   → DOMPurify with a strict profile (no script, style, forms, frames,
//     embeds, SVG/MathML, event handlers, ids, inline styles; links only
//     http(s)/mailto; images only inline data: pictures)
//   → highlight.js on code blocks (it escapes the text it reads)
//   → KaTeX for math, its output sanitised by a second DOMPurify profile
//     that allows only what KaTeX emits (MathML, SVG paths, plain styles).
//
// Everything runs in an inert document, so nothing loads while rendering.
// Markdown.svelte is the only component that puts the result into the page.

import { Marked, type TokenizerAndRendererExtension } from 'marked';
import DOMPurify, { type Config, type DOMPurify as Purifier } from 'dompurify';
import katex from 'katex';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import latex from 'highlight.js/lib/languages/latex';
import markdownLang from 'highlight.js/lib/languages/markdown';
import plaintext from 'highlight.js/lib/languages/plaintext';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

for (const [name, lang] of Object.entries({
  bash, c, cpp, csharp, css, go, java, javascript, json, latex,
  markdown: markdownLang, plaintext, python, rust, sql, typescript, xml, yaml,
})) {
  hljs.registerLanguage(name, lang);
}

/** Link schemes a rendered answer may point to. */
export const SAFE_LINK = /^(?:https?:|mailto:)/i;
/** Image sources a rendered answer may show: inline raster pictures only. */
export const SAFE_IMAGE = /^data:image\/(?:png|gif|jpe?g|webp);base64,[a-z0-9+/=\s]*$/i;
/** Inline styles allowed in KaTeX output: plain lengths and colours, no functions. */
const SAFE_STYLE = /^[a-z0-9\s\-:;.,%#]*$/i;

const MATH_ATTR = 'data-cm';

// ---- math extension for marked ---------------------------------------------

interface MathToken {
  type: 'mathBlock' | 'mathInline';
  raw: string;
  text: string;
  display: boolean;
}

// Per-render state; rendering is synchronous so one slot is enough.
let mathSlots: { tex: string; display: boolean }[] = [];
let mathNonce = '';

function placeholder(tex: string, display: boolean): string {
  mathSlots.push({ tex, display });
  // Always a span: a block inside a paragraph would be re-nested by the parser.
  return `<span ${MATH_ATTR}="${mathNonce}_${mathSlots.length - 1}"></span>`;
}

const mathBlock: TokenizerAndRendererExtension = {
  name: 'mathBlock',
  level: 'block',
  start(src: string) {
    const m = src.match(/^ {0,3}(?:\$\$|\\\[)/m);
    return m?.index;
  },
  tokenizer(src: string) {
    const m = /^ {0,3}\$\$([\s\S]+?)\$\$[ \t]*(?:\n+|$)/.exec(src) ?? /^ {0,3}\\\[([\s\S]+?)\\\][ \t]*(?:\n+|$)/.exec(src);
    if (!m) return undefined;
    return { type: 'mathBlock', raw: m[0], text: m[1].trim(), display: true } satisfies MathToken;
  },
  renderer(token) {
    return placeholder((token as unknown as MathToken).text, true) + '\n';
  },
};

const mathInline: TokenizerAndRendererExtension = {
  name: 'mathInline',
  level: 'inline',
  start(src: string) {
    const i = src.search(/\$|\\\(/);
    return i < 0 ? undefined : i;
  },
  tokenizer(src: string) {
    let m = /^\$\$((?:\\.|[^\\$])+?)\$\$/.exec(src);
    if (m) return { type: 'mathInline', raw: m[0], text: m[1].trim(), display: true } satisfies MathToken;
    m = /^\\\(((?:\\.|[^\\])+?)\\\)/.exec(src);
    if (m) return { type: 'mathInline', raw: m[0], text: m[1].trim(), display: false } satisfies MathToken;
    // $...$: no space just inside the dollars and no digit right after the
    // closing one, so "costs $5 and $10" stays text.
    m = /^\$(?=\S)((?:\\.|[^\\$\n])*?\S)\$(?!\d)/.exec(src);
    if (m) return { type: 'mathInline', raw: m[0], text: m[1], display: false } satisfies MathToken;
    return undefined;
  },
  renderer(token) {
    const t = token as unknown as MathToken;
    return placeholder(t.text, t.display);
  },
};

const marked = new Marked({ gfm: true, breaks: false, async: false }, { extensions: [mathBlock, mathInline] });

// ---- sanitisers --------------------------------------------------------------

const FORBID_USER_TAGS = [
  'style', 'script', 'form', 'input', 'button', 'textarea', 'select', 'option', 'optgroup',
  'fieldset', 'video', 'audio', 'source', 'track', 'picture', 'iframe', 'frame', 'frameset',
  'object', 'embed', 'applet', 'link', 'meta', 'base', 'template', 'dialog', 'map', 'area',
  'noscript', 'svg', 'math', 'portal', 'slot', 'canvas', 'marquee', 'title', 'head', 'body',
];
const FORBID_USER_ATTR = [
  'style', 'srcset', 'sizes', 'background', 'poster', 'action', 'formaction', 'ping', 'id',
  'name', 'xlink:href', 'usemap', 'dynsrc', 'lowsrc', 'download', 'autofocus', 'tabindex',
  'contenteditable', 'popover', 'popovertarget', 'form', 'srcdoc', 'is', 'nonce', 'cite',
  'longdesc', 'codebase', 'manifest', 'profile', 'data', 'itemtype', 'itemid',
];

const userConfig: Config = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: FORBID_USER_TAGS,
  FORBID_ATTR: FORBID_USER_ATTR,
  ADD_ATTR: ['target', MATH_ATTR],
  ALLOW_DATA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  // DOMPurify's own URI check stays on; the hook below narrows links and images further.
  SANITIZE_NAMED_PROPS: true,
  RETURN_DOM_FRAGMENT: true,
};

const mathConfig: Config = {
  USE_PROFILES: { html: true, svg: true, mathMl: true },
  FORBID_TAGS: [
    'a', 'img', 'image', 'use', 'foreignObject', 'animate', 'set', 'animateMotion',
    'animateTransform', 'feImage', 'script', 'style', 'iframe', 'form', 'input', 'link',
  ],
  FORBID_ATTR: ['href', 'xlink:href', 'src', 'srcset', 'action', 'formaction', 'id', 'name', 'tabindex'],
  ALLOW_DATA_ATTR: false,
  RETURN_DOM_FRAGMENT: true,
};

let purifiers: { user: Purifier; math: Purifier; doc: Document } | undefined;

function setup(): { user: Purifier; math: Purifier; doc: Document } {
  if (purifiers) return purifiers;
  const user = DOMPurify(window);
  user.addHook('uponSanitizeAttribute', (_node, data) => {
    if (data.attrName === 'class') {
      // Keep only the language marker of fenced code; app classes could
      // restyle an answer to look like the app itself.
      const kept = data.attrValue.split(/\s+/).filter((c) => /^language-[\w+#.-]+$/.test(c));
      if (kept.length === 0) data.keepAttr = false;
      else data.attrValue = kept.join(' ');
    }
  });
  user.addHook('afterSanitizeAttributes', (node) => {
    const el = node as Element;
    if (!el.tagName) return;
    const tag = el.tagName.toLowerCase();
    if (tag === 'a') {
      const href = el.getAttribute('href') ?? '';
      if (SAFE_LINK.test(href.trim())) {
        el.setAttribute('target', '_blank');
        el.setAttribute('rel', 'noopener noreferrer');
        el.setAttribute('title', href);
      } else {
        el.removeAttribute('href');
        el.removeAttribute('target');
      }
    } else {
      el.removeAttribute('target');
    }
    if (tag === 'img') {
      const src = el.getAttribute('src') ?? '';
      if (!SAFE_IMAGE.test(src.trim())) el.removeAttribute('src');
    }
  });

  const math = DOMPurify(window);
  math.addHook('uponSanitizeAttribute', (_node, data) => {
    if (data.attrName === 'style' && !SAFE_STYLE.test(data.attrValue)) data.keepAttr = false;
  });

  purifiers = { user, math, doc: document.implementation.createHTMLDocument('') };
  return purifiers;
}

function renderMath(doc: Document, math: Purifier, tex: string, display: boolean): Node {
  let html: string;
  try {
    html = katex.renderToString(tex, {
      displayMode: display,
      throwOnError: false,
      trust: false,
      strict: 'ignore',
      output: 'htmlAndMathml',
      maxSize: 20,
      maxExpand: 500,
    });
  } catch {
    // KaTeX gave up (e.g. expansion limit): show the source as text.
    const code = doc.createElement('code');
    code.textContent = tex;
    return code;
  }
  const frag = math.sanitize(html, mathConfig) as unknown as DocumentFragment;
  const box = doc.createElement('span');
  box.className = display ? 'md-math md-math-display' : 'md-math';
  box.appendChild(doc.importNode(frag, true));
  return box;
}

function highlight(doc: ParentNode): void {
  for (const code of Array.from(doc.querySelectorAll('pre > code'))) {
    const lang = /(?:^|\s)language-([\w+#.-]+)/.exec(code.getAttribute('class') ?? '')?.[1]?.toLowerCase();
    const text = code.textContent ?? '';
    let out: string | undefined;
    if (lang && hljs.getLanguage(lang)) {
      out = hljs.highlight(text, { language: lang, ignoreIllegals: true }).value;
    } else if (!lang && text.length < 20000) {
      const auto = hljs.highlightAuto(text);
      if (auto.relevance >= 5) out = auto.value;
    }
    if (out !== undefined) code.innerHTML = out; // highlight.js escapes the text it was given
    code.classList.add('hljs');
  }
}

function randomNonce(): string {
  const a = new Uint32Array(2);
  crypto.getRandomValues(a);
  return a[0].toString(36) + a[1].toString(36);
}

/**
 * renderMarkdown turns untrusted Markdown (with $…$ / $$…$$ / \(…\) / \[…\]
 * math) into HTML that cannot run script, reach the bindings, navigate the
 * window or load anything from the network.
 */
export function renderMarkdown(src: string): string {
  const { user, math, doc } = setup();
  mathSlots = [];
  mathNonce = randomNonce();
  let html: string;
  try {
    html = marked.parse(src ?? '') as string;
  } catch {
    const p = doc.createElement('p');
    p.textContent = src;
    html = p.outerHTML;
  }
  const slots = mathSlots;
  const nonce = mathNonce;
  mathSlots = [];

  const frag = user.sanitize(html, userConfig) as unknown as DocumentFragment;
  const root = doc.createElement('div');
  root.appendChild(doc.importNode(frag, true));

  for (const img of Array.from(root.querySelectorAll('img:not([src])'))) {
    const note = doc.createElement('span');
    note.className = 'md-blocked';
    const alt = img.getAttribute('alt');
    note.textContent = alt ? `[image not loaded: ${alt}]` : '[image not loaded]';
    img.replaceWith(note);
  }

  highlight(root);

  for (const el of Array.from(root.querySelectorAll(`[${MATH_ATTR}]`))) {
    const [n, i] = (el.getAttribute(MATH_ATTR) ?? '').split('_');
    const slot = n === nonce ? slots[Number(i)] : undefined;
    if (slot) el.replaceWith(renderMath(doc, math, slot.tex, slot.display));
    else el.removeAttribute(MATH_ATTR);
  }

  return root.innerHTML;
}

/** How many rendered sources renderMarkdownCached remembers (two items' worth and more). */
export const MARKDOWN_CACHE = 48;

const rendered = new Map<string, string>();

/**
 * renderMarkdownCached is renderMarkdown remembered for the last
 * MARKDOWN_CACHE sources, so that a text rendered ahead of time (the item
 * after the next one, while the annotator reads) is not rendered again when
 * it is shown.
 */
export function renderMarkdownCached(src: string): string {
  let html = rendered.get(src);
  if (html === undefined) {
    html = renderMarkdown(src);
    if (rendered.size >= MARKDOWN_CACHE) rendered.delete(rendered.keys().next().value as string);
    rendered.set(src, html);
  }
  return html;
}
