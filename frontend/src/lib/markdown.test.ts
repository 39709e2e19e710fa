import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderMarkdown, renderMarkdownCached, SAFE_IMAGE, SAFE_LINK } from './markdown';

// Hostile model answers: every one must render inert (no script, no handler,
// no navigation to script, no remote resource, no way to reach window.go).
const hostile: [string, string][] = [
  ['script tag', '<script>window.go.app.App.Import(["/"])</script>hello'],
  ['script in markdown list', '- item\n- <script>alert(1)</script>'],
  ['img onerror', '<img src=x onerror="window.go.app.App.Info()">'],
  ['img onerror no quotes', '<img src=x onerror=alert(1)//>'],
  ['markdown image remote', '![cat](http://evil.example/cat.png)'],
  ['markdown image https', '![cat](https://evil.example/cat.png "title")'],
  ['remote img', '<img src="http://evil.example/track.gif">'],
  ['protocol-relative img', '<img src="//evil.example/track.gif">'],
  ['img srcset', '<img src="data:image/png;base64,iVBORw0KGgo=" srcset="http://evil.example/a.png 2x">'],
  ['svg image in data url', '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">'],
  ['javascript link markdown', '[click](javascript:alert(1))'],
  ['javascript link html', '<a href="javascript:window.go.app.App.Import([\'/etc\'])">x</a>'],
  ['javascript link upper', '<a href="JaVaScRiPt:alert(1)">x</a>'],
  ['javascript link entity encoded', '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>'],
  ['javascript link hex entities', '<a href="&#x6A;avascript&#x3A;alert(1)">x</a>'],
  ['javascript link with tab', '<a href="jav\tascript:alert(1)">x</a>'],
  ['javascript link with newline entity', '<a href="java&#x0A;script:alert(1)">x</a>'],
  ['javascript link leading space', '<a href="  javascript:alert(1)">x</a>'],
  ['javascript markdown angle', '[x](<javascript:alert(1)>)'],
  ['javascript markdown encoded', '[x](javascript&#58;alert(1))'],
  ['javascript reference link', '[x][1]\n\n[1]: javascript:alert(1)'],
  ['autolink javascript', '<javascript:alert(1)>'],
  ['vbscript link', '<a href="vbscript:msgbox(1)">x</a>'],
  ['data html link', '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>'],
  ['data link markdown', '[x](data:text/html,<script>alert(1)</script>)'],
  ['relative link navigates app', '[home](/index.html)'],
  ['fragment link', '<a href="#/report">x</a>'],
  ['iframe', '<iframe src="http://evil.example"></iframe>'],
  ['iframe srcdoc', '<iframe srcdoc="<script>alert(1)</script>"></iframe>'],
  ['svg onload', '<svg onload="alert(1)"><circle r="5"/></svg>'],
  ['svg script', '<svg><script>alert(1)</script></svg>'],
  ['svg image href', '<svg><image href="http://evil.example/a.png"/></svg>'],
  ['svg use external', '<svg><use href="http://evil.example/s.svg#x"/></svg>'],
  ['svg animate href', '<svg><a><animate attributeName="href" values="javascript:alert(1)"/><text y="20">x</text></a></svg>'],
  ['math tricks', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>'],
  ['math href', '<math href="javascript:alert(1)"><mi>x</mi></math>'],
  ['math maction', '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>'],
  ['form', '<form action="http://evil.example"><input name="q"><button>go</button></form>'],
  ['button formaction', '<button formaction="javascript:alert(1)">x</button>'],
  ['meta refresh', '<meta http-equiv="refresh" content="0;url=http://evil.example">'],
  ['style tag', '<style>body{background:url(http://evil.example/a.png)}</style>text'],
  ['style attribute url', '<div style="background-image:url(http://evil.example/a.png)">x</div>'],
  ['style attribute expression', '<p style="width:expression(alert(1))">x</p>'],
  ['style import', '<style>@import "http://evil.example/a.css";</style>'],
  ['object', '<object data="http://evil.example/a.swf"></object>'],
  ['embed', '<embed src="http://evil.example/a.swf">'],
  ['base href', '<base href="http://evil.example/">[x](a)'],
  ['link stylesheet', '<link rel="stylesheet" href="http://evil.example/a.css">'],
  ['link prefetch', '<link rel="prefetch" href="http://evil.example/">'],
  ['video poster', '<video poster="http://evil.example/p.png" src="http://evil.example/v.mp4"></video>'],
  ['audio', '<audio src="http://evil.example/a.mp3" autoplay></audio>'],
  ['picture source', '<picture><source srcset="http://evil.example/a.png"><img src="x"></picture>'],
  ['table background', '<table background="http://evil.example/a.png"><tr><td>x</td></tr></table>'],
  ['body onload', '<body onload="alert(1)">x</body>'],
  ['details ontoggle', '<details open ontoggle="alert(1)"><summary>x</summary></details>'],
  ['anchor ping', '<a href="https://ok.example" ping="http://evil.example/ping">x</a>'],
  ['onclick on div', '<div onclick="window.go.app.App.Import([])">click me</div>'],
  ['onmouseover upper', '<p ONMOUSEOVER="alert(1)">x</p>'],
  ['template', '<template><img src=x onerror=alert(1)></template>'],
  ['noscript mxss', '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>'],
  ['comment mxss', '<!--><img src=x onerror=alert(1)>-->'],
  ['textarea breakout', '<textarea></textarea><img src=x onerror=alert(1)>'],
  ['dom clobbering id', '<img id="go" name="go"><form id="runtime"></form>'],
  ['class spoofing', '<div class="toast error sidebar">fake app ui</div>'],
  ['code block with html', '```html\n<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n```'],
  ['inline code with html', '`<img src=x onerror=alert(1)>`'],
  ['katex href', '$\\href{javascript:alert(1)}{x}$'],
  ['katex url', '$$\\url{http://evil.example}$$'],
  ['katex includegraphics', '$\\includegraphics{http://evil.example/a.png}$'],
  ['katex htmlStyle', '$\\htmlStyle{background:url(http://evil.example/a.png)}{x}$'],
  ['katex color injection', '$\\color{red;background:url(http://evil.example)}{x}$'],
  ['katex macro bomb', '$\\def\\a{\\b\\b}\\def\\b{\\c\\c}\\def\\c{\\d\\d}\\def\\d{\\e\\e}\\def\\e{\\f\\f}\\def\\f{xx}\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a$'],
  ['math placeholder forgery', '<span data-cm="0:0">x</span>'],
  ['html inside math', '$<img src=x onerror=alert(1)>$'],
  ['portal', '<portal src="http://evil.example"></portal>'],
  ['input image', '<input type="image" src="http://evil.example/a.png">'],
  ['srcdoc on anything', '<div srcdoc="<script>alert(1)</script>">x</div>'],
  ['target top', '<a href="https://ok.example" target="_top">x</a>'],
  ['css url in markdown text is plain text', 'background: url(http://evil.example/a.png)'],
];

const FORBIDDEN_TAGS = new Set([
  'script', 'style', 'iframe', 'frame', 'object', 'embed', 'form', 'input', 'button', 'textarea',
  'meta', 'base', 'link', 'video', 'audio', 'source', 'picture', 'template', 'portal', 'noscript',
  'use', 'image', 'foreignobject', 'animate', 'set', 'body', 'head',
]);
const URL_ATTRS = ['href', 'src', 'xlink:href', 'action', 'formaction', 'background', 'poster', 'srcset', 'data', 'ping', 'srcdoc'];

/** problems lists every executable vector or remote reference left in html. */
function problems(html: string): string[] {
  const doc = document.implementation.createHTMLDocument('');
  const root = doc.createElement('div');
  root.innerHTML = html;
  const out: string[] = [];
  for (const el of Array.from(root.querySelectorAll('*'))) {
    const tag = el.localName.toLowerCase();
    if (FORBIDDEN_TAGS.has(tag)) out.push(`tag <${tag}>`);
    const inKatex = el.closest('.katex, .katex-display, .katex-error') !== null;
    if ((tag === 'svg' || tag === 'math') && !inKatex) out.push(`<${tag}> outside KaTeX`);
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      const value = attr.value;
      if (name === 'xmlns' || name.startsWith('xmlns:')) continue; // a namespace name, never fetched
      if (name.startsWith('on')) out.push(`handler ${name} on <${tag}>`);
      if (name === 'id' || name === 'name') out.push(`${name} on <${tag}>`);
      if (name === 'style') {
        if (!inKatex) out.push(`style on <${tag}> outside KaTeX`);
        if (/url|expression|import|\(|\\/i.test(value)) out.push(`unsafe style ${value}`);
      }
      if (name === 'class' && /(^|\s)(toast|error|sidebar)(\s|$)/.test(value)) out.push(`app class ${value}`);
      if (URL_ATTRS.includes(name)) {
        if (name === 'href' && tag === 'a' && SAFE_LINK.test(value)) {
          if (el.getAttribute('target') !== '_blank' || !/noopener/.test(el.getAttribute('rel') ?? '')) {
            out.push(`link without target/rel: ${value}`);
          }
          continue;
        }
        if (name === 'src' && tag === 'img' && SAFE_IMAGE.test(value)) continue;
        out.push(`${name}=${value} on <${tag}>`);
      }
      if (/^\s*(javascript|vbscript|data):/i.test(value) && !(name === 'src' && SAFE_IMAGE.test(value))) {
        out.push(`script-like value ${name}=${value}`);
      }
      const textual = ['title', 'alt', 'aria-label'].includes(name); // shown as text, never fetched
      if (!textual && /https?:\/\/|^\/\//i.test(value) && !(tag === 'a' && name === 'href')) {
        out.push(`remote reference ${name}=${value} on <${tag}>`);
      }
    }
  }
  return out;
}

describe('renderMarkdown with hostile answers', () => {
  afterEach(() => {
    document.body.innerHTML = '';
    delete handlerWindow().go;
  });

  it.each(hostile)('%s renders inert', (_name, src) => {
    const html = renderMarkdown(src);
    expect(problems(html), html).toEqual([]);
  });

  // Inline handlers run in jsdom's inner global, which is not the test's
  // window; a handler hands it over through the shared document.
  function handlerWindow(): Window & { go?: unknown } {
    const p = document.createElement('p');
    p.setAttribute('onclick', 'document.__handlerWindow = window');
    p.dispatchEvent(new Event('click'));
    const w = (document as unknown as { __handlerWindow?: Window & { go?: unknown } }).__handlerWindow;
    if (!w) throw new Error('jsdom did not run an inline handler: is runScripts set to dangerously?');
    return w;
  }

  async function mountAndPoke(html: string): Promise<{ binding: number; alert: number }> {
    const win = handlerWindow();
    const spy = vi.fn();
    win.go = { app: { App: { Info: spy, Import: spy } } };
    const alert = vi.spyOn(win, 'alert').mockImplementation(() => {});
    const host = document.createElement('div');
    host.innerHTML = html;
    document.body.appendChild(host);
    for (const el of Array.from(host.querySelectorAll('*'))) {
      el.dispatchEvent(new Event('click', { bubbles: true }));
      el.dispatchEvent(new Event('mouseover', { bubbles: true }));
      el.dispatchEvent(new Event('load'));
      el.dispatchEvent(new Event('error'));
    }
    await new Promise((r) => setTimeout(r, 0));
    const calls = { binding: spy.mock.calls.length, alert: alert.mock.calls.length };
    alert.mockRestore();
    return calls;
  }

  it('mountAndPoke sees an unsanitised handler fire', async () => {
    expect(await mountAndPoke('<p onclick="window.go.app.App.Info()">x</p><b onmouseover="alert(1)">y</b>')).toEqual({
      binding: 1,
      alert: 1,
    });
  });

  it.each(hostile)('%s calls nothing when mounted', async (_name, src) => {
    expect(await mountAndPoke(renderMarkdown(src))).toEqual({ binding: 0, alert: 0 });
  });
});

describe('problems (the checker itself)', () => {
  it.each([
    ['<script>x</script>', 'tag <script>'],
    ['<img src="http://a.example/x.png">', 'src=http://a.example/x.png on <img>'],
    ['<a href="javascript:x">y</a>', 'href=javascript:x on <a>'],
    ['<p onclick="x">y</p>', 'handler onclick on <p>'],
    ['<p style="color:red">y</p>', 'style on <p> outside KaTeX'],
  ])('flags %s', (html, want) => {
    expect(problems(html)).toContain(want);
  });
});

describe('renderMarkdown', () => {
  function dom(html: string): HTMLElement {
    const d = document.createElement('div');
    d.innerHTML = html;
    return d;
  }

  it('renders ordinary Markdown', () => {
    const d = dom(renderMarkdown('# Title\n\nSome **bold** and *em* text.\n\n| a | b |\n|---|---|\n| 1 | 2 |'));
    expect(d.querySelector('h1')?.textContent).toBe('Title');
    expect(d.querySelector('strong')?.textContent).toBe('bold');
    expect(d.querySelectorAll('td')).toHaveLength(2);
  });

  it('keeps safe links and opens them outside', () => {
    const a = dom(renderMarkdown('[docs](https://example.org/a?b=1)')).querySelector('a');
    expect(a?.getAttribute('href')).toBe('https://example.org/a?b=1');
    expect(a?.getAttribute('target')).toBe('_blank');
    expect(a?.getAttribute('rel')).toBe('noopener noreferrer');
  });

  it('keeps mailto links', () => {
    const a = dom(renderMarkdown('<mailto:someone@example.org>')).querySelector('a');
    expect(a?.getAttribute('href')).toBe('mailto:someone@example.org');
  });

  it('drops a javascript: link but keeps its text', () => {
    const d = dom(renderMarkdown('[click me](javascript:alert(1))'));
    expect(d.textContent).toContain('click me');
    expect(d.querySelector('a')?.hasAttribute('href')).toBe(false);
  });

  it('keeps an inline data: picture', () => {
    const src = 'data:image/png;base64,iVBORw0KGgo=';
    const img = dom(renderMarkdown(`![dot](${src})`)).querySelector('img');
    expect(img?.getAttribute('src')).toBe(src);
  });

  it('replaces a remote image by a note', () => {
    const d = dom(renderMarkdown('![a cat](http://example.org/cat.png)'));
    expect(d.querySelector('img')).toBeNull();
    expect(d.textContent).toContain('[image not loaded: a cat]');
  });

  it('highlights fenced code with a language', () => {
    const code = dom(renderMarkdown('```python\ndef f(x):\n    return x\n```')).querySelector('pre > code');
    expect(code?.classList.contains('hljs')).toBe(true);
    expect(code?.querySelector('.hljs-keyword')?.textContent).toBe('def');
    expect(code?.textContent).toBe('def f(x):\n    return x\n');
  });

  it('shows code text exactly, tags included', () => {
    const code = dom(renderMarkdown('```html\n<script>alert(1)</script>\n```')).querySelector('pre > code');
    expect(code?.textContent).toBe('<script>alert(1)</script>\n');
  });

  it.each([
    ['$x^2$', 1, false],
    ['\\(x^2\\)', 1, false],
    ['$$\\frac{1}{2}$$', 1, true],
    ['\\[\\sqrt{2}\\]', 1, true],
    ['Euler: $e^{i\\pi}+1=0$ and $a+b$.', 2, false],
  ])('renders math in %s', (src, n, display) => {
    const d = dom(renderMarkdown(src as string));
    expect(d.querySelectorAll('.katex')).toHaveLength(n as number);
    expect(d.querySelector('.katex-display') !== null).toBe(display);
  });

  it.each([
    'It costs $5 and $10 in total.',
    'Between $ 3 and $ 4.',
    '`$x$` in code',
  ])('leaves %s as text', (src) => {
    const d = dom(renderMarkdown(src));
    expect(d.querySelector('.katex')).toBeNull();
  });

  it('shows invalid TeX as an error, not an exception', () => {
    const d = dom(renderMarkdown('$\\frac{1$'));
    expect(d.querySelector('.katex-error')?.textContent).toContain('\\frac{1');
  });

  it('handles empty input', () => {
    expect(renderMarkdown('')).toBe('');
  });
});

describe('renderMarkdownCached', () => {
  it('gives what renderMarkdown gives, sanitised, from the first call and from memory', () => {
    const src = 'Run `x` <img src=x onerror=alert(1)> and $a^2$\n\n```python\nprint(1)\n```';
    const first = renderMarkdownCached(src);
    expect(first).toBe(renderMarkdown(src));
    expect(first).not.toContain('onerror');
    expect(renderMarkdownCached(src)).toBe(first);
  });
});
