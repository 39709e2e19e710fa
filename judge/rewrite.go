package judge

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// listItem matches a Markdown list item's first line: indentation, a bullet
// (-, * or +) or a number followed by . or ), a space, then the item's text.
var listItem = regexp.MustCompile(`^([ \t]*)([-*+]|\d{1,9}[.)])[ \t]+(.*)$`)

// fence matches the opening or closing line of a fenced code block.
var fence = regexp.MustCompile("^[ \t]*(```|~~~)")

// ListBlock is the first Markdown list of a text: lines [Start, End) of the
// text split on "\n".
type ListBlock struct {
	Start, End int
}

// FindList returns the first list of text outside fenced code: a run of item
// lines with their indented continuation lines (nested items, code inside an
// item), blank lines within it included; ok is false when text has no list.
func FindList(text string) (b ListBlock, ok bool) {
	lines := strings.Split(text, "\n")
	inFence := false
	start := -1
	for i, l := range lines {
		if start < 0 {
			if fence.MatchString(l) {
				inFence = !inFence
				continue
			}
			if !inFence && listItem.MatchString(l) {
				start = i
			}
			continue
		}
		// Inside the list: fences opened by an item's continuation belong to it.
		if inFence {
			if fence.MatchString(l) {
				inFence = false
			}
			continue
		}
		switch {
		case fence.MatchString(l) && (l[0] == ' ' || l[0] == '\t'):
			inFence = true
		case listItem.MatchString(l), strings.TrimSpace(l) == "", l[0] == ' ' || l[0] == '\t':
		default:
			return ListBlock{start, trimBlank(lines, start, i)}, true
		}
	}
	if start < 0 {
		return b, false
	}
	return ListBlock{start, trimBlank(lines, start, len(lines))}, true
}

// trimBlank moves end back over trailing blank lines, not before start+1.
func trimBlank(lines []string, start, end int) int {
	for end > start+1 && strings.TrimSpace(lines[end-1]) == "" {
		end--
	}
	return end
}

// HasList reports whether text holds a Markdown list outside fenced code.
func HasList(text string) bool {
	_, ok := FindList(text)
	return ok
}

// RestateLeadIn is the offline rewriter's fixed lead-in for each restated item.
const RestateLeadIn = "To put it another way: "

// Restate rewrites a list block's lines deterministically: each item keeps
// its indentation and marker and gains RestateLeadIn before its text; every
// other line (continuations, nested code) is kept as it is. Lines inside a
// fenced block are never taken for items.
func Restate(lines []string) []string {
	out := make([]string, len(lines))
	inFence := false
	for i, l := range lines {
		out[i] = l
		if fence.MatchString(l) {
			inFence = !inFence
			continue
		}
		if m := listItem.FindStringSubmatch(l); m != nil && !inFence {
			out[i] = m[1] + m[2] + " " + RestateLeadIn + m[3]
		}
	}
	return out
}

// Pad returns text with restated (the list's items rephrased, as lines)
// inserted before its first list, separated by a blank line: the MT-Bench
// paper's "repetitive list" attack. ok is false when text has no list.
func Pad(text string, restated []string) (padded string, ok bool) {
	b, ok := FindList(text)
	if !ok {
		return text, false
	}
	lines := strings.Split(text, "\n")
	out := append([]string{}, lines[:b.Start]...)
	out = append(out, restated...)
	out = append(out, "")
	out = append(out, lines[b.Start:]...)
	return strings.Join(out, "\n"), true
}

// Rewriter makes the padded copy of an answer that holds a list.
type Rewriter interface {
	// Rewrite returns text with its first list's items rephrased and added
	// before the list.
	Rewrite(ctx context.Context, text string) (string, error)
}

// ErrNoList is a Rewriter's answer for a text without a list.
var ErrNoList = errors.New("the answer has no Markdown list")

// OfflineRewriter restates each item with RestateLeadIn: deterministic, for
// tests and when no rewriting model is named.
type OfflineRewriter struct{}

// Rewrite implements Rewriter.
func (OfflineRewriter) Rewrite(_ context.Context, text string) (string, error) {
	b, ok := FindList(text)
	if !ok {
		return "", ErrNoList
	}
	lines := strings.Split(text, "\n")
	padded, _ := Pad(text, Restate(lines[b.Start:b.End]))
	return padded, nil
}

// rewritePrompt asks a model to rephrase a list without adding anything.
const rewritePrompt = "Rephrase each item of the Markdown list you are given in other words. Keep the same items in the same " +
	"order, the same list markers and nesting, and any code unchanged. Add no new information, no introduction and no " +
	"conclusion. Reply with the rephrased list only."

// ModelRewriter rephrases the list through an OpenAI-compatible model (the
// judge's client and key hygiene); its replies are scrubbed of APIKey.
type ModelRewriter struct {
	Client Completer
	APIKey string
	RPM    int // requests per minute; 0: no limit
	rpm    *limiter
}

// Rewrite implements Rewriter.
func (r *ModelRewriter) Rewrite(ctx context.Context, text string) (string, error) {
	b, ok := FindList(text)
	if !ok {
		return "", ErrNoList
	}
	if r.rpm == nil && r.RPM > 0 {
		r.rpm = newLimiter(float64(r.RPM), 1)
	}
	if err := r.rpm.Wait(ctx, 1); err != nil {
		return "", err
	}
	lines := strings.Split(text, "\n")
	c, err := r.Client.Complete(ctx, rewritePrompt, strings.Join(lines[b.Start:b.End], "\n"))
	if err != nil {
		return "", fmt.Errorf("rewrite: %s", scrubError(err.Error(), r.APIKey))
	}
	reply := strings.TrimSpace(Scrub(c.Text, r.APIKey))
	if reply == "" {
		return "", errors.New("rewrite: the rewriting model replied with nothing")
	}
	padded, _ := Pad(text, strings.Split(reply, "\n"))
	return padded, nil
}
