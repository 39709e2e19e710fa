package app

import (
	"fmt"
	"io"
	"sync"
)

// statusLine is a status line redrawn in place on a terminal's Stderr;
// nil (when the output is piped) draws nothing, so commands stay quiet in scripts.
type statusLine struct {
	mu sync.Mutex
	w  io.Writer
}

// progress returns a status line when Stdout is a terminal and want is set, else nil.
func (c *cli) progress(want bool) *statusLine {
	if !want || !c.env.IsTerminal {
		return nil
	}
	return &statusLine{w: c.env.Stderr}
}

// show redraws the line.
func (p *statusLine) show(format string, args ...any) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r\033[K"+format, args...)
}

// clear erases the line.
func (p *statusLine) clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.w, "\r\033[K")
}
