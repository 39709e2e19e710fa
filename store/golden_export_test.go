package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"concord/store"
	"concord/store/storetest"
)

// goldenExports pins the SHA-256 of every export of three data sets, so that a
// refactoring of the vote and verdict vocabulary that changes a byte of any
// export fails here. The digests were made from the code before that
// refactoring (commit 119e2f1) by running this test with empty maps and
// pasting what it logged; the store's clock is fixed, so records without a
// time of their own get the same time on every run.
var goldenExports = map[string]map[string]string{
	// concord import ../shared/data/mt_bench ../shared/data/judge_prompts.jsonl ../shared/data/mt_bench_human_judgments
	"mtbench": {
		"bundle human_judgments.jsonl":              "c79e915d97a02620ea7e8562639ced846ada289d3ba49ec15aef0cf8fd5a2f9a",
		"bundle judge_prompts.jsonl":                "f776d786c11400234df8f1fd30b959d02c13887d1466b3fcca17a9181e94b668",
		"bundle model_answer/alpaca-13b.jsonl":      "96121de0ef0e94eb80dcf3687050dd6e8eeb0639636bac8f00b3ce64a01d70cf",
		"bundle model_answer/claude-v1.jsonl":       "1e67b420648febbad6b7d6e64f69aad8c526d468752db4955ec51f5d4b6eb148",
		"bundle model_answer/gpt-3.5-turbo.jsonl":   "02d1aed4463ec2f649439a18f4e6b947994382d28c2624f70324372a257e4a2c",
		"bundle model_answer/gpt-4.jsonl":           "deddd7f8bfdd50f41f95b17d1ec4d232ed382691cab4076758a9f786fa96a9a3",
		"bundle model_answer/llama-13b.jsonl":       "15b625b8571f1ab89a59860c5b3c4b6a69912f0deb762248f9c573aba82ae542",
		"bundle model_answer/vicuna-13b-v1.2.jsonl": "374198705bc5cfb73332f37cea794f776a230177778616bb8e14155df547b01e",
		"bundle model_answer/vicuna-13b-v1.3.jsonl": "4bee73ebe1bc9eff9f4d7d353f57f145a6bd850c4c8412a2e44e4a0c724c0f18",
		"bundle model_judgment/gpt-4_pair.jsonl":    "4708e41c05b65a0a38a846981db81aa1ec9b958365a6bfadf9efc711374db44c",
		"bundle model_judgment/gpt-4_single.jsonl":  "cd87d57f23889e44da93e0b0c319ee2b7aedfd0728eec37063711e8b821742e0",
		"bundle question.jsonl":                     "3b584bc501126a5d14165303bb7968f2aea2cdd8dcb2174b3665868ccdf9a3a9",
		"bundle reference_answer/gpt-4.jsonl":       "a1fb4860993498797802ef6e4c7624e3cffe2c5ec3d624861a0163d36cf857ca",
		"verdicts hf":                               "fd272e6b95d1251aff22a4ab9949dbb43966af0f9e5b159fe650c4d7364f5641",
		"verdicts pair":                             "4708e41c05b65a0a38a846981db81aa1ec9b958365a6bfadf9efc711374db44c",
		"votes csv":                                 "c6e7697213fea0e49a998be7408af34b3d587501011461b4327ff24b5d78d5cf",
		"votes json":                                "cfa9b4c2d794fea64c34c296441199e82f9e6a63d134a4b66e96e139b2b597c6",
		"votes jsonl":                               "c79e915d97a02620ea7e8562639ced846ada289d3ba49ec15aef0cf8fd5a2f9a",
		"votes jsonl expert":                        "06d1867ad50ca4f39e0ac99e99e894bfd9018efc42616aa14c1e3b583640063d",
	},
	// the demo study that Concord ships (store/demo)
	"demo": {
		"bundle human_judgments.jsonl":                "9bace80fd36cecd4df6caa804db6c8f177312bef02cc399e82b4e2de6ece494f",
		"bundle model_answer/demo-aurora.jsonl":       "05b3222dd87c63ea4a306b2deda39f934852afa74aa28efaa94f58430f115fe7",
		"bundle model_answer/demo-basalt.jsonl":       "2fb996030572e1c76fb53a4546d8fcc4ba92a92b2435bfcad4ad03984f4ebc02",
		"bundle model_answer/demo-cirrus.jsonl":       "6b144159a46dd29709273fa7f3b1aa594bceb6cf356d731da8fe63ee4efabacf",
		"bundle model_judgment/demo-judge_pair.jsonl": "4d49fb47b66a40db4d0ced6d61d58d3fbc25c1a6f480d5db34f85392e2d4d6c9",
		"bundle question.jsonl":                       "d3db69023a8d74d00119d9acfc51ae0d49f54f11d2871342eb9d589dca54b3b1",
		"verdicts hf":                                 "32765b3eecd9e8c52b6646139e93c0023f500df147f9808f0c0a2045b1c7ea26",
		"verdicts pair":                               "4d49fb47b66a40db4d0ced6d61d58d3fbc25c1a6f480d5db34f85392e2d4d6c9",
		"votes csv":                                   "20743effd7cfb94f2f55ac610336811476fef37544beedee2df3071835e9a021",
		"votes json":                                  "bbbe6aba9390ced88dcc2d8277b235b8096e0538c9f21c315a9cbe064f108844",
		"votes jsonl":                                 "9bace80fd36cecd4df6caa804db6c8f177312bef02cc399e82b4e2de6ece494f",
		"votes jsonl expert":                          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	},
	// the demo data plus 30 votes recorded in a study, every choice in turn
	"demo+votes": {
		"bundle human_judgments.jsonl":                "d46991a8b716948d5288a50ededebdbcf03d39346f2dd28dc2172e58da94cf88",
		"bundle model_answer/demo-aurora.jsonl":       "05b3222dd87c63ea4a306b2deda39f934852afa74aa28efaa94f58430f115fe7",
		"bundle model_answer/demo-basalt.jsonl":       "2fb996030572e1c76fb53a4546d8fcc4ba92a92b2435bfcad4ad03984f4ebc02",
		"bundle model_answer/demo-cirrus.jsonl":       "6b144159a46dd29709273fa7f3b1aa594bceb6cf356d731da8fe63ee4efabacf",
		"bundle model_judgment/demo-judge_pair.jsonl": "4d49fb47b66a40db4d0ced6d61d58d3fbc25c1a6f480d5db34f85392e2d4d6c9",
		"bundle question.jsonl":                       "d3db69023a8d74d00119d9acfc51ae0d49f54f11d2871342eb9d589dca54b3b1",
		"verdicts hf":                                 "32765b3eecd9e8c52b6646139e93c0023f500df147f9808f0c0a2045b1c7ea26",
		"verdicts pair":                               "4d49fb47b66a40db4d0ced6d61d58d3fbc25c1a6f480d5db34f85392e2d4d6c9",
		"votes csv":                                   "7877c07ae5c8eede1ac6fa2896e487ddb802ac7c5cae0a5b891e2f54a6058fd8",
		"votes json":                                  "a1214d9b75bb76357e0ca3f66f075419ebd80dd4bd0d95ba90b25a4a55a92e9a",
		"votes jsonl":                                 "d46991a8b716948d5288a50ededebdbcf03d39346f2dd28dc2172e58da94cf88",
		"votes jsonl expert":                          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	},
}

// goldenClock is the import time given to records that carry none.
var goldenClock = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

func TestExportsByteIdentical(t *testing.T) {
	ctx := context.Background()
	for name, want := range goldenExports {
		t.Run(name, func(t *testing.T) {
			s := storetest.MustOpen(t)
			s.Now = func() time.Time { return goldenClock }
			switch name {
			case "mtbench":
				mustImport(t, s, mtBenchPaths(sharedData(t))...)
			case "demo", "demo+votes":
				if err := s.SeedDemo(ctx); err != nil {
					t.Fatal(err)
				}
				if name == "demo+votes" {
					recordGoldenVotes(t, s)
				}
			}
			got := exportDigests(t, s)
			if len(want) == 0 {
				t.Errorf("no golden digests for %s; these were computed:", name)
			}
			for _, k := range sortedKeys(got) {
				if want[k] != got[k] {
					t.Errorf("export %s: sha256 = %s, want %s", k, got[k], want[k])
				}
			}
			for k := range want {
				if _, ok := got[k]; !ok {
					t.Errorf("export %s: missing (want sha256 %s)", k, want[k])
				}
			}
			if t.Failed() {
				for _, k := range sortedKeys(got) {
					t.Logf("%q: %q,", k, got[k])
				}
			}
		})
	}
}

// recordGoldenVotes records 30 votes in a new demo study, cycling through
// every choice an annotator can make.
func recordGoldenVotes(tb testing.TB, s *store.Store) {
	tb.Helper()
	ctx := context.Background()
	st := mustStudy(tb, s, store.StudySpec{Name: "golden", Models: demoModels, Seed: 11})
	choices := []string{"A", "B", "tie", "both_bad", "skip"}
	for i := range 30 {
		next, err := s.NextItem(ctx, st.ID, "gold")
		if err != nil || next == nil {
			tb.Fatalf("NextItem after %d votes = %v, %v", i, next, err)
		}
		req := store.VoteRequest{StudyID: st.ID, Annotator: "gold", Pos: next.Entry.Pos, Turn: next.Turn, TimeMS: int64(1000 + i)}
		req.Choice = choices[i%len(choices)]
		if _, err := s.RecordVote(ctx, req); err != nil {
			tb.Fatalf("RecordVote(%+v): %v", req, err)
		}
	}
}

// exportDigests runs every export and returns the SHA-256 of each output,
// keyed by export and format (bundle files by their path in the bundle). The
// random ids of votes recorded in the app are replaced by their row ids first.
func exportDigests(tb testing.TB, s *store.Store) map[string]string {
	tb.Helper()
	ctx := context.Background()
	// Votes recorded in the app get random ids: name them by their order.
	votes, err := s.Votes(ctx, "")
	if err != nil {
		tb.Fatal(err)
	}
	var ids []string
	for _, v := range votes {
		if v.StudyID != 0 {
			ids = append(ids, v.UID, fmt.Sprintf("recorded-vote-%d", v.ID))
		}
	}
	stableIDs := strings.NewReplacer(ids...)
	got := map[string]string{}
	digest := func(key string, fill func(io.Writer) error) {
		var b bytes.Buffer
		if err := fill(&b); err != nil {
			tb.Fatalf("export %s: %v", key, err)
		}
		sum := sha256.Sum256([]byte(stableIDs.Replace(b.String())))
		got[key] = hex.EncodeToString(sum[:])
	}
	for _, format := range []string{"jsonl", "json", "csv"} {
		digest("votes "+format, func(w io.Writer) error { return s.ExportVotes(ctx, w, format, "") })
	}
	digest("votes jsonl expert", func(w io.Writer) error { return s.ExportVotes(ctx, w, "jsonl", "expert") })
	digest("verdicts pair", func(w io.Writer) error { return s.ExportVerdicts(ctx, w, "") })
	digest("verdicts hf", func(w io.Writer) error { return s.ExportVerdictsHF(ctx, w, "") })
	dir := filepath.Join(tb.TempDir(), "bundle")
	if err := s.ExportBundle(ctx, dir); err != nil {
		tb.Fatalf("export bundle: %v", err)
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		digest("bundle "+filepath.ToSlash(rel), func(w io.Writer) error {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			_, err = w.Write(b)
			return err
		})
		return nil
	})
	if err != nil {
		tb.Fatalf("export bundle: %v", err)
	}
	return got
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// A database written before question keys (schema 3) migrates in place: every
// question's key is its id, and every export is byte for byte what it was.
func TestMigratedExportsByteIdentical(t *testing.T) {
	ctx := context.Background()
	for name, want := range goldenExports {
		t.Run(name, func(t *testing.T) {
			src := storetest.MustOpen(t)
			src.Now = func() time.Time { return goldenClock }
			switch name {
			case "mtbench":
				mustImport(t, src, mtBenchPaths(sharedData(t))...)
			case "demo", "demo+votes":
				if err := src.SeedDemo(ctx); err != nil {
					t.Fatal(err)
				}
				if name == "demo+votes" {
					recordGoldenVotes(t, src)
				}
			}
			path := filepath.Join(t.TempDir(), "schema3.db")
			if err := store.CopyToOldSchema(ctx, src, path, 3); err != nil {
				t.Fatal(err)
			}
			s, err := store.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			s.Now = func() time.Time { return goldenClock }
			qs, err := s.Questions(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(qs) == 0 {
				t.Fatal("no questions after migration")
			}
			for _, q := range qs {
				if q.Key != strconv.Itoa(q.ID) {
					t.Errorf("question %d: key %q after migration, want %q", q.ID, q.Key, strconv.Itoa(q.ID))
				}
			}
			got := exportDigests(t, s)
			for _, k := range sortedKeys(want) {
				if strings.HasSuffix(k, "_single.jsonl") {
					continue // ratings came after schema 3: an old database has none to export
				}
				if got[k] != want[k] {
					t.Errorf("export %s after migration: sha256 = %s, want %s", k, got[k], want[k])
				}
			}
		})
	}
}
