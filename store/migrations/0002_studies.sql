-- Annotation studies: a fixed set of items (question, model pair, turns to
-- vote) drawn once from the imported data. Each annotator's order and
-- left/right placement are derived from (seed, annotator name), not stored.

CREATE TABLE studies (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    instructions   TEXT NOT NULL DEFAULT '',
    spec           TEXT NOT NULL,            -- JSON StudySpec as created
    seed           INTEGER NOT NULL,
    show_reference INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL
);

CREATE TABLE study_items (
    study_id    INTEGER NOT NULL REFERENCES studies(id),
    pos         INTEGER NOT NULL,            -- 0-based, in canonical order
    question_id INTEGER NOT NULL REFERENCES questions(question_id),
    model_a     TEXT NOT NULL,
    model_b     TEXT NOT NULL,
    turns       TEXT NOT NULL,               -- turns to vote, e.g. "1,2"
    PRIMARY KEY (study_id, pos),
    CHECK (model_a < model_b)
) WITHOUT ROWID;

-- Partial: imported votes (no study) stay out of it, which keeps bulk imports fast.
CREATE INDEX votes_study ON votes(study_id, annotator_id, withdrawn_at) WHERE study_id IS NOT NULL;
