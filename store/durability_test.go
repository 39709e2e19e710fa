package store_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"concord/store"
	"concord/store/storetest"
)

// TestVotesSurviveKill9 records votes in a child process, kills it with
// SIGKILL straight after it reports a committed vote, and checks that every
// vote it reported is in the database.
func TestVotesSurviveKill9(t *testing.T) {
	if db := os.Getenv("CONCORD_KILL9_DB"); db != "" {
		voteForever(db)
		return
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	s := storetest.MustOpenAt(t, db)
	if err := s.SeedDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, err := s.CreateStudy(context.Background(), store.StudySpec{Name: "kill", Models: []string{"demo-aurora", "demo-basalt", "demo-cirrus"}, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestVotesSurviveKill9$")
	cmd.Env = append(os.Environ(), "CONCORD_KILL9_DB="+db, fmt.Sprint("CONCORD_KILL9_STUDY=", st.ID))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	reported := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "committed ") {
			reported++
			if reported == 25 {
				cmd.Process.Signal(syscall.SIGKILL)
				break
			}
		}
	}
	cmd.Wait()
	if reported < 25 {
		t.Fatalf("child reported %d votes before ending, want 25", reported)
	}

	s = storetest.MustOpenAt(t, db)
	votes, err := s.Votes(context.Background(), "local")
	if err != nil {
		t.Fatal(err)
	}
	if len(votes) < reported {
		t.Errorf("after kill -9: %d votes in the database, the app had reported %d committed", len(votes), reported)
	}
}

// voteForever is the child: it votes until killed, printing each commit.
func voteForever(db string) {
	ctx := context.Background()
	s, err := store.Open(db)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	var study int64
	fmt.Sscan(os.Getenv("CONCORD_KILL9_STUDY"), &study)
	for i := 0; ; i++ {
		next, err := s.NextItem(ctx, study, "crash-tester")
		if err != nil || next == nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		if _, err := s.RecordVote(ctx, store.VoteRequest{StudyID: study, Annotator: "crash-tester", Pos: next.Entry.Pos, Turn: next.Turn, Choice: []string{"A", "B", "tie"}[i%3], TimeMS: 1000}); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("committed", i+1)
	}
}
