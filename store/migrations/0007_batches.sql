-- Judge runs handed to a provider's Batch API: one row per uploaded part,
-- recorded before any request is sent, and one row per request line, so a
-- restart finds every batch again and no game is sent in two live batches.

CREATE TABLE batches (
    id           INTEGER PRIMARY KEY,
    judge_id     INTEGER NOT NULL REFERENCES judges(id),
    kind         TEXT NOT NULL DEFAULT 'pairwise',  -- which tasks the lines are (pairwise, single)
    run_json     TEXT NOT NULL,                     -- the run's request, never the key: rebuilds the tasks on resume
    base_url     TEXT NOT NULL DEFAULT '',
    nonce        TEXT NOT NULL UNIQUE,              -- sent as the provider batch's metadata, to find it after a crash
    file_id      TEXT,                              -- the uploaded request file, once uploaded
    remote_id    TEXT UNIQUE,                       -- the provider's batch id, once created
    status       TEXT NOT NULL DEFAULT 'preparing', -- preparing, uploaded, then the provider's status
    requests     INTEGER NOT NULL DEFAULT 0,
    completed    INTEGER NOT NULL DEFAULT 0,        -- the provider's counts
    failed       INTEGER NOT NULL DEFAULT 0,
    output_file  TEXT,
    error_file   TEXT,
    ingested     INTEGER NOT NULL DEFAULT 0,        -- 1 once every result line is stored
    error        TEXT,                              -- why the batch failed, as the provider says
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX batches_open ON batches(ingested);

CREATE TABLE batch_lines (
    batch_id  INTEGER NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
    custom_id TEXT NOT NULL,
    state     TEXT NOT NULL DEFAULT 'sent' CHECK (state = 'sent' OR state = 'done' OR state = 'failed'),
    error     TEXT,
    PRIMARY KEY (batch_id, custom_id)
) WITHOUT ROWID;
CREATE INDEX batch_lines_custom ON batch_lines(custom_id);
