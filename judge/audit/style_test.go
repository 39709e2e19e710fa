package audit_test

import (
	"fmt"
	"math"
	"testing"

	"concord/judge/audit"
)

func TestStyle(t *testing.T) {
	tests := []struct {
		name string
		text string
		want audit.StyleFeatures
	}{
		{"plain", "Just text.", audit.StyleFeatures{Length: 10}},
		{"lists", "Items:\n- one\n* two\n  + three\n1. four\n12. five\n-not a list\n3.no", audit.StyleFeatures{Length: 62, Lists: 5}},
		{"headers and bold", "# Title\n## Sub\n #not\n**Bold** and __also__ and **x**", audit.StyleFeatures{Length: 52, Headers: 2, Bold: 3}},
		{"code excluded", "```python\n# comment\n- x = 1\n**y**\n```\n- real", audit.StyleFeatures{Length: 44, Lists: 1}},
		{"unclosed bold", "**open and ** closed **", audit.StyleFeatures{Length: 23, Bold: 1}},
		{"runes", "héllo", audit.StyleFeatures{Length: 5}},
	}
	for _, tt := range tests {
		if got := audit.Style(tt.text); got != tt.want {
			t.Errorf("%s: Style(%q) = %+v, want %+v", tt.name, tt.text, got, tt.want)
		}
	}
}

func ExampleStyle() {
	f := audit.Style("## Steps\n1. Mix\n2. **Bake**\n```\n# not a header\n```")
	fmt.Printf("%d chars, %d list items, %d header, %d bold\n", f.Length, f.Lists, f.Headers, f.Bold)
	// Output: 50 chars, 2 list items, 1 header, 1 bold
}

// styleRatings makes two models of equal quality whose scores rise with
// log(length) (2 points per e-fold) and list items (0.5 each), on top of a
// per-question difficulty; model "long" writes longer answers with lists.
func styleRatings(q int) []audit.Rating {
	var rs []audit.Rating
	for i := 1; i <= q; i++ {
		for _, m := range []string{"long", "short"} {
			f := audit.StyleFeatures{Length: 100 + 37*(i%7), Lists: i % 3}
			if m == "long" {
				f.Length = f.Length*3 + 11*(i%5)
				f.Lists += 1 + i%4
				f.Headers, f.Bold = i%2, (i/2)%3
			}
			score := 1 + float64(i%5) + 2*math.Log(float64(f.Length)) - 8 + 0.5*float64(f.Lists)
			rs = append(rs, audit.Rating{Judge: "j", Question: i, Category: "c", Model: m, Turn: 1, Score: score, Style: &f})
		}
	}
	return rs
}

func TestStyleRegression(t *testing.T) {
	rs := styleRatings(40)
	opt := audit.DefaultOptions()
	opt.Bootstrap = 100
	s := audit.StyleRegression(rs, opt)
	if s == nil {
		t.Fatal("StyleRegression = nil")
	}
	want := map[string]float64{"log_length": 2, "lists": 0.5, "headers": 0, "bold": 0}
	for _, c := range s.Coefficients {
		if math.Abs(float64(c.Value)-want[c.Name]) > 1e-9 || c.CI == nil {
			t.Errorf("coefficient %s = %v %v, want %v with an interval", c.Name, c.Value, c.CI, want[c.Name])
		}
	}
	byModel := map[string]*audit.StyleAdjusted{}
	var rawMean, adjMean float64
	for _, m := range s.Models {
		byModel[m.Model] = m
		rawMean += float64(m.Raw) / 2
		adjMean += float64(m.Adjusted.Value) / 2
	}
	long, short := byModel["long"], byModel["short"]
	if long.Raw <= short.Raw+1 {
		t.Errorf("raw scores long %v, short %v: want long well ahead", long.Raw, short.Raw)
	}
	if math.Abs(float64(long.Adjusted.Value-short.Adjusted.Value)) > 1e-9 {
		t.Errorf("adjusted scores long %v, short %v: want equal (same quality)", long.Adjusted.Value, short.Adjusted.Value)
	}
	if math.Abs(rawMean-adjMean) > 1e-9 {
		t.Errorf("mean adjusted %v != mean raw %v: want re-centred", adjMean, rawMean)
	}
	if s.Rows != 80 {
		t.Errorf("rows = %d, want 80", s.Rows)
	}
}

func TestStyleRegressionDegenerate(t *testing.T) {
	rs := styleRatings(40)
	for i := range rs {
		rs[i].Style = &audit.StyleFeatures{Length: 100, Bold: 1} // nothing varies
	}
	if s := audit.StyleRegression(rs, audit.DefaultOptions()); s != nil {
		t.Errorf("StyleRegression with constant features = %+v, want nil", s)
	}
	rs = styleRatings(40)
	for i := range rs {
		rs[i].Style.Bold = 1 // bold never varies: left out, its coefficient null
	}
	s := audit.StyleRegression(rs, audit.DefaultOptions())
	if s == nil || s.Coefficients[3].Value.Valid() || math.Abs(float64(s.Coefficients[0].Value)-2) > 1e-9 {
		t.Errorf("StyleRegression without bold = %+v, want bold null and log_length 2", s)
	}
	if s := audit.StyleRegression(rs[:4], audit.DefaultOptions()); s != nil {
		t.Error("StyleRegression on 4 ratings != nil")
	}
	for i := range rs {
		rs[i].Style = nil
	}
	if s := audit.StyleRegression(rs, audit.DefaultOptions()); s != nil {
		t.Error("StyleRegression without features != nil")
	}
}
