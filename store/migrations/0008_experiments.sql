-- Judge experiments (issue 13): a probe changes one controlled thing and
-- re-judges. Its verdicts are ordinary verdicts stored under a derived judge
-- name (probe_judge, e.g. "gpt-4@verbosity-1"), so the verdict tables and the
-- runner stay as they are and a probe resumes like any judge run; these
-- tables only say what each experiment is and which items it covers.

CREATE TABLE experiments (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind = 'verbosity' OR kind = 'reference' OR kind = 'position' OR kind = 'repeat'),
    judge       TEXT NOT NULL,            -- the judge probed
    probe_judge TEXT NOT NULL UNIQUE,     -- the judge name its verdicts are stored under
    settings    TEXT NOT NULL,            -- JSON: model, prompt set, sample, rewriter, ...
    created_at  TEXT NOT NULL
);

-- One item of an experiment: a unit (repeat, reference, position) or an
-- answer and its padded copy (verbosity: model_2 is the padded copy's
-- pseudo-model name and variant its turns as a JSON array of strings).
CREATE TABLE experiment_items (
    experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
    question_id   INTEGER NOT NULL,
    model_1       TEXT NOT NULL,
    model_2       TEXT NOT NULL,
    turn          INTEGER NOT NULL CHECK (turn >= 1),
    variant       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (experiment_id, question_id, model_1, model_2, turn)
);
