-- A ledger import waiting for its admin's 确认导入: the validated rows, kept so the
-- preview survives a restart and the confirm applies exactly what was previewed.
CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    round_name  TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    rows        TEXT NOT NULL,                 -- JSON list of validated rows
    created_by  INTEGER NOT NULL REFERENCES people(id),
    chat_id     INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'applied', 'cancelled')),
    decided_at  TEXT
);
