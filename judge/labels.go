package judge

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// DefaultNeutralLabels are the two names the label control gives the
// assistants instead of A and B: ordinary words with no order in them.
var DefaultNeutralLabels = [2]string{"Kestrel", "Heron"}

// labelLetter matches a standalone capital A or B.
var labelLetter = regexp.MustCompile(`\b[AB]\b`)

// RenameLabels returns p with the assistants' labels A and B renamed to first
// and second everywhere in its system prompt and template, its verdict tokens
// [[A]] and [[B]] with them ([[C]] stays the tie), and its name suffixed
// "~first-second" (so its games never mix with p's). The article "A" opening
// a phrase ("A longer answer ...") is kept: a capital A followed by a
// lower-case word is a label only before "and B" or "or B".
func RenameLabels(p Prompt, first, second string) (Prompt, error) {
	for _, n := range []string{first, second} {
		if n == "" || strings.ContainsFunc(n, func(r rune) bool { return !unicode.IsLetter(r) }) || n == "A" || n == "B" || n == "C" {
			return Prompt{}, fmt.Errorf("label %q: want a word of letters other than A, B and C", n)
		}
	}
	if first == second {
		return Prompt{}, fmt.Errorf("labels %q and %q: want two different names", first, second)
	}
	rename := func(s string) string {
		s = strings.NewReplacer("[[A]]", "[["+first+"]]", "[[B]]", "[["+second+"]]").Replace(s)
		var b strings.Builder
		last := 0
		for _, m := range labelLetter.FindAllStringIndex(s, -1) {
			rest := s[m[1]:]
			if s[m[0]] == 'A' && len(rest) >= 2 && rest[0] == ' ' && unicode.IsLower(rune(rest[1])) &&
				!strings.HasPrefix(rest, " and B") && !strings.HasPrefix(rest, " or B") {
				continue // the article
			}
			b.WriteString(s[last:m[0]])
			b.WriteString(map[byte]string{'A': first, 'B': second}[s[m[0]]])
			last = m[1]
		}
		b.WriteString(s[last:])
		return b.String()
	}
	out := p
	out.Name = fmt.Sprintf("%s~%s-%s", p.Name, first, second)
	out.System, out.Template = rename(p.System), rename(p.Template)
	out.Verdicts = [3]string{"[[" + first + "]]", "[[" + second + "]]", "[[C]]"}
	return out, nil
}

// RenameSetLabels applies RenameLabels to every prompt of set.
func RenameSetLabels(set PromptSet, first, second string) (PromptSet, error) {
	out := set
	out.Name = fmt.Sprintf("%s~%s-%s", set.Name, first, second)
	for _, pp := range []**Prompt{&out.Turn1, &out.Turn2, &out.RefTurn1, &out.RefTurn2} {
		if *pp == nil {
			continue
		}
		r, err := RenameLabels(**pp, first, second)
		if err != nil {
			return PromptSet{}, err
		}
		*pp = &r
	}
	return out, nil
}
