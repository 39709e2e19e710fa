package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Info summarises what a database holds.
type Info struct {
	DBPath        string         `json:"db_path"`
	Questions     int            `json:"questions"`
	Models        int            `json:"models"`
	Answers       int            `json:"answers"`
	HumanVotes    int            `json:"human_votes"`
	Annotators    int            `json:"annotators"`
	JudgeVerdicts map[string]int `json:"judge_verdicts"`
	Prompts       int            `json:"prompts"`
	Categories    []NamedCount   `json:"categories"`
	ModelList     []NamedCount   `json:"model_list"`
	Groups        []GroupCount   `json:"groups"`
	Judges        []JudgeCount   `json:"judges"`
	JudgeRatings  map[string]int `json:"judge_ratings"` // single-answer ratings per judge, errors included
	Ratings       []RatingCount  `json:"ratings"`
	Demo          bool           `json:"demo"`
	SchemaVersion int            `json:"schema_version"`
	CreatedBy     string         `json:"created_by"` // the Concord version that created the database ("" when not recorded)
	WrittenBy     string         `json:"written_by"` // the latest Concord version that wrote to it
}

// NamedCount is a name with a count (questions per category, answers per model).
type NamedCount struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// GroupCount counts annotators and current votes of one annotator group.
type GroupCount struct {
	Group      string `json:"group"`
	Annotators int    `json:"annotators"`
	Votes      int    `json:"votes"`
}

// JudgeCount counts one judge's verdicts (units) and how many have both orders.
type JudgeCount struct {
	Name      string `json:"name"`
	Verdicts  int    `json:"verdicts"`
	BothOrder int    `json:"both_orders"`
	Errors    int    `json:"errors"`
}

// RatingCount counts one judge's single-answer ratings and how many are errors.
type RatingCount struct {
	Name    string `json:"name"`
	Ratings int    `json:"ratings"`
	Errors  int    `json:"errors"`
}

// Info counts what the database holds. Models counts models with answers;
// human votes and annotators count current votes only.
func (s *Store) Info(ctx context.Context) (*Info, error) {
	in := &Info{DBPath: s.path, JudgeVerdicts: map[string]int{}, SchemaVersion: SchemaVersion(),
		Categories: []NamedCount{}, ModelList: []NamedCount{}, Groups: []GroupCount{}, Judges: []JudgeCount{},
		JudgeRatings: map[string]int{}, Ratings: []RatingCount{}}
	var err error
	if in.CreatedBy, in.WrittenBy, err = s.AppVersions(ctx); err != nil {
		return nil, fmt.Errorf("info: %w", err)
	}
	one := func(q string, dst *int) error {
		if err := s.read.QueryRowContext(ctx, q).Scan(dst); err != nil {
			return fmt.Errorf("info: %w", err)
		}
		return nil
	}
	for q, dst := range map[string]*int{
		`SELECT count(*) FROM questions`:                                      &in.Questions,
		`SELECT count(DISTINCT model_id) FROM answers`:                        &in.Models,
		`SELECT count(*) FROM answers`:                                        &in.Answers,
		`SELECT count(*) FROM prompts`:                                        &in.Prompts,
		`SELECT count(*) FROM votes WHERE ` + currentVote:                     &in.HumanVotes,
		`SELECT count(DISTINCT annotator_id) FROM votes WHERE ` + currentVote: &in.Annotators,
	} {
		if err := one(q, dst); err != nil {
			return nil, err
		}
	}
	var demo int
	if err := one(`SELECT count(*) FROM meta WHERE key = 'demo'`, &demo); err != nil {
		return nil, err
	}
	in.Demo = demo > 0
	if err := s.scanRows(ctx, `SELECT category, count(*) FROM questions GROUP BY category ORDER BY category`, func(r *sql.Rows) error {
		var c NamedCount
		if err := r.Scan(&c.Name, &c.Count); err != nil {
			return err
		}
		in.Categories = append(in.Categories, c)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := s.scanRows(ctx, `SELECT m.name, count(*) FROM answers a JOIN models m ON m.id = a.model_id GROUP BY m.name ORDER BY m.name`, func(r *sql.Rows) error {
		var c NamedCount
		if err := r.Scan(&c.Name, &c.Count); err != nil {
			return err
		}
		in.ModelList = append(in.ModelList, c)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := s.scanRows(ctx, `SELECT a.grp, count(DISTINCT a.id), count(*) FROM votes v JOIN annotators a ON a.id = v.annotator_id
		WHERE `+currentVote+` GROUP BY a.grp ORDER BY a.grp`, func(r *sql.Rows) error {
		var g GroupCount
		if err := r.Scan(&g.Group, &g.Annotators, &g.Votes); err != nil {
			return err
		}
		in.Groups = append(in.Groups, g)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := s.scanRows(ctx, `SELECT j.name, count(*),
		coalesce(sum(v.g1_winner IS NOT NULL AND v.g2_winner IS NOT NULL), 0),
		coalesce(sum(v.combined = 'error'), 0)
		FROM verdicts v JOIN judges j ON j.id = v.judge_id GROUP BY j.name ORDER BY j.name`, func(r *sql.Rows) error {
		var j JudgeCount
		if err := r.Scan(&j.Name, &j.Verdicts, &j.BothOrder, &j.Errors); err != nil {
			return err
		}
		in.Judges = append(in.Judges, j)
		in.JudgeVerdicts[j.Name] = j.Verdicts
		return nil
	}); err != nil {
		return nil, err
	}
	if err := s.scanRows(ctx, `SELECT j.name, count(*), coalesce(sum(r.error IS NOT NULL), 0)
		FROM ratings r JOIN judges j ON j.id = r.judge_id GROUP BY j.name ORDER BY j.name`, func(r *sql.Rows) error {
		var c RatingCount
		if err := r.Scan(&c.Name, &c.Ratings, &c.Errors); err != nil {
			return err
		}
		in.Ratings = append(in.Ratings, c)
		in.JudgeRatings[c.Name] = c.Ratings
		return nil
	}); err != nil {
		return nil, err
	}
	return in, nil
}

// currentVote selects votes that count: not withdrawn and not skips.
const currentVote = `withdrawn_at IS NULL AND winner != 'skip'`

func (s *Store) scanRows(ctx context.Context, q string, each func(*sql.Rows) error) error {
	rows, err := s.read.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return fmt.Errorf("scan: %w", err)
		}
	}
	return rows.Err()
}
