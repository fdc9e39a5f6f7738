-- Signal, not noise.
-- Each problem carries when it was last reported on (withdrawn reports do not count), so
-- the duty clock reads the ledger in one scan instead of grouping every report ever made.
ALTER TABLE problems ADD COLUMN last_report_at TEXT;
ALTER TABLE problems ADD COLUMN last_report_id INTEGER;
UPDATE problems SET
    last_report_at = (SELECT MAX(created_at) FROM reports r
                      WHERE r.problem_id = problems.id AND r.withdrawn_at IS NULL),
    last_report_id = (SELECT MAX(id) FROM reports r
                      WHERE r.problem_id = problems.id AND r.withdrawn_at IS NULL);

-- The digests count a day's and a week's reports per unit.
CREATE INDEX reports_created ON reports(created_at);

-- A scheduled duty (a day's to-do for every unit, the red list, a digest) is done once:
-- its row is written in the transaction that queues its messages.
CREATE TABLE duty_runs (
    key      TEXT PRIMARY KEY,       -- todo:2026-11-27, red:2026-11-27, daily:…, weekly:…
    kind     TEXT NOT NULL,
    day      TEXT NOT NULL,          -- the working day it belongs to (ISO date)
    done_at  TEXT NOT NULL,
    messages INTEGER NOT NULL        -- how many messages it queued
);
CREATE INDEX duty_runs_kind ON duty_runs(kind, day);

-- 移交纪检监察: an overdue item handed to the discipline commission for re-supervision.
CREATE TABLE transfers (
    id          INTEGER PRIMARY KEY,
    problem_id  INTEGER NOT NULL REFERENCES problems(id),
    to_whom     TEXT NOT NULL,           -- e.g. 县纪委监委
    note        TEXT NOT NULL DEFAULT '',
    by_person_id INTEGER REFERENCES people(id),
    by_label    TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX transfers_problem ON transfers(problem_id, id);
