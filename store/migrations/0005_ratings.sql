-- Single-answer ratings: a judge's 1-10 grade of one model's answer at one
-- turn (MT-Bench's "single" mode).
--
-- One row per judge, question, model and turn, whatever the prompt: the
-- MT-Bench score is the mean of a judge's ratings, so each answer and turn
-- must count once. The prompt (name and text hash) is kept per rating, since
-- MT-Bench rates turn 1, turn 2 and reference-guided questions with different
-- prompts; a rating under another prompt text is a conflict, not a new row.
-- score is NULL exactly when the rating is an error (FastChat writes -1):
-- the error says why and judgment keeps the raw reply.

CREATE TABLE ratings (
    id          INTEGER PRIMARY KEY,
    judge_id    INTEGER NOT NULL REFERENCES judges(id),
    prompt      TEXT NOT NULL DEFAULT '',
    prompt_hash TEXT NOT NULL DEFAULT '',
    question_id INTEGER NOT NULL REFERENCES questions(question_id),
    model       TEXT NOT NULL,
    turn        INTEGER NOT NULL CHECK (turn >= 1),
    score       REAL CHECK (score >= 1 AND score <= 10),
    error       TEXT,
    judgment    TEXT NOT NULL DEFAULT '',
    user_prompt TEXT NOT NULL DEFAULT '',
    tokens_in   INTEGER,
    tokens_out  INTEGER,
    latency_ms  INTEGER,
    created_at  TEXT NOT NULL,
    source      TEXT NOT NULL DEFAULT '',
    CHECK ((score IS NULL) = (error IS NOT NULL)),
    UNIQUE (judge_id, question_id, model, turn)
);
CREATE INDEX ratings_question ON ratings(question_id);
