package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// PackageFormat is the layout of study packages this build writes; a
// package of a later format is refused on import.
const PackageFormat = 1

// PackageExt is the file extension of a study package.
const PackageExt = ".concord"

// Keys of the meta table: the database's identity, and in a package, what
// it is a package of.
const (
	metaDBID             = "db_id"
	metaPackageID        = "package_id"
	metaPackageFormat    = "package_format"
	metaPackageStudy     = "package_study_id"
	metaPackageLeadDB    = "package_lead_db"
	metaPackageAnnotator = "package_annotator"
	metaPackageDigest    = "package_digest"
	metaAnnotator        = "annotator"
)

// packageStudyID is the id of the one study inside a package.
const packageStudyID = 1

// PackOptions says who gets a package and what goes in it.
type PackOptions struct {
	// Annotators get one package each.
	Annotators []string `json:"annotators"`
	// Overlap is how many annotators get each item; 0 means all of them.
	Overlap int `json:"overlap"`
	// Gold is the number of gold items added to each package.
	Gold int `json:"gold"`
	// Seed drives the assignment, aliases and gold items.
	Seed int64 `json:"seed"`
	// OutDir is the folder the packages are written to.
	OutDir string `json:"out_dir"`
}

// PackedPackage is one package written.
type PackedPackage struct {
	ID        string `json:"id"`
	Annotator string `json:"annotator"`
	Path      string `json:"path"`
	Items     int    `json:"items"`
	Gold      int    `json:"gold"`
	Bytes     int64  `json:"bytes"`
}

// PackResult lists the packages of a study written by PackStudy.
type PackResult struct {
	StudyID  int64           `json:"study_id"`
	Study    string          `json:"study"`
	Packages []PackedPackage `json:"packages"`
}

// pkgItem is an item as a package holds it: aliases, not models.
type pkgItem struct {
	qid   int
	a, b  string // aliases, a < b
	turns []int
	left  string
}

// aliasRow maps an alias to a model (or to a gold item's broken answer).
type aliasRow struct {
	alias, model string
	gold         bool
}

// goldRow is a gold item: the good alias's answer is the right choice.
type goldRow struct {
	qid       int
	good, bad string
	kind      string
	badTurns  []string
}

// pkgPlan is everything one package will hold, before it is written.
type pkgPlan struct {
	id, secret, annotator, path string
	aliases                     []aliasRow
	items                       []pkgItem
	gold                        []goldRow
	studyItems                  int
	answers                     map[pkgAnswerKey][]string
	questions                   map[int]bool
}

type pkgAnswerKey struct {
	qid   int
	alias string
}

// PackStudy writes one package per annotator into opts.OutDir, named
// STUDY-ANNOTATOR.concord: a Concord database holding only that annotator's
// items, under model aliases, with their order and left/right placement
// fixed, and records in this database what the packages must not hold (the
// aliases' models, each package's digest secret, the gold items' answers).
// Nothing is recorded, and no file is left, unless every package is written.
func (s *Store) PackStudy(ctx context.Context, studyID int64, opts PackOptions) (*PackResult, error) {
	fail := func(err error) (*PackResult, error) { return nil, fmt.Errorf("pack study %d: %w", studyID, err) }
	names, err := packAnnotators(opts.Annotators)
	if err != nil {
		return fail(err)
	}
	k := opts.Overlap
	if k == 0 {
		k = len(names)
	}
	if k < 1 || k > len(names) {
		return fail(fmt.Errorf("overlap %d: want 1 to %d (the number of annotators)", opts.Overlap, len(names)))
	}
	if opts.Gold < 0 {
		return fail(fmt.Errorf("gold %d: want 0 or more", opts.Gold))
	}
	if opts.OutDir == "" {
		return fail(errors.New("no output folder"))
	}
	st, err := s.Study(ctx, studyID)
	if err != nil {
		return fail(err)
	}
	items, err := s.StudyItems(ctx, studyID)
	if err != nil {
		return fail(err)
	}
	for _, n := range names {
		var made string
		err := s.read.QueryRowContext(ctx, `SELECT created_at FROM study_packages WHERE study_id = ? AND annotator = ?`, studyID, n).Scan(&made)
		if err == nil {
			return fail(fmt.Errorf("%s already has a package of study %q (made %s)", n, st.Name, made))
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fail(err)
		}
	}
	dbID, err := s.DatabaseID(ctx)
	if err != nil {
		return fail(err)
	}
	answers, err := s.Answers(ctx)
	if err != nil {
		return fail(err)
	}
	ans := map[pkgAnswerKey][]string{}
	for _, a := range answers {
		ans[pkgAnswerKey{a.QuestionID, a.Model}] = a.Turns
	}
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return fail(err)
	}
	rng := mrand.New(mrand.NewPCG(uint64(opts.Seed), uint64(studyID)))
	assigned := assignItems(len(items), len(names), k, rng)
	plans := make([]*pkgPlan, len(names))
	for i, name := range names {
		sub := make([]StudyItem, len(assigned[i]))
		for j, x := range assigned[i] {
			sub[j] = items[x]
		}
		p, err := planPackage(st, name, sub, items, ans, opts.Gold, rng)
		if err != nil {
			return fail(err)
		}
		p.path = filepath.Join(opts.OutDir, packageFileName(st.Name, name))
		if _, err := os.Stat(p.path); err == nil {
			return fail(fmt.Errorf("%s exists; move it away first", p.path))
		}
		plans[i] = p
	}
	res := &PackResult{StudyID: studyID, Study: st.Name}
	var written []string
	cleanup := func() {
		for _, f := range written {
			os.Remove(f)
		}
	}
	digests := make([]string, len(plans))
	for i, p := range plans {
		digest, size, err := s.writePackage(ctx, st, dbID, p)
		if err != nil {
			cleanup()
			return fail(fmt.Errorf("write %s: %w", p.path, err))
		}
		written = append(written, p.path)
		digests[i] = digest
		res.Packages = append(res.Packages, PackedPackage{ID: p.id, Annotator: p.annotator, Path: p.path, Items: p.studyItems, Gold: len(p.gold), Bytes: size})
	}
	now := s.Now().UTC().Format(time.RFC3339Nano)
	err = s.Write(ctx, func(tx *sql.Tx) error {
		for i, p := range plans {
			if _, err := tx.ExecContext(ctx, `INSERT INTO study_packages(id, study_id, annotator, secret, digest, items, gold, file, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.id, studyID, p.annotator, p.secret, digests[i], p.studyItems, len(p.gold), p.path, now); err != nil {
				return err
			}
			for _, a := range p.aliases {
				if _, err := tx.ExecContext(ctx, `INSERT INTO study_package_aliases(package_id, alias, model, gold) VALUES (?, ?, ?, ?)`, p.id, a.alias, a.model, a.gold); err != nil {
					return err
				}
			}
			for _, g := range p.gold {
				if _, err := tx.ExecContext(ctx, `INSERT INTO study_package_gold(package_id, question_id, good_alias, bad_alias, kind) VALUES (?, ?, ?, ?, ?)`,
					p.id, g.qid, g.good, g.bad, g.kind); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		cleanup()
		return fail(err)
	}
	return res, nil
}

// DatabaseID returns the database's random identity (made by migration 0006).
func (s *Store) DatabaseID(ctx context.Context) (string, error) {
	var id string
	if err := s.read.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, metaDBID).Scan(&id); err != nil {
		return "", fmt.Errorf("database id: %w", err)
	}
	return id, nil
}

func packAnnotators(in []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, n := range in {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if seen[n] {
			return nil, fmt.Errorf("annotator %q named twice", n)
		}
		seen[n] = true
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, errors.New("name at least one annotator")
	}
	return out, nil
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// packageFileName is STUDY-ANNOTATOR.concord with anything but letters,
// digits, dot, dash and underscore replaced by "_".
func packageFileName(study, annotator string) string {
	clean := func(s string) string { return strings.Trim(unsafeFileChars.ReplaceAllString(s, "_"), "._") }
	return clean(study) + "-" + clean(annotator) + PackageExt
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// planPackage decides one annotator's package: aliases for the models (and
// for each gold item's broken answer) in a random numbering, the items in
// the annotator's order with their placement (BuildQueue over the items
// given to them), and the gold items at random places in that order.
func planPackage(st *Study, annotator string, sub, all []StudyItem, ans map[pkgAnswerKey][]string, nGold int, rng *mrand.Rand) (*pkgPlan, error) {
	p := &pkgPlan{id: randomHex(16), secret: randomHex(32), annotator: annotator, studyItems: len(sub),
		answers: map[pkgAnswerKey][]string{}, questions: map[int]bool{}}
	type goldPick struct {
		it     StudyItem
		model  string
		kind   string
		broken []string
	}
	var golds []goldPick
	for g := 0; g < nGold && len(all) > 0; g++ {
		it := all[rng.IntN(len(all))]
		m := it.ModelA
		if rng.IntN(2) == 1 {
			m = it.ModelB
		}
		real := ans[pkgAnswerKey{it.QuestionID, m}]
		kind, broken := "truncated", truncatedAnswer(real)
		if g%2 == 1 || broken == nil {
			kind, broken = "other_question", otherAnswer(it, m, real, all, ans, rng)
		}
		if broken == nil {
			kind, broken = "truncated", truncatedAnswer(real)
		}
		if broken == nil {
			return nil, fmt.Errorf("gold item from question %d: no answer to break", it.QuestionID)
		}
		golds = append(golds, goldPick{it, m, kind, broken})
	}
	models := map[string]bool{}
	for _, it := range sub {
		models[it.ModelA], models[it.ModelB] = true, true
	}
	for _, g := range golds {
		models[g.model] = true
	}
	sorted := make([]string, 0, len(models))
	for m := range models {
		sorted = append(sorted, m)
	}
	sort.Strings(sorted)
	numbers := rng.Perm(len(sorted) + len(golds))
	alias := map[string]string{}
	for i, m := range sorted {
		alias[m] = "m" + strconv.Itoa(numbers[i]+1)
		p.aliases = append(p.aliases, aliasRow{alias: alias[m], model: m})
	}
	for i := range golds {
		p.aliases = append(p.aliases, aliasRow{alias: "m" + strconv.Itoa(numbers[len(sorted)+i]+1), gold: true})
	}
	toItem := func(qid int, a, b string, turns []int, left string) pkgItem {
		if b < a {
			a, b = b, a
		}
		p.questions[qid] = true
		return pkgItem{qid: qid, a: a, b: b, turns: turns, left: left}
	}
	for _, e := range BuildQueue(sub, st.Seed, annotator) {
		for _, m := range []string{e.ModelA, e.ModelB} {
			t, ok := ans[pkgAnswerKey{e.QuestionID, m}]
			if !ok {
				return nil, fmt.Errorf("question %d has no answer from %s", e.QuestionID, m)
			}
			p.answers[pkgAnswerKey{e.QuestionID, alias[m]}] = t
		}
		p.items = append(p.items, toItem(e.QuestionID, alias[e.ModelA], alias[e.ModelB], e.Turns, alias[e.Left]))
	}
	for i, g := range golds {
		good, bad := alias[g.model], p.aliases[len(sorted)+i].alias
		p.answers[pkgAnswerKey{g.it.QuestionID, good}] = ans[pkgAnswerKey{g.it.QuestionID, g.model}]
		p.answers[pkgAnswerKey{g.it.QuestionID, bad}] = g.broken
		left := good
		if rng.IntN(2) == 1 {
			left = bad
		}
		at := rng.IntN(len(p.items) + 1)
		p.items = append(p.items[:at], append([]pkgItem{toItem(g.it.QuestionID, good, bad, g.it.Turns, left)}, p.items[at:]...)...)
		p.gold = append(p.gold, goldRow{qid: g.it.QuestionID, good: good, bad: bad, kind: g.kind, badTurns: g.broken})
	}
	return p, nil
}

var sentenceEnd = regexp.MustCompile(`[.!?](\s|$)|\n`)

// truncatedAnswer cuts each turn of an answer to its first sentence; nil
// when that changes no turn.
func truncatedAnswer(turns []string) []string {
	out := make([]string, len(turns))
	changed := false
	for i, t := range turns {
		t = strings.TrimSpace(t)
		cut := t
		if loc := sentenceEnd.FindStringIndex(t); loc != nil {
			cut = strings.TrimSpace(t[:loc[0]+1])
		}
		if cut != t && cut != "" {
			changed = true
		} else {
			cut = t
		}
		out[i] = cut
	}
	if !changed {
		return nil
	}
	return out
}

// otherAnswer is the same model's answer to another question of the study,
// with as many turns as the real answer; nil when there is none.
func otherAnswer(it StudyItem, model string, real []string, all []StudyItem, ans map[pkgAnswerKey][]string, rng *mrand.Rand) []string {
	start := rng.IntN(len(all))
	for i := range all {
		o := all[(start+i)%len(all)]
		if o.QuestionID == it.QuestionID {
			continue
		}
		if t, ok := ans[pkgAnswerKey{o.QuestionID, model}]; ok && len(t) >= len(real) {
			return append([]string(nil), t[:len(real)]...)
		}
	}
	return nil
}

// writePackage writes a plan to a new database next to its path, signs it,
// compacts it (checkpointed, journal off, vacuumed: no deleted text lingers)
// and moves it into place; it returns the digest and the file's size.
func (s *Store) writePackage(ctx context.Context, st *Study, dbID string, p *pkgPlan) (string, int64, error) {
	tmp := p.path + ".part"
	os.Remove(tmp)
	ok := false
	defer func() {
		if !ok {
			os.Remove(tmp)
			os.Remove(tmp + "-wal")
			os.Remove(tmp + "-shm")
		}
	}()
	pk, err := Open(tmp, WithAppVersion(s.appVersion))
	if err != nil {
		return "", 0, err
	}
	defer pk.Close()
	qs, err := s.Questions(ctx)
	if err != nil {
		return "", 0, err
	}
	var refs []Reference
	if st.ShowReference {
		if refs, err = s.References(ctx); err != nil {
			return "", 0, err
		}
	}
	spec := StudySpec{Name: st.Name, Instructions: st.Instructions, Seed: st.Seed, ShowReference: st.ShowReference}
	specJSON, _ := json.Marshal(spec)
	now := s.Now().UTC().Format(time.RFC3339Nano)
	err = pk.Write(ctx, func(tx *sql.Tx) error {
		exec := func(q string, args ...any) error {
			_, err := tx.ExecContext(ctx, q, args...)
			return err
		}
		for k, v := range map[string]string{metaPackageID: p.id, metaPackageFormat: strconv.Itoa(PackageFormat),
			metaPackageStudy: strconv.FormatInt(st.ID, 10), metaPackageLeadDB: dbID, metaPackageAnnotator: p.annotator, metaAnnotator: p.annotator} {
			if err := exec(`INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)`, k, v); err != nil {
				return err
			}
		}
		if err := exec(`INSERT INTO annotators(name, grp) VALUES (?, ?)`, p.annotator, LocalGroup); err != nil {
			return err
		}
		cats := map[int]string{}
		for _, q := range qs {
			if !p.questions[q.ID] {
				continue
			}
			cats[q.ID] = q.Category
			var ref any
			if st.ShowReference && len(q.Reference) > 0 {
				ref = mustJSON(q.Reference)
			}
			if err := exec(`INSERT INTO questions(question_id, key, category, turns, reference, source, content_hash) VALUES (?, ?, ?, ?, ?, '', ?)`,
				q.ID, q.Key, q.Category, mustJSON(q.Turns), ref, contentHash(q.ID, q.Category, q.Turns, q.Reference)); err != nil {
				return err
			}
		}
		for _, r := range refs {
			if p.questions[r.QuestionID] && referenceCategories[cats[r.QuestionID]] {
				if err := exec(`INSERT OR IGNORE INTO reference_answers(question_id, model, turns, content_hash) VALUES (?, 'reference', ?, ?)`,
					r.QuestionID, mustJSON(r.Turns), contentHash(r.QuestionID, r.Turns)); err != nil {
					return err
				}
			}
		}
		ids := map[string]int64{}
		aliases := append([]aliasRow(nil), p.aliases...)
		sort.Slice(aliases, func(i, j int) bool { return aliasNumber(aliases[i].alias) < aliasNumber(aliases[j].alias) })
		for i, a := range aliases {
			ids[a.alias] = int64(i + 1)
			if err := exec(`INSERT INTO models(id, name) VALUES (?, ?)`, i+1, a.alias); err != nil {
				return err
			}
		}
		keys := make([]pkgAnswerKey, 0, len(p.answers))
		for k := range p.answers {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if keys[i].qid != keys[j].qid {
				return keys[i].qid < keys[j].qid
			}
			return ids[keys[i].alias] < ids[keys[j].alias]
		})
		for _, k := range keys {
			t := p.answers[k]
			if err := exec(`INSERT INTO answers(question_id, model_id, turns, answer_id, source, content_hash) VALUES (?, ?, ?, '', '', ?)`,
				k.qid, ids[k.alias], mustJSON(t), contentHash(k.qid, t)); err != nil {
				return err
			}
		}
		if err := exec(`INSERT INTO studies(id, name, instructions, spec, seed, show_reference, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			packageStudyID, st.Name, st.Instructions, string(specJSON), st.Seed, st.ShowReference, now); err != nil {
			return err
		}
		for ord, it := range p.items {
			if err := exec(`INSERT INTO study_items(study_id, pos, question_id, model_a, model_b, turns) VALUES (?, ?, ?, ?, ?, ?)`,
				packageStudyID, ord, it.qid, it.a, it.b, joinInts(it.turns)); err != nil {
				return err
			}
			if err := exec(`INSERT INTO study_queue(study_id, ord, pos, left_model) VALUES (?, ?, ?, ?)`, packageStudyID, ord, ord, it.left); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return "", 0, err
	}
	digest, err := packageDigest(ctx, pk.read, p.secret)
	if err != nil {
		return "", 0, err
	}
	if err := pk.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)`, metaPackageDigest, digest)
		return err
	}); err != nil {
		return "", 0, err
	}
	// Only the writer may be open to leave WAL mode.
	if err := pk.read.Close(); err != nil {
		return "", 0, err
	}
	if _, err := pk.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE; VACUUM`); err != nil {
		return "", 0, fmt.Errorf("compact: %w", err)
	}
	if err := pk.Close(); err != nil {
		return "", 0, err
	}
	if err := os.Rename(tmp, p.path); err != nil {
		return "", 0, err
	}
	ok = true
	fi, err := os.Stat(p.path)
	if err != nil {
		return "", 0, err
	}
	return digest, fi.Size(), nil
}

// aliasNumber is N of alias "mN".
func aliasNumber(alias string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(alias, "m"))
	return n
}
