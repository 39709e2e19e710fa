-- Study packages: one SQLite file per annotator, in Concord's own schema,
-- holding only that annotator's items under per-package model aliases.
-- The lead's database keeps what the packages must not: which model each
-- alias stands for, the secret of each package's digest, the gold items'
-- known answers. A package keeps its fixed queue in study_queue.

-- A database's identity, so a package names the database it came from.
INSERT OR IGNORE INTO meta(key, value) VALUES ('db_id', lower(hex(randomblob(16))));

-- The lead's side: one row per package made.
CREATE TABLE study_packages (
    id          TEXT PRIMARY KEY,             -- random, also in the package's meta
    study_id    INTEGER NOT NULL REFERENCES studies(id),
    annotator   TEXT NOT NULL,
    secret      TEXT NOT NULL,                -- HMAC key of the package's digest; never leaves this database
    digest      TEXT NOT NULL,
    items       INTEGER NOT NULL,             -- study items packed (gold items excluded)
    gold        INTEGER NOT NULL DEFAULT 0,
    file        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    returned_at TEXT,                          -- last import of the package
    UNIQUE (study_id, annotator)
);

-- alias -> model; a gold item's broken answer has an alias of its own and no model.
CREATE TABLE study_package_aliases (
    package_id TEXT NOT NULL REFERENCES study_packages(id),
    alias      TEXT NOT NULL,
    model      TEXT NOT NULL DEFAULT '',
    gold       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (package_id, alias)
) WITHOUT ROWID;

-- The gold items of a package: the real answer's alias is the right choice.
CREATE TABLE study_package_gold (
    package_id  TEXT NOT NULL REFERENCES study_packages(id),
    question_id INTEGER NOT NULL,
    good_alias  TEXT NOT NULL,
    bad_alias   TEXT NOT NULL,
    kind        TEXT NOT NULL,                -- 'truncated' or 'other_question'
    PRIMARY KEY (package_id, bad_alias)
) WITHOUT ROWID;

-- Choices on gold items, kept apart from votes so no agreement statistic sees them.
CREATE TABLE study_gold_votes (
    uid          TEXT PRIMARY KEY,
    package_id   TEXT NOT NULL REFERENCES study_packages(id),
    bad_alias    TEXT NOT NULL,
    turn         INTEGER NOT NULL,
    choice       TEXT NOT NULL,               -- 'good', 'bad', 'tie', 'both_bad' or 'skip'
    correct      INTEGER NOT NULL,
    time_ms      INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    withdrawn_at TEXT
) WITHOUT ROWID;

-- Annotators the lead left out of a study's report (reversible).
CREATE TABLE study_excluded (
    study_id    INTEGER NOT NULL REFERENCES studies(id),
    annotator   TEXT NOT NULL,
    excluded_at TEXT NOT NULL,
    PRIMARY KEY (study_id, annotator)
) WITHOUT ROWID;

-- The package's side: a study whose queue is fixed (order and left model per
-- item) instead of derived from (seed, annotator).
CREATE TABLE study_queue (
    study_id   INTEGER NOT NULL REFERENCES studies(id),
    ord        INTEGER NOT NULL,
    pos        INTEGER NOT NULL,
    left_model TEXT NOT NULL,
    PRIMARY KEY (study_id, ord)
) WITHOUT ROWID;
