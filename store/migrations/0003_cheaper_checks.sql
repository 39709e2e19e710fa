-- Rebuilds votes and verdicts with the same columns and rules, written so
-- that SQLite checks them cheaply, and finds votes by question.
--
-- CHECK (x IN ('a', 'b', ...)) builds a temporary index of the list for
-- every row written, which was a sixth of the time of importing votes; the
-- same rule as a chain of comparisons costs a few instructions. And votes are
-- found by question rather than by whole unit: a question has a few hundred
-- votes at most, which a unit query filters in well under a millisecond, and
-- the narrower index makes each vote cheaper to write.

CREATE TABLE votes_new (
    id           INTEGER PRIMARY KEY,
    uid          TEXT NOT NULL UNIQUE,
    annotator_id INTEGER NOT NULL REFERENCES annotators(id),
    question_id  INTEGER NOT NULL REFERENCES questions(question_id),
    model_a      TEXT NOT NULL,
    model_b      TEXT NOT NULL,
    turn         INTEGER NOT NULL CHECK (turn >= 1),
    winner       TEXT NOT NULL CHECK (winner = 'model_a' OR winner = 'model_b' OR winner = 'tie' OR winner = 'both_bad' OR winner = 'skip'),
    left_model   TEXT,
    study_id     INTEGER,
    created_at   TEXT NOT NULL,
    time_ms      INTEGER NOT NULL DEFAULT 0,
    rationale    TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL DEFAULT '',
    withdrawn_at TEXT,
    CHECK (model_a < model_b)
);
INSERT INTO votes_new SELECT id, uid, annotator_id, question_id, model_a, model_b, turn, winner, left_model, study_id,
    created_at, time_ms, rationale, source, withdrawn_at FROM votes ORDER BY id;
DROP TABLE votes;
ALTER TABLE votes_new RENAME TO votes;
CREATE INDEX votes_question ON votes(question_id);
-- Partial: imported votes (no study) stay out of these, which keeps bulk
-- imports fast. The first serves an annotator's progress and undo, the
-- second the check that an annotator has not voted on a unit yet.
CREATE INDEX votes_study ON votes(study_id, annotator_id, withdrawn_at) WHERE study_id IS NOT NULL;
CREATE INDEX votes_study_unit ON votes(study_id, annotator_id, question_id, model_a, model_b, turn) WHERE study_id IS NOT NULL;

CREATE TABLE verdicts_new (
    id             INTEGER PRIMARY KEY,
    judge_id       INTEGER NOT NULL REFERENCES judges(id),
    prompt         TEXT NOT NULL DEFAULT '',
    prompt_hash    TEXT NOT NULL DEFAULT '',
    question_id    INTEGER NOT NULL REFERENCES questions(question_id),
    model_1        TEXT NOT NULL,
    model_2        TEXT NOT NULL,
    turn           INTEGER NOT NULL CHECK (turn >= 1),
    combined       TEXT CHECK (combined = 'model_1' OR combined = 'model_2' OR combined = 'tie' OR combined = 'inconsistent' OR combined = 'error'),
    g1_winner      TEXT CHECK (g1_winner = 'model_1' OR g1_winner = 'model_2' OR g1_winner = 'tie' OR g1_winner = 'error'),
    g1_judgment    TEXT,
    g1_user_prompt TEXT,
    g1_tokens_in   INTEGER,
    g1_tokens_out  INTEGER,
    g1_latency_ms  INTEGER,
    g1_error       TEXT,
    g1_at          TEXT,
    g2_winner      TEXT CHECK (g2_winner = 'model_1' OR g2_winner = 'model_2' OR g2_winner = 'tie' OR g2_winner = 'error'),
    g2_judgment    TEXT,
    g2_user_prompt TEXT,
    g2_tokens_in   INTEGER,
    g2_tokens_out  INTEGER,
    g2_latency_ms  INTEGER,
    g2_error       TEXT,
    g2_at          TEXT,
    source         TEXT NOT NULL DEFAULT '',
    CHECK (model_1 < model_2),
    UNIQUE (judge_id, prompt, question_id, model_1, model_2, turn)
);
INSERT INTO verdicts_new SELECT * FROM verdicts ORDER BY id;
DROP TABLE verdicts;
ALTER TABLE verdicts_new RENAME TO verdicts;
CREATE INDEX verdicts_unit ON verdicts(question_id, model_1, model_2, turn);
