-- The figures each 一周一汇总 reported, so the next one can say what changed since.
CREATE TABLE weekly_figures (
    period      TEXT PRIMARY KEY,              -- ISO week, e.g. 2026-W47
    total       INTEGER NOT NULL,
    closed      INTEGER NOT NULL,
    awaiting    INTEGER NOT NULL,
    created_at  TEXT NOT NULL
);
