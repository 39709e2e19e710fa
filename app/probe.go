package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"concord/app/settings"
	"concord/judge"
	"concord/judge/audit"
	"concord/store"
)

// PaddedSuffix marks the pseudo-model of a verbosity probe's padded answers.
const PaddedSuffix = "~padded"

// ProbeRequest configures a judge experiment, from the window or the
// command line: the judge's own settings (as for a judge run) and the probe's.
type ProbeRequest struct {
	Kind string `json:"kind"` // store.ExperimentVerbosity, ExperimentReference, ExperimentPosition or ExperimentRepeat
	JudgeRequest
	Sample         int    `json:"sample"`         // items; default 23 (verbosity, as the MT-Bench paper) or 50 (repeat)
	Seed           uint64 `json:"seed"`           // which items are drawn
	RewriteModel   string `json:"rewriteModel"`   // verbosity: rephrase through this model; "" = the offline rewriter
	RewriteBaseURL string `json:"rewriteBaseUrl"` // default: the judge's base URL
	Truth          string `json:"truth"`          // reference: TruthNumber (default) or TruthHumans
	Labels         string `json:"labels"`         // position: the neutral names, "FIRST,SECOND" (default judge.DefaultNeutralLabels)
}

// probeSettings is an experiment's stored identity: running the same probe
// again finds it and resumes. It never holds the key.
type probeSettings struct {
	Model          string   `json:"model"`
	BaseURL        string   `json:"base_url"`
	Temperature    float32  `json:"temperature"`
	MaxTokens      int      `json:"max_tokens"`
	Prompt         string   `json:"prompt"`
	Sample         int      `json:"sample"`
	Seed           uint64   `json:"seed"`
	Models         []string `json:"models,omitempty"`
	Turns          []int    `json:"turns,omitempty"`
	Rewriter       string   `json:"rewriter,omitempty"`
	RewriteBaseURL string   `json:"rewrite_base_url,omitempty"`
	Truth          string   `json:"truth,omitempty"`       // reference: the rule that shows an answer wrong
	RefPrompts     []string `json:"ref_prompts,omitempty"` // reference: the reference-guided prompts (the other run's are plain)
	Labels         []string `json:"labels,omitempty"`      // position: the neutral names of the second run
}

// preparedProbe is a probe ready to run: its experiment and the judge run
// that fills it.
type preparedProbe struct {
	exp     store.Experiment
	items   []store.ExperimentItem
	created bool
	run     *preparedRun
}

// prepareProbe finds or creates the experiment req describes and plans the
// games still to judge.
func prepareProbe(ctx context.Context, st *store.Store, req ProbeRequest, getenv func(string) string) (*preparedProbe, error) {
	if req.Model == "" || req.BaseURL == "" {
		return nil, errors.New("probe: --base-url and --model are required (the judge's own settings)")
	}
	if req.Name == "" {
		req.Name = req.Model
	}
	if req.MaxTokens == 0 {
		req.MaxTokens = judge.DefaultMaxTokens
	}
	if req.Prompt == "" {
		req.Prompt = "concord"
	}
	if req.Sample <= 0 {
		req.Sample = map[string]int{store.ExperimentVerbosity: 23, store.ExperimentReference: 20, store.ExperimentPosition: 50, store.ExperimentRepeat: 50}[req.Kind]
	}
	ps := probeSettings{Model: req.Model, BaseURL: judge.SafeURL(req.BaseURL), Temperature: req.Temperature, MaxTokens: req.MaxTokens,
		Prompt: req.Prompt, Sample: req.Sample, Seed: req.Seed, Models: req.Models, Turns: req.Turns}
	switch req.Kind {
	case store.ExperimentVerbosity:
		ps.Rewriter = "offline"
		if req.RewriteModel != "" {
			ps.Rewriter, ps.RewriteBaseURL = req.RewriteModel, judge.SafeURL(cmpOr(req.RewriteBaseURL, req.BaseURL))
		}
	case store.ExperimentReference:
		switch req.Truth {
		case "":
			req.Truth = TruthNumber
		case TruthNumber, TruthHumans:
		default:
			return nil, fmt.Errorf("probe reference: --truth %q: want %s or %s", req.Truth, TruthNumber, TruthHumans)
		}
		ps.Truth = req.Truth
	case store.ExperimentPosition:
		names, err := parseLabels(req.Labels)
		if err != nil {
			return nil, fmt.Errorf("probe labels: %w", err)
		}
		ps.Labels = names[:]
	case store.ExperimentRepeat:
	default:
		return nil, fmt.Errorf("probe: unknown kind %q (want verbosity, reference, labels or repeat)", req.Kind)
	}
	set, err := resolveSet(ctx, st, req.Prompt)
	if err != nil {
		return nil, err
	}
	sets := []judge.PromptSet{set}
	if req.Kind == store.ExperimentReference {
		turns := req.Turns
		if len(turns) == 0 {
			turns = []int{1}
		}
		noRef, err := judge.WithoutReference(set, turns)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errNoRefPrompt, err)
		}
		for _, p := range []*judge.Prompt{set.RefTurn1, set.RefTurn2} {
			if p != nil {
				ps.RefPrompts = append(ps.RefPrompts, p.Name)
			}
		}
		sets = append(sets, noRef)
	}
	if req.Kind == store.ExperimentPosition {
		renamed, err := judge.RenameSetLabels(set, ps.Labels[0], ps.Labels[1])
		if err != nil {
			return nil, fmt.Errorf("probe labels: %w", err)
		}
		sets = append(sets, renamed)
	}
	b, _ := json.Marshal(ps)
	settingsJSON := string(b)
	key, _, err := settings.APIKey(getenv, req.APIKeyEnv)
	if err != nil {
		return nil, err
	}

	m, err := loadMaterial(ctx, st)
	if err != nil {
		return nil, err
	}

	pp := &preparedProbe{}
	exp, found, err := st.FindExperiment(ctx, req.Kind, req.Name, settingsJSON)
	if err != nil {
		return nil, err
	}
	if found {
		pp.exp = exp
		if pp.items, err = st.ExperimentItems(ctx, exp.ID); err != nil {
			return nil, err
		}
	} else {
		var items []store.ExperimentItem
		switch req.Kind {
		case store.ExperimentVerbosity:
			rw := judge.Rewriter(judge.OfflineRewriter{})
			if req.RewriteModel != "" {
				rw = &judge.ModelRewriter{APIKey: key, RPM: req.RPM, Client: judge.NewOpenAIClient(judge.ClientConfig{
					BaseURL: cmpOr(req.RewriteBaseURL, req.BaseURL), Model: req.RewriteModel, APIKey: key, MaxTokens: 2 * req.MaxTokens})}
			}
			items, err = verbosityItems(ctx, m.Answers, req, rw)
		case store.ExperimentReference:
			items, err = referenceItems(ctx, st, m, req, set)
		case store.ExperimentPosition:
			items, err = labelItems(m, req)
		case store.ExperimentRepeat:
			items, err = repeatItems(ctx, st, req)
		}
		if err != nil {
			return nil, err
		}
		if pp.exp, err = st.CreateExperiment(ctx, req.Kind, req.Name, settingsJSON, items); err != nil {
			return nil, err
		}
		pp.items, pp.created = items, true
	}

	sel := judge.Selection{}
	for _, it := range pp.items {
		sel.Units = append(sel.Units, judge.Unit{QuestionID: it.QuestionID, Model1: it.Model1, Model2: it.Model2, Turn: it.Turn})
		if it.Variant != "" && pp.exp.Kind == store.ExperimentVerbosity {
			var turns []string
			if err := json.Unmarshal([]byte(it.Variant), &turns); err != nil {
				return nil, fmt.Errorf("probe: experiment %d item q%d %s: %w", pp.exp.ID, it.QuestionID, it.Model2, err)
			}
			m.Answers = append(m.Answers, store.Answer{QuestionID: it.QuestionID, Model: it.Model2, Turns: turns})
		}
	}
	jr := req.JudgeRequest
	jr.Name = pp.exp.ProbeJudge
	pr, err := planRun(ctx, st, jr, m, sel, key, sets)
	if err != nil {
		return nil, err
	}
	pp.run = pr
	return pp, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// resolveSet resolves a --prompt value against the built-in and imported prompts.
func resolveSet(ctx context.Context, st *store.Store, name string) (judge.PromptSet, error) {
	imported, err := st.Prompts(ctx)
	if err != nil {
		return judge.PromptSet{}, err
	}
	lookup := func(name string) (judge.Prompt, bool, error) {
		for _, p := range imported {
			if p.Name == name && p.Type == "pairwise" {
				return judge.Prompt{Name: p.Name, System: p.SystemPrompt, Template: p.PromptTemplate}, true, nil
			}
		}
		return judge.Prompt{}, false, nil
	}
	return judge.ResolvePromptSet(name, lookup)
}

// planRun plans the tasks of sel over m with each of sets (the first is the
// judge's recorded set) for the judge req names (a probe judge), as
// prepareJudge does for a plain run.
func planRun(ctx context.Context, st *store.Store, req JudgeRequest, m judge.Material, sel judge.Selection, key string, sets []judge.PromptSet) (*preparedRun, error) {
	cfg := judge.Config{Name: req.Name, Model: req.Model, BaseURL: req.BaseURL, Temperature: req.Temperature,
		MaxTokens: req.MaxTokens, Concurrency: req.Concurrency, RPM: req.RPM, TPM: req.TPM,
		Timeout: time.Duration(req.TimeoutSec * float64(time.Second))}
	set := sets[0]
	var tasks []judge.Task
	skipped := map[string]int{}
	for _, s := range sets {
		ts, sk, err := judge.BuildTasks(m, sel, s)
		if err != nil {
			return nil, err
		}
		tasks = append(tasks, ts...)
		for k, n := range sk {
			skipped[k] += n
		}
	}
	if len(tasks) == 0 {
		return nil, fmt.Errorf("probe: nothing to judge (%v)", skipped)
	}
	pending, est, err := judge.Pending(ctx, st, cfg, set, tasks)
	if err != nil {
		return nil, err
	}
	est.Skipped = skipped
	pr := &preparedRun{cfg: cfg, set: set, pending: pending, key: key,
		plan: JudgePlan{Judge: cfg.Name, Model: cfg.Model, PromptSet: set.Name}}
	pr.plan.Estimate = judge.Estimated(est, pending, cfg.MaxTokens, cfg.Model, nil)
	return pr, nil
}

// verbosityItems draws up to req.Sample answers that hold a Markdown list
// (one turn per answer, seeded order) and pads each with rw.
func verbosityItems(ctx context.Context, answers []store.Answer, req ProbeRequest, rw judge.Rewriter) ([]store.ExperimentItem, error) {
	turns := req.Turns
	if len(turns) == 0 {
		turns = []int{1}
	}
	type cand struct {
		a    store.Answer
		turn int
	}
	var cands []cand
	for _, a := range answers {
		if len(req.Models) > 0 && !slices.Contains(req.Models, a.Model) {
			continue
		}
		for _, t := range turns {
			if t >= 1 && t <= len(a.Turns) && judge.HasList(a.Turns[t-1]) {
				cands = append(cands, cand{a, t})
				break // one turn per answer: the padded copy has one version
			}
		}
	}
	if len(cands) == 0 {
		return nil, errors.New("probe verbosity: no stored answer holds a Markdown list (import answers, or widen --models/--turns)")
	}
	rng := rand.New(rand.NewPCG(req.Seed, 0x5eb05e))
	rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	cands = cands[:min(req.Sample, len(cands))]
	items := make([]store.ExperimentItem, 0, len(cands))
	for _, c := range cands {
		padded, err := rw.Rewrite(ctx, c.a.Turns[c.turn-1])
		if err != nil {
			return nil, fmt.Errorf("probe verbosity: q%d %s turn %d: %w", c.a.QuestionID, c.a.Model, c.turn, err)
		}
		turns := slices.Clone(c.a.Turns)
		turns[c.turn-1] = padded
		b, _ := json.Marshal(turns)
		items = append(items, store.ExperimentItem{QuestionID: c.a.QuestionID, Model1: c.a.Model, Model2: c.a.Model + PaddedSuffix,
			Turn: c.turn, Variant: string(b)})
	}
	return items, nil
}

// repeatItems draws up to req.Sample units the judge already judged without
// error (seeded), to judge them again.
func repeatItems(ctx context.Context, st *store.Store, req ProbeRequest) ([]store.ExperimentItem, error) {
	vs, err := st.Verdicts(ctx, req.Name)
	if err != nil {
		return nil, err
	}
	var items []store.ExperimentItem
	for _, v := range vs {
		if v.Combined != "error" && v.Combined != "" {
			items = append(items, store.ExperimentItem{QuestionID: v.QuestionID, Model1: v.Model1, Model2: v.Model2, Turn: v.Turn})
		}
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("probe repeat: judge %q has no verdict to repeat (run it first, with the same --name)", req.Name)
	}
	items = slices.CompactFunc(items, func(a, b store.ExperimentItem) bool { return a == b })
	rng := rand.New(rand.NewPCG(req.Seed, 0x4e9ea7))
	rng.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	return items[:min(req.Sample, len(items))], nil
}

// experimentResult scores a stored experiment from its probe judge's verdicts
// (and, for repeat, the judge's own).
func experimentResult(ctx context.Context, st *store.Store, e store.Experiment, confidence float64) (*audit.Experiment, error) {
	items, err := st.ExperimentItems(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	switch e.Kind {
	case store.ExperimentReference:
		return referenceResult(ctx, st, e, items, confidence)
	case store.ExperimentPosition:
		return labelsResult(ctx, st, e, items, confidence)
	}
	type unit struct {
		q      int
		m1, m2 string
		t      int
	}
	byUnit := func(judgeName string) (map[unit]store.Verdict, error) {
		vs, err := st.Verdicts(ctx, judgeName)
		if err != nil {
			return nil, err
		}
		out := make(map[unit]store.Verdict, len(vs))
		for _, v := range vs {
			out[unit{v.QuestionID, v.Model1, v.Model2, v.Turn}] = v
		}
		return out, nil
	}
	probe, err := byUnit(e.ProbeJudge)
	if err != nil {
		return nil, err
	}
	var own map[unit]store.Verdict
	if e.Kind == store.ExperimentRepeat {
		if own, err = byUnit(e.Judge); err != nil {
			return nil, err
		}
	}
	combined := func(v store.Verdict, ok bool) audit.Label {
		if !ok {
			return audit.NoLabel
		}
		if l, err := audit.ParseLabel(v.Combined); err == nil && l != audit.NoLabel {
			return l
		}
		g1, g2 := gameLabel(v.G1), gameLabel(v.G2)
		if g1 == audit.NoLabel || g2 == audit.NoLabel {
			return audit.NoLabel
		}
		return audit.Combine(g1, g2)
	}
	games := make([]audit.ProbeGames, 0, len(items))
	for _, it := range items {
		k := unit{it.QuestionID, it.Model1, it.Model2, it.Turn}
		v, ok := probe[k]
		switch e.Kind {
		case store.ExperimentRepeat:
			o, ook := own[k]
			games = append(games, audit.ProbeGames{G1: combined(o, ook), G2: combined(v, ok)})
		default:
			var pg audit.ProbeGames
			if ok {
				pg = audit.ProbeGames{G1: gameLabel(v.G1), G2: gameLabel(v.G2)}
			}
			games = append(games, pg)
		}
	}
	return audit.ProbeResult(audit.Experiment{ID: e.ID, Kind: e.Kind, Judge: e.Judge, ProbeJudge: e.ProbeJudge, Settings: e.Settings},
		games, audit.Z(confidence))
}

// judgeExperiments scores every experiment on judge ("" for all).
func judgeExperiments(ctx context.Context, st *store.Store, judgeName string, confidence float64) ([]*audit.Experiment, error) {
	es, err := st.Experiments(ctx, judgeName)
	if err != nil {
		return nil, err
	}
	out := []*audit.Experiment{}
	for _, e := range es {
		r, err := experimentResult(ctx, st, e, confidence)
		if err != nil {
			return nil, fmt.Errorf("experiment %d: %w", e.ID, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// runProbe prepares the probe, runs its pending games (progress to
// onProgress, log lines to log) and scores it.
func runProbe(ctx context.Context, st *store.Store, req ProbeRequest, getenv func(string) string,
	onProgress func(judge.Progress), log func(string)) (*audit.Experiment, *preparedProbe, error) {
	pp, err := prepareProbe(ctx, st, req, getenv)
	if err != nil {
		return nil, nil, err
	}
	res, err := finishProbe(ctx, st, req, pp, onProgress, log)
	return res, pp, err
}

// finishProbe runs a prepared probe's pending games and scores it.
func finishProbe(ctx context.Context, st *store.Store, req ProbeRequest, pp *preparedProbe,
	onProgress func(judge.Progress), log func(string)) (*audit.Experiment, error) {
	if len(pp.run.pending) > 0 {
		r := pp.run.runner(st)
		r.OnProgress, r.Log = onProgress, log
		if _, err := r.Run(ctx, pp.run.pending); err != nil {
			return nil, fmt.Errorf("probe %s (experiment %d, resumable): %w", req.Kind, pp.exp.ID, err)
		}
	} else if onProgress != nil {
		onProgress(judge.Progress{Finished: true}) // nothing left to send: say so, so a progress view closes
	}
	return experimentResult(ctx, st, pp.exp, 0.95)
}

// EventProbeProgress carries a running probe's ProbeProgress, as often as the
// judge run's judge:progress (about 4 times a second), and once finished.
const EventProbeProgress = "probe:progress"

// ProbeProgress is a probe's progress: which experiment, and its judge run's
// counters.
type ProbeProgress struct {
	Kind       string         `json:"kind"`
	ProbeJudge string         `json:"probeJudge"`
	Progress   judge.Progress `json:"progress"`
}

// Probe runs a judge experiment to its end and returns its result; its
// progress goes out as probe:progress events.
func (a *App) Probe(req ProbeRequest) (*audit.Experiment, error) {
	var name string
	onProgress := func(p judge.Progress) {
		a.emit(EventProbeProgress, ProbeProgress{Kind: req.Kind, ProbeJudge: name, Progress: p})
	}
	pp, err := prepareProbe(a.ctx, a.store, req, os.Getenv)
	if err != nil {
		return nil, err
	}
	name = pp.exp.ProbeJudge
	return finishProbe(a.ctx, a.store, req, pp, onProgress, nil)
}

// Experiments lists the scored experiments on a judge ("" for all).
func (a *App) Experiments(judgeName string) ([]*audit.Experiment, error) {
	return judgeExperiments(a.ctx, a.store, judgeName, 0.95)
}
