package judge

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"concord/store/outcome"
)

// Label is a parsed verdict in presentation terms.
type Label string

// Verdict labels as the judge writes them: A (shown first), B (shown second), C (tie).
const (
	LabelA Label = "A"
	LabelB Label = "B"
	LabelC Label = "C"
)

// Parse errors. Both are kept with the raw output, count as errors (never as
// ties) and are retried when the run is resumed.
var (
	ErrNoVerdict        = errors.New("no verdict [[A]], [[B]] or [[C]] in the output")
	ErrAmbiguousVerdict = errors.New("output ends with conflicting verdicts")
)

var verdictTokens = []string{"[[A]]", "[[B]]", "[[C]]"}

// ParseVerdict extracts the verdict from a judge's output.
//
// The rule, exactly: the tokens are the literal strings "[[A]]", "[[B]]" and
// "[[C]]" (case-sensitive, no inner spaces). The verdict is the last token in
// the output. The output is ambiguous, and an error, when the line holding
// that last token (the text between the surrounding newlines) holds a
// different token too, e.g. "[[A]] or [[B]]", "[[A]]/[[B]]", or an echo of the
// instructions such as `"[[A]]" if A is better, "[[B]]" if B is better`.
// Different tokens on earlier lines are reasoning and are ignored; a
// repetition of the same token on the last line ("[[A]] [[A]]") is fine. An
// output with no token is ErrNoVerdict.
func ParseVerdict(output string) (Label, error) { return parseVerdictTokens(output, verdictTokens) }

// parseVerdictTokens is ParseVerdict with the tokens of the first answer, the
// second and a tie (a prompt with renamed labels asks for its own).
func parseVerdictTokens(output string, verdictTokens []string) (Label, error) {
	last, pos := "", -1
	for _, t := range verdictTokens {
		if i := strings.LastIndex(output, t); i > pos {
			last, pos = t, i
		}
	}
	if pos < 0 {
		return "", ErrNoVerdict
	}
	start := strings.LastIndexByte(output[:pos], '\n') + 1
	end := len(output)
	if i := strings.IndexByte(output[pos:], '\n'); i >= 0 {
		end = pos + i
	}
	line := output[start:end]
	for _, t := range verdictTokens {
		if t != last && strings.Contains(line, t) {
			return "", fmt.Errorf("%w: %s and %s on the last verdict line", ErrAmbiguousVerdict, t, last)
		}
	}
	return []Label{LabelA, LabelB, LabelC}[slices.Index(verdictTokens, last)], nil
}

// Winner translates a label into model terms for a game: in game 1 model_1 is
// shown as A, in game 2 model_2 is. It returns "model_1", "model_2" or "tie".
func Winner(l Label, game int) string {
	w := outcome.Second
	switch l {
	case LabelC:
		w = outcome.Tie
	case LabelA:
		w = outcome.First // the model shown first
	}
	if game != 1 {
		w = w.Swap() // game 2 shows model_2 first
	}
	return w.Game()
}
