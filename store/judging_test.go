package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"concord/store"
	"concord/store/storetest"
)

func openJudging(t *testing.T) *store.Store {
	t.Helper()
	st := storetest.MustOpen(t)
	err := st.Write(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO questions(question_id, category, turns, content_hash) VALUES (1, 'writing', '["q"]', 'h')`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestEnsureJudge(t *testing.T) {
	st := openJudging(t)
	ctx := context.Background()
	spec := store.JudgeSpec{Name: "j", Model: "m", BaseURL: "http://a/v1", ConfigJSON: `{"model":"m"}`, ConfigHash: "h1"}
	id1, err := st.EnsureJudge(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	spec.BaseURL = "http://b/v1"
	id2, err := st.EnsureJudge(ctx, spec)
	if err != nil || id2 != id1 {
		t.Errorf("EnsureJudge again = %d, %v; want %d, nil", id2, err, id1)
	}
	got, ok, err := st.JudgeSpecByName(ctx, "j")
	if err != nil || !ok || got.BaseURL != "http://b/v1" || got.ConfigHash != "h1" {
		t.Errorf("JudgeSpecByName = %+v, %v, %v; want base URL updated, hash h1", got, ok, err)
	}
	spec.ConfigHash = "h2"
	if _, err := st.EnsureJudge(ctx, spec); !errors.Is(err, store.ErrJudgeConfig) {
		t.Errorf("EnsureJudge with another config = %v, want ErrJudgeConfig", err)
	}
	if _, ok, _ := st.JudgeSpecByName(ctx, "nobody"); ok {
		t.Errorf("JudgeSpecByName(nobody) found a judge")
	}
}

func TestSaveGame(t *testing.T) {
	st := openJudging(t)
	ctx := context.Background()
	id, err := st.EnsureJudge(ctx, store.JudgeSpec{Name: "j", Model: "m", ConfigHash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	k := store.GameKey{Prompt: "p", PromptHash: "ph", QuestionID: 1, Model1: "a", Model2: "b", Turn: 1}
	save := func(game int, g store.Game) error {
		kk := k
		kk.Game = game
		return st.SaveGame(ctx, id, kk, g)
	}
	check := func(step, g1, g2, combined string) {
		t.Helper()
		vs, err := st.Verdicts(ctx, "j")
		if err != nil || len(vs) != 1 {
			t.Fatalf("%s: Verdicts = %d rows, %v; want 1", step, len(vs), err)
		}
		v := vs[0]
		w := func(g *store.Game) string {
			if g == nil {
				return ""
			}
			return g.Winner
		}
		if w(v.G1) != g1 || w(v.G2) != g2 || v.Combined != combined {
			t.Errorf("%s: g1 %q g2 %q combined %q; want %q %q %q", step, w(v.G1), w(v.G2), v.Combined, g1, g2, combined)
		}
	}
	if err := save(2, store.Game{Winner: "error", Error: "no verdict", Judgment: "hmm"}); err != nil {
		t.Fatal(err)
	}
	check("g2 error", "", "error", "")
	if err := save(1, store.Game{Winner: "model_1", Judgment: "[[A]]", TokensIn: 10, TokensOut: 2, LatencyMS: 5}); err != nil {
		t.Fatal(err)
	}
	check("g1 done", "model_1", "error", "error")
	if err := save(2, store.Game{Winner: "model_2", Judgment: "[[A]]"}); err != nil {
		t.Fatal(err)
	}
	check("g2 retried", "model_1", "model_2", "inconsistent")
	if err := save(1, store.Game{Winner: "model_2"}); err != nil {
		t.Fatal(err)
	}
	check("finished g1 kept", "model_1", "model_2", "inconsistent")
	games, err := st.JudgeGames(ctx, "j")
	if err != nil || len(games) != 2 {
		t.Errorf("JudgeGames = %v, %v; want 2 games", games, err)
	}
	k.PromptHash = "other"
	if err := save(1, store.Game{Winner: "tie"}); !errors.Is(err, store.ErrPromptChanged) {
		t.Errorf("SaveGame with another prompt hash = %v, want ErrPromptChanged", err)
	}
	k.PromptHash = "ph"
	k.Model1, k.Model2 = "b", "a"
	if err := save(1, store.Game{Winner: "tie"}); err == nil {
		t.Errorf("SaveGame with models out of order: no error")
	}
}
