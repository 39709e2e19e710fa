// Markdown samples for the dev-only page /dev/markdown.html.
export const samples: [string, string][] = [
    [
      'A typical answer',
      `Here is a **short** answer with a list:\n\n1. First point, with \`inline code\`\n2. Second point, with a [link](https://example.org)\n\n> A quotation.\n\n\`\`\`python\ndef fib(n: int) -> int:\n    """Return the n-th Fibonacci number."""\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n\`\`\`\n\n| model | wins |\n|---|---:|\n| demo-aurora | 12 |\n| demo-basalt | 9 |`,
    ],
    [
      'Math',
      'The roots of $ax^2+bx+c=0$ are\n\n$$x = \\frac{-b \\pm \\sqrt{b^2-4ac}}{2a}$$\n\nand \\(e^{i\\pi}+1=0\\). It costs $5 and $10.',
    ],
    [
      'Hostile',
      '<script>window.go.app.App.Import(["/"])</script><img src=x onerror="alert(1)"> [click](javascript:alert(1)) ![remote](http://evil.example/a.png) <iframe src="http://evil.example"></iframe><svg onload=alert(1)></svg><div style="background:url(http://evil.example/a.png)" class="toast error">styled?</div><form action="http://evil.example"><button>submit</button></form>',
    ],
  ];
