-- Concord's first schema: the MT-Bench entities, human votes and judge verdicts.

CREATE TABLE questions (
    question_id  INTEGER PRIMARY KEY,
    category     TEXT NOT NULL,
    turns        TEXT NOT NULL,            -- JSON array of strings
    reference    TEXT,                     -- JSON array of strings, from question.jsonl
    source       TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL
);

CREATE TABLE models (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE answers (
    question_id  INTEGER NOT NULL REFERENCES questions(question_id),
    model_id     INTEGER NOT NULL REFERENCES models(id),
    turns        TEXT NOT NULL,            -- JSON array of strings
    answer_id    TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL,
    PRIMARY KEY (question_id, model_id)
) WITHOUT ROWID;

CREATE TABLE reference_answers (
    question_id  INTEGER NOT NULL REFERENCES questions(question_id),
    model        TEXT NOT NULL,
    turns        TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    PRIMARY KEY (question_id, model)
) WITHOUT ROWID;

CREATE TABLE prompts (
    name            TEXT PRIMARY KEY,
    type            TEXT NOT NULL,
    system_prompt   TEXT NOT NULL,
    prompt_template TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    category        TEXT NOT NULL DEFAULT '',
    output_format   TEXT NOT NULL DEFAULT '',
    hash            TEXT NOT NULL
);

CREATE TABLE annotators (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    grp  TEXT NOT NULL
);

CREATE TABLE judges (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    model       TEXT NOT NULL,
    base_url    TEXT NOT NULL DEFAULT '',
    config_json TEXT NOT NULL DEFAULT '{}',
    config_hash TEXT NOT NULL DEFAULT ''
);

-- votes is an append-only log: undo marks a row withdrawn, never deletes it.
-- model_a < model_b always (canonical order); winner is in those terms.
CREATE TABLE votes (
    id           INTEGER PRIMARY KEY,
    uid          TEXT NOT NULL UNIQUE,
    annotator_id INTEGER NOT NULL REFERENCES annotators(id),
    question_id  INTEGER NOT NULL REFERENCES questions(question_id),
    model_a      TEXT NOT NULL,
    model_b      TEXT NOT NULL,
    turn         INTEGER NOT NULL CHECK (turn >= 1),
    winner       TEXT NOT NULL CHECK (winner IN ('model_a','model_b','tie','both_bad','skip')),
    left_model   TEXT,
    study_id     INTEGER,
    created_at   TEXT NOT NULL,
    time_ms      INTEGER NOT NULL DEFAULT 0,
    rationale    TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL DEFAULT '',
    withdrawn_at TEXT,
    CHECK (model_a < model_b)
);
CREATE INDEX votes_unit ON votes(question_id, model_a, model_b, turn);

-- One row per judge and unit; g1 shows model_1 first, g2 shows model_2 first.
CREATE TABLE verdicts (
    id             INTEGER PRIMARY KEY,
    judge_id       INTEGER NOT NULL REFERENCES judges(id),
    prompt         TEXT NOT NULL DEFAULT '',
    prompt_hash    TEXT NOT NULL DEFAULT '',
    question_id    INTEGER NOT NULL REFERENCES questions(question_id),
    model_1        TEXT NOT NULL,
    model_2        TEXT NOT NULL,
    turn           INTEGER NOT NULL CHECK (turn >= 1),
    combined       TEXT CHECK (combined IN ('model_1','model_2','tie','inconsistent','error')),
    g1_winner      TEXT CHECK (g1_winner IN ('model_1','model_2','tie','error')),
    g1_judgment    TEXT,
    g1_user_prompt TEXT,
    g1_tokens_in   INTEGER,
    g1_tokens_out  INTEGER,
    g1_latency_ms  INTEGER,
    g1_error       TEXT,
    g1_at          TEXT,
    g2_winner      TEXT CHECK (g2_winner IN ('model_1','model_2','tie','error')),
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
CREATE INDEX verdicts_unit ON verdicts(question_id, model_1, model_2, turn);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
