package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"concord/store"
)

// BenchmarkPackStudy packs 10 packages (overlap 3, 5 gold items each) of a
// study of 3 models x 170 questions x 2 turns:
// go test ./store -run '^$' -bench 'PackStudy|ImportPackage' -benchtime 5x.
// The full MT-Bench study (6 models, 1,200 items) takes about 0.6 s by
// `time concord study pack full --annotators a1,...,a10 --overlap 3 --gold 5`.
func BenchmarkPackStudy(b *testing.B) {
	s, st := packFixture(b, 170)
	annotators := strings.Split("a1,a2,a3,a4,a5,a6,a7,a8,a9,a10", ",")
	for i := 0; b.Loop(); i++ {
		if _, err := s.PackStudy(context.Background(), st.ID, store.PackOptions{Annotators: annotators, Overlap: 3, Gold: 5, OutDir: b.TempDir()}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Write(context.Background(), func(tx *sql.Tx) error {
			_, err := tx.Exec(`DELETE FROM study_package_gold; DELETE FROM study_package_aliases; DELETE FROM study_packages`)
			return err
		})
		b.StartTimer()
	}
}

// BenchmarkImportPackage imports a returned package holding 1,000 votes
// into a lead database that has none of them yet.
func BenchmarkImportPackage(b *testing.B) {
	ctx := context.Background()
	s, st := packFixture(b, 170)
	res, err := s.PackStudy(ctx, st.ID, store.PackOptions{Annotators: []string{"alice"}, OutDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	path := res.Packages[0].Path
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		b.Fatal(err)
	}
	_, err = db.Exec(`INSERT INTO votes(uid, annotator_id, question_id, model_a, model_b, turn, winner, left_model, study_id, created_at, time_ms)
		SELECT lower(hex(randomblob(16))), 1, i.question_id, i.model_a, i.model_b, t.turn, 'model_a', q.left_model, 1, '2025-01-01T00:00:00Z', 5000
		FROM study_items i JOIN study_queue q ON q.pos = i.pos JOIN (SELECT 1 AS turn UNION ALL SELECT 2) t ORDER BY q.ord, t.turn LIMIT 1000`)
	db.Close()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		s.Write(ctx, func(tx *sql.Tx) error { _, err := tx.Exec(`DELETE FROM votes`); return err })
		b.StartTimer()
		rep, err := s.Import(ctx, []string{path}, store.ImportOptions{})
		if err != nil || rep.Added != 1000 {
			b.Fatalf("import: %+v, %v; want 1000 added", rep, err)
		}
	}
}

// BenchmarkRecordVoteInPackage measures a vote's commit in a study package,
// which keeps a rollback journal instead of WAL (compare BenchmarkRecordVote):
// go test ./store -run '^$' -bench 'RecordVote' -benchtime 300x.
func BenchmarkRecordVoteInPackage(b *testing.B) {
	s, st := packFixture(b, 170)
	res, err := s.PackStudy(context.Background(), st.ID, store.PackOptions{Annotators: []string{"alice"}, OutDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	pk, err := store.Open(res.Packages[0].Path)
	if err != nil {
		b.Fatal(err)
	}
	defer pk.Close()
	b.ResetTimer()
	times := timeVotes(b, pk, 1, "alice", "A")
	b.StopTimer()
	reportQuantiles(b, times)
}
