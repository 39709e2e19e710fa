package store

import (
	"bytes"
	"context"
	"crypto/hmac"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"concord/store/outcome"
)

// KindPackage is a study package returned by an annotator.
const KindPackage Kind = "study_package"

// sqliteMagic starts every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// isSQLiteFile reports whether path starts with SQLite's header.
func isSQLiteFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, len(sqliteMagic))
	_, err = io.ReadFull(f, b)
	return err == nil && string(b) == sqliteMagic
}

// checkSQLiteSize refuses a database file shorter than its header says
// (bytes 16-17: page size, 1 meaning 65536; 28-31: pages, valid when the
// change counter at 24 equals the one at 92).
func checkSQLiteSize(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	h := make([]byte, 100)
	if _, err := io.ReadFull(f, h); err != nil {
		return fmt.Errorf("the file is truncated: %d bytes, shorter than a database header", fi.Size())
	}
	ps := int64(binary.BigEndian.Uint16(h[16:18]))
	if ps == 1 {
		ps = 65536
	}
	pages := int64(binary.BigEndian.Uint32(h[28:32]))
	if pages > 0 && bytes.Equal(h[24:28], h[92:96]) && fi.Size() < ps*pages {
		return fmt.Errorf("the file is truncated: its header says %d bytes, it has %d", ps*pages, fi.Size())
	}
	return nil
}

// pkgVote is a vote of a returned package, mapped back to real models.
type pkgVote struct {
	Vote
	withdrawn string
}

// pkgGoldVote is a choice on a gold item of a returned package.
type pkgGoldVote struct {
	uid, bad, choice, created, withdrawn string
	turn                                 int
	correct                              bool
	timeMS                               int64
}

// returnedPackage is a package read, checked and mapped, ready to apply.
type returnedPackage struct {
	path, id, annotator string
	studyID             int64
	votes               []pkgVote
	gold                []pkgGoldVote
}

// readPackage opens a returned package read-only and checks it belongs
// here and is as it was made: not truncated or damaged, not from a newer
// Concord, from this database and one of its studies' packages, digest
// intact. It maps its votes back through the package's aliases.
func (s *Store) readPackage(ctx context.Context, path string) (*returnedPackage, error) {
	if err := checkSQLiteSize(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var check string
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&check); err != nil || check != "ok" {
		return nil, fmt.Errorf("the file is damaged (%s%v)", check, errOrEmpty(err))
	}
	var schema int
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&schema); err != nil {
		return nil, fmt.Errorf("not a Concord study package: %w", err)
	}
	if latest := SchemaVersion(); schema > latest {
		return nil, fmt.Errorf("%w (schema %d, this build knows up to %d); upgrade Concord", ErrNewerSchema, schema, latest)
	}
	meta := map[string]string{}
	rows, err := db.QueryContext(ctx, `SELECT key, value FROM meta`)
	if err != nil {
		return nil, fmt.Errorf("not a Concord study package: %w", err)
	}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return nil, err
		}
		meta[k] = v
	}
	rows.Close()
	if meta[metaPackageID] == "" {
		return nil, errors.New("a Concord database, not a study package (no package id); import its votes from an export instead")
	}
	if f, _ := strconv.Atoi(meta[metaPackageFormat]); f > PackageFormat {
		return nil, fmt.Errorf("%w (package format %d, this build reads up to %d); upgrade Concord", ErrNewerSchema, f, PackageFormat)
	}
	rp := &returnedPackage{path: path, id: meta[metaPackageID], annotator: meta[metaPackageAnnotator]}
	rp.studyID, _ = strconv.ParseInt(meta[metaPackageStudy], 10, 64)
	var studyName string
	_ = db.QueryRowContext(ctx, `SELECT name FROM studies WHERE id = ?`, packageStudyID).Scan(&studyName)
	belongs := fmt.Errorf("this package belongs to study %q (%d) of database %s", studyName, rp.studyID, meta[metaPackageLeadDB])
	here, err := s.DatabaseID(ctx)
	if err != nil {
		return nil, err
	}
	if meta[metaPackageLeadDB] != here {
		return nil, fmt.Errorf("%w, not to this database (%s)", belongs, here)
	}
	var secret, annotator string
	var studyID int64
	err = s.read.QueryRowContext(ctx, `SELECT secret, annotator, study_id FROM study_packages WHERE id = ?`, rp.id).Scan(&secret, &annotator, &studyID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w, and this database made no package %s", belongs, rp.id)
	}
	if err != nil {
		return nil, err
	}
	if studyID != rp.studyID || annotator != rp.annotator {
		return nil, fmt.Errorf("%w, but this database made package %s for %s in study %d", belongs, rp.id, annotator, studyID)
	}
	digest, err := packageDigest(ctx, db, secret)
	if err != nil {
		return nil, err
	}
	if !hmac.Equal([]byte(digest), []byte(meta[metaPackageDigest])) {
		return nil, errors.New("the package was edited: its items, aliases or answers do not match its digest")
	}
	if err := s.mapPackageVotes(ctx, db, rp); err != nil {
		return nil, err
	}
	return rp, nil
}

func errOrEmpty(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// mapPackageVotes reads a package's votes and maps each back to the real
// models (re-ordered canonically, the winner swapped with them) or, for a
// gold item, to a choice of the good or the broken answer.
func (s *Store) mapPackageVotes(ctx context.Context, db *sql.DB, rp *returnedPackage) error {
	models := map[string]string{}
	goldGood := map[string]string{}
	rows, err := s.read.QueryContext(ctx, `SELECT alias, model, gold FROM study_package_aliases WHERE package_id = ?`, rp.id)
	if err != nil {
		return err
	}
	for rows.Next() {
		var a, m string
		var gold bool
		if err := rows.Scan(&a, &m, &gold); err != nil {
			rows.Close()
			return err
		}
		if !gold {
			models[a] = m
		}
	}
	rows.Close()
	rows, err = s.read.QueryContext(ctx, `SELECT bad_alias, good_alias FROM study_package_gold WHERE package_id = ?`, rp.id)
	if err != nil {
		return err
	}
	for rows.Next() {
		var bad, good string
		if err := rows.Scan(&bad, &good); err != nil {
			rows.Close()
			return err
		}
		goldGood[bad] = good
	}
	rows.Close()
	items, err := s.StudyItems(ctx, rp.studyID)
	if err != nil {
		return err
	}
	type unit struct {
		qid  int
		a, b string
	}
	inStudy := map[unit]bool{}
	for _, it := range items {
		inStudy[unit{it.QuestionID, it.ModelA, it.ModelB}] = true
	}
	vrows, err := db.QueryContext(ctx, `SELECT uid, question_id, model_a, model_b, turn, winner, coalesce(left_model, ''), created_at, time_ms, rationale, coalesce(withdrawn_at, '')
		FROM votes WHERE study_id = ? ORDER BY id`, packageStudyID)
	if err != nil {
		return fmt.Errorf("votes: %w", err)
	}
	defer vrows.Close()
	for vrows.Next() {
		var v pkgVote
		var created string
		if err := vrows.Scan(&v.UID, &v.QuestionID, &v.ModelA, &v.ModelB, &v.Turn, &v.Winner, &v.Left, &created, &v.TimeMS, &v.Rationale, &v.withdrawn); err != nil {
			return fmt.Errorf("votes: %w", err)
		}
		w, err := outcome.ParseVote(v.Winner)
		if err != nil {
			return fmt.Errorf("vote %s: %w", v.UID, err)
		}
		if good, bad, ok := goldPair(goldGood, v.ModelA, v.ModelB); ok {
			g := pkgGoldVote{uid: v.UID, bad: bad, turn: v.Turn, created: created, withdrawn: v.withdrawn, timeMS: v.TimeMS, choice: v.Winner}
			switch {
			case w == outcome.First && v.ModelA == good, w == outcome.Second && v.ModelB == good:
				g.choice, g.correct = "good", true
			case w == outcome.First || w == outcome.Second:
				g.choice = "bad"
			}
			rp.gold = append(rp.gold, g)
			continue
		}
		ra, okA := models[v.ModelA]
		rb, okB := models[v.ModelB]
		rl, okL := models[v.Left]
		if !okA || !okB || (v.Left != "" && !okL) {
			return fmt.Errorf("vote %s: alias %s, %s or %s is not one of the package's", v.UID, v.ModelA, v.ModelB, v.Left)
		}
		x, y, swapped := outcome.CanonicalPair(ra, rb)
		if swapped {
			w = w.Swap()
		}
		if !inStudy[unit{v.QuestionID, x, y}] {
			return fmt.Errorf("vote %s: question %d, %s vs %s is not an item of study %d", v.UID, v.QuestionID, x, y, rp.studyID)
		}
		v.ModelA, v.ModelB, v.Winner, v.Left = x, y, w.Vote(), rl
		v.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		rp.votes = append(rp.votes, v)
	}
	return vrows.Err()
}

// goldPair reports whether a or b is a gold item's broken answer, and which is good.
func goldPair(goldGood map[string]string, a, b string) (good, bad string, ok bool) {
	if g, ok := goldGood[a]; ok && g == b {
		return b, a, true
	}
	if g, ok := goldGood[b]; ok && g == a {
		return a, b, true
	}
	return "", "", false
}

// applyPackage adds a returned package's votes that are new, and the
// withdrawals of votes already imported, in the import's transaction: votes
// keep their ids (uid), so a second import of the same file adds nothing.
func (s *Store) applyPackage(ctx context.Context, tx *sql.Tx, rp *returnedPackage, fr *FileReport) error {
	aid, _, err := ensureAnnotator(ctx, tx, rp.annotator)
	if err != nil {
		return err
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO votes(uid, annotator_id, question_id, model_a, model_b, turn, winner, left_model, study_id, created_at, time_ms, rationale, source, withdrawn_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(uid) DO NOTHING`)
	if err != nil {
		return err
	}
	defer ins.Close()
	withdraw, err := tx.PrepareContext(ctx, `UPDATE votes SET withdrawn_at = ? WHERE uid = ? AND withdrawn_at IS NULL`)
	if err != nil {
		return err
	}
	defer withdraw.Close()
	source := "package:" + rp.id
	for _, v := range rp.votes {
		fr.Records++
		res, err := ins.ExecContext(ctx, v.UID, aid, v.QuestionID, v.ModelA, v.ModelB, v.Turn, v.Winner, nullable(v.Left), rp.studyID,
			v.CreatedAt.UTC().Format(time.RFC3339Nano), v.TimeMS, v.Rationale, source, nullable(v.withdrawn))
		if err != nil {
			return fmt.Errorf("vote %s: %w", v.UID, err)
		}
		changed, _ := res.RowsAffected()
		if changed == 0 && v.withdrawn != "" {
			if res, err = withdraw.ExecContext(ctx, v.withdrawn, v.UID); err != nil {
				return fmt.Errorf("vote %s: %w", v.UID, err)
			}
			changed, _ = res.RowsAffected()
		}
		if changed > 0 {
			fr.Added++
		} else {
			fr.Unchanged++
		}
	}
	for _, g := range rp.gold {
		fr.Records++
		res, err := tx.ExecContext(ctx, `INSERT INTO study_gold_votes(uid, package_id, bad_alias, turn, choice, correct, time_ms, created_at, withdrawn_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(uid) DO NOTHING`, g.uid, rp.id, g.bad, g.turn, g.choice, g.correct, g.timeMS, g.created, nullable(g.withdrawn))
		if err != nil {
			return fmt.Errorf("gold vote %s: %w", g.uid, err)
		}
		changed, _ := res.RowsAffected()
		if changed == 0 && g.withdrawn != "" {
			if res, err = tx.ExecContext(ctx, `UPDATE study_gold_votes SET withdrawn_at = ? WHERE uid = ? AND withdrawn_at IS NULL`, g.withdrawn, g.uid); err != nil {
				return fmt.Errorf("gold vote %s: %w", g.uid, err)
			}
			changed, _ = res.RowsAffected()
		}
		if changed > 0 {
			fr.Added++
		} else {
			fr.Unchanged++
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE study_packages SET returned_at = ? WHERE id = ?`, s.Now().UTC().Format(time.RFC3339Nano), rp.id)
	return err
}

// returnedPackage reads path as a study package when it is a file that
// starts with SQLite's header; ok is false for any other file or folder.
func (s *Store) returnedPackage(ctx context.Context, path string) (*returnedPackage, bool, error) {
	if st, err := os.Stat(path); err != nil || st.IsDir() || !isSQLiteFile(path) {
		return nil, false, nil
	}
	rp, err := s.readPackage(ctx, path)
	if err != nil {
		return nil, true, &ImportError{Path: path, Err: err}
	}
	return rp, true, nil
}
