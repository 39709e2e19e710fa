package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
)

// digestQueries read, in a fixed order, everything a package's digest
// covers: what it is a package of, its study, items, queue, aliases,
// questions and answers. Its votes are not covered: the annotator adds them.
var digestQueries = []string{
	`SELECT key, value FROM meta WHERE key IN ('package_id', 'package_format', 'package_study_id', 'package_lead_db', 'package_annotator') ORDER BY key`,
	`SELECT id, name, instructions, spec, seed, show_reference FROM studies ORDER BY id`,
	`SELECT study_id, pos, question_id, model_a, model_b, turns FROM study_items ORDER BY study_id, pos`,
	`SELECT study_id, ord, pos, left_model FROM study_queue ORDER BY study_id, ord`,
	`SELECT id, name FROM models ORDER BY id`,
	`SELECT question_id, key, category, turns, coalesce(reference, '') FROM questions ORDER BY question_id`,
	`SELECT question_id, model_id, turns FROM answers ORDER BY question_id, model_id`,
	`SELECT question_id, model, turns FROM reference_answers ORDER BY question_id, model`,
}

// packageDigest is HMAC-SHA256, keyed with the package's secret (which only
// the lead's database holds), over every row digestQueries read, each value
// written with its length first so that no two contents run together the same.
func packageDigest(ctx context.Context, db *sql.DB, secret string) (string, error) {
	mac := hmac.New(sha256.New, []byte(secret))
	for i, q := range digestQueries {
		putDigest(mac, fmt.Sprint("query ", i))
		if err := digestRows(ctx, db, q, mac); err != nil {
			return "", fmt.Errorf("package digest: %w", err)
		}
	}
	return hex.EncodeToString(mac.Sum(nil)), nil
}

func digestRows(ctx context.Context, db *sql.DB, q string, mac hash.Hash) error {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		putDigest(mac, "row")
		for _, v := range vals {
			putDigest(mac, v.String)
		}
	}
	return rows.Err()
}

func putDigest(mac hash.Hash, s string) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(s)))
	mac.Write(n[:])
	mac.Write([]byte(s))
}
