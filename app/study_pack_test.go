package app_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"concord/app"
	"concord/store"
)

func TestStudyPackImportProgressCLI(t *testing.T) {
	ctx := context.Background()
	db := demoDB(t)
	study := "pilot"
	if code, _, stderr := cliRun(t, db, "study", "create", "--name", study, "--models", "demo-aurora,demo-basalt,demo-cirrus"); code != app.ExitOK {
		t.Fatalf("study create: exit %d, %s", code, stderr)
	}
	out := t.TempDir()
	code, stdout, stderr := cliRun(t, db, "study", "pack", study, "--annotators", "alice,bob", "--overlap", "2", "--gold", "2", "--out", out, "--json")
	if code != app.ExitOK {
		t.Fatalf("study pack: exit %d, %s", code, stderr)
	}
	var res store.PackResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || len(res.Packages) != 2 {
		t.Fatalf("study pack --json = %s (%v), want two packages", stdout, err)
	}
	alice := res.Packages[0].Path
	pk, err := store.Open(alice)
	if err != nil {
		t.Fatal(err)
	}
	info, err := pk.PackageInfo(ctx)
	if err != nil || info == nil || info.Annotator != "alice" || info.Study != study {
		t.Fatalf("PackageInfo = %+v, %v; want alice's package of %q", info, err, study)
	}
	for range 4 {
		next, err := pk.NextItem(ctx, info.StudyID, info.Annotator)
		if err != nil || next == nil {
			t.Fatalf("NextItem = %v, %v", next, err)
		}
		if _, err := pk.RecordVote(ctx, store.VoteRequest{StudyID: info.StudyID, Annotator: info.Annotator, Pos: next.Entry.Pos, Turn: next.Turn, Choice: store.ChoiceTie, TimeMS: 20_000}); err != nil {
			t.Fatal(err)
		}
	}
	pk.Close()
	if code, _, stderr := cliRun(t, db, "import", alice); code != app.ExitOK {
		t.Fatalf("import %s: exit %d, %s", alice, code, stderr)
	}
	progress := func() map[string]app.AnnotatorProgress {
		t.Helper()
		code, stdout, stderr := cliRun(t, db, "study", "progress", study, "--json")
		if code != app.ExitOK {
			t.Fatalf("study progress: exit %d, %s", code, stderr)
		}
		var p app.StudyProgress
		if err := json.Unmarshal([]byte(stdout), &p); err != nil {
			t.Fatalf("study progress --json: %v\n%s", err, stdout)
		}
		m := map[string]app.AnnotatorProgress{}
		for _, a := range p.Annotators {
			m[a.Annotator] = a
		}
		return m
	}
	p := progress()
	gold := 0 // turns of gold items among alice's first four
	if a := p["alice"]; !a.Returned || a.Votes+a.GoldAnswered != 4 || a.Packed != res.Packages[0].Items || a.Excluded {
		t.Errorf("alice = %+v, want returned, 4 votes and gold answers, %d packed, included", a, res.Packages[0].Items)
	} else {
		gold = a.GoldAnswered
	}
	if b := p["bob"]; b.Returned || b.Votes != 0 {
		t.Errorf("bob = %+v, want not returned, no votes", b)
	}
	if a := p["alice"]; a.TimeMS != int64(20_000*(4-gold)) {
		t.Errorf("alice's time on task = %d ms, want %d", a.TimeMS, 20_000*(4-gold))
	}
	if code, _, stderr := cliRun(t, db, "study", "exclude", study, "alice"); code != app.ExitOK {
		t.Fatalf("study exclude: exit %d, %s", code, stderr)
	}
	if !progress()["alice"].Excluded {
		t.Errorf("alice not shown excluded after study exclude")
	}
	cliRun(t, db, "study", "include", study, "alice")
	if progress()["alice"].Excluded {
		t.Errorf("alice still excluded after study include")
	}
}

func TestWindowArgsOpen(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pilot-alice.concord")
	os.WriteFile(file, []byte("x"), 0o644)
	env := func(string) string { return "" }
	if db, _, window := app.WindowArgs([]string{"open", file}, env); !window || db != file {
		t.Errorf("WindowArgs(open %s) = %q, %v; want the window on the file", file, db, window)
	}
	if db, _, window := app.WindowArgs([]string{file}, env); !window || db != file {
		t.Errorf("WindowArgs(%s) = %q, %v; want the window on the package (a double-click)", file, db, window)
	}
	if _, _, window := app.WindowArgs([]string{"open", file + ".missing"}, env); window {
		t.Errorf("WindowArgs(open MISSING) opens the window, want the command's error")
	}
	if code, _, stderr := cliRun(t, "", "open", file+".missing"); code == app.ExitOK || stderr == "" {
		t.Errorf("concord open MISSING: exit %d, %q; want an error", code, stderr)
	}
}
