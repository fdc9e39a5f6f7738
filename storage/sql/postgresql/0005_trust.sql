-- Trust under faults.
-- The outbox keeps each chat's order by when a message is meant to go (not_before_ts, then
-- id), and a retry waits in retry_at_ts without moving the message in that order: a
-- reminder held for quiet hours no longer holds up a reply sent before them.
ALTER TABLE outbox ADD COLUMN retry_at_ts DOUBLE PRECISION NOT NULL DEFAULT 0;
CREATE INDEX outbox_chat_order ON outbox(chat_id, not_before_ts, id)
    WHERE status IN ('pending', 'sending');

-- A code shown to a group is burned: nobody may bind with it any more.
ALTER TABLE bind_codes ADD COLUMN burned_at TEXT;

-- A contact may keep a draft aside (shelved) while reporting on another problem; at most
-- one draft per person is the open one.
CREATE TABLE report_drafts_new (
    person_id   BIGINT NOT NULL REFERENCES people(id),
    problem_id  BIGINT NOT NULL REFERENCES problems(id),
    chat_id     BIGINT NOT NULL,
    step        TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    shelved     BIGINT NOT NULL DEFAULT 0,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (person_id, problem_id)
);
INSERT INTO report_drafts_new (person_id, problem_id, chat_id, step, data, updated_at)
    SELECT person_id, problem_id, chat_id, step, data, updated_at FROM report_drafts
    WHERE problem_id IS NOT NULL;
DROP TABLE report_drafts;
ALTER TABLE report_drafts_new RENAME TO report_drafts;
CREATE UNIQUE INDEX report_drafts_open ON report_drafts(person_id) WHERE shelved = 0;
