-- Notices are composed before they are sent, and remember whom they were sent to, so the
-- receipts count exactly the people who got one.
ALTER TABLE notices ADD COLUMN status TEXT NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'sent', 'cancelled'));
ALTER TABLE notices ADD COLUMN sent_at TEXT;

CREATE TABLE notice_recipients (
    notice_id   INTEGER NOT NULL REFERENCES notices(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (notice_id, person_id)
);
