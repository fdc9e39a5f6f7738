-- The whole domain: the ledger, people and chats, reports and reviews, notices,
-- the inbox and outbox, and the audit log. Times are UTC ISO-8601 text unless the
-- column name ends in _ts (unix seconds, for scheduling arithmetic). Dates are YYYY-MM-DD.

CREATE TABLE rounds (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,          -- 巡察轮次, e.g. 十四届县委第六轮巡察
    kind        TEXT,                          -- 常规巡察 / 专项巡察 / 提级巡察 / 交叉巡察 / 回头看
    created_at  TEXT NOT NULL
);

CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,          -- 被巡察单位
    created_at  TEXT NOT NULL
);

CREATE TABLE problems (
    id            INTEGER PRIMARY KEY,
    round_id      INTEGER NOT NULL REFERENCES rounds(id),
    code          TEXT NOT NULL,               -- 问题编号, unique within a round
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    category      TEXT NOT NULL,               -- 问题类别
    description   TEXT NOT NULL,               -- 问题描述
    measures      TEXT NOT NULL DEFAULT '',    -- 整改措施
    leader_name   TEXT NOT NULL DEFAULT '',    -- 责任领导
    owner_name    TEXT NOT NULL DEFAULT '',    -- 责任人
    deadline      TEXT,                        -- 整改时限; NULL for 长期坚持
    kind          TEXT NOT NULL CHECK (kind IN ('immediate', 'deadline', 'ongoing')),
    status        TEXT NOT NULL DEFAULT 'imported'
                  CHECK (status IN ('imported', 'in_progress', 'awaiting_acceptance', 'closed')),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    closed_at     TEXT,
    UNIQUE (round_id, code)
);
-- Covers /stats' one scan (grouped by unit, category, round) and a unit's own lookups.
CREATE INDEX problems_unit ON problems(unit_id, category, round_id, status, kind, deadline);
CREATE INDEX problems_code ON problems(code);

CREATE TABLE people (
    id            INTEGER PRIMARY KEY,
    tg_user_id    INTEGER NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    username      TEXT,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL
);

-- A person may hold several roles (an admin may also be a leader); a contact belongs
-- to one unit. Revoking keeps the row: who was bound when stays answerable.
CREATE TABLE roles (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    role        TEXT NOT NULL CHECK (role IN ('admin', 'contact', 'leader')),
    unit_id     INTEGER REFERENCES units(id),
    granted_at  TEXT NOT NULL,
    granted_by  INTEGER REFERENCES people(id),
    code_id     INTEGER REFERENCES bind_codes(id),
    revoked_at  TEXT,
    revoked_by  INTEGER REFERENCES people(id),
    CHECK ((role = 'contact') = (unit_id IS NOT NULL))
);
CREATE UNIQUE INDEX roles_active ON roles(person_id, role) WHERE revoked_at IS NULL;
CREATE INDEX roles_unit ON roles(unit_id) WHERE revoked_at IS NULL;

-- Chats the bot knows: private chats and groups, and what a group is registered as.
CREATE TABLE chats (
    chat_id         INTEGER PRIMARY KEY,
    type            TEXT NOT NULL,             -- private / group / supergroup / channel
    title           TEXT NOT NULL DEFAULT '',
    purpose         TEXT CHECK (purpose IN ('office', 'leaders', 'unit')),
    unit_id         INTEGER REFERENCES units(id),
    registered_by   INTEGER REFERENCES people(id),
    registered_at   TEXT,
    active          INTEGER NOT NULL DEFAULT 1, -- 0 once Telegram answered 403
    inactive_since  TEXT,
    inactive_reason TEXT,
    CHECK ((purpose = 'unit') = (unit_id IS NOT NULL))
);
CREATE UNIQUE INDEX chats_one_office ON chats(purpose) WHERE purpose = 'office';

CREATE TABLE bind_codes (
    id          INTEGER PRIMARY KEY,
    code_hash   TEXT NOT NULL UNIQUE,          -- sha256 of the normalised code; the code is never stored
    role        TEXT NOT NULL CHECK (role IN ('admin', 'contact', 'leader')),
    unit_id     INTEGER REFERENCES units(id),
    created_by  INTEGER REFERENCES people(id), -- NULL: issued from the command line
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    used_by     INTEGER REFERENCES people(id),
    CHECK ((role = 'contact') = (unit_id IS NOT NULL))
);

CREATE TABLE bind_failures (
    id          INTEGER PRIMARY KEY,
    tg_user_id  INTEGER NOT NULL,
    at_ts       REAL NOT NULL
);
CREATE INDEX bind_failures_user ON bind_failures(tg_user_id, at_ts);

CREATE TABLE extension_requests (
    id                 INTEGER PRIMARY KEY,
    problem_id         INTEGER NOT NULL REFERENCES problems(id),
    person_id          INTEGER NOT NULL REFERENCES people(id),
    requested_deadline TEXT NOT NULL,
    reason             TEXT NOT NULL,
    status             TEXT NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at         TEXT NOT NULL,
    decided_by         INTEGER REFERENCES people(id),
    decided_at         TEXT,
    decision_reason    TEXT
);

CREATE TABLE deadline_changes (
    id            INTEGER PRIMARY KEY,
    problem_id    INTEGER NOT NULL REFERENCES problems(id),
    old_deadline  TEXT,
    new_deadline  TEXT,
    reason        TEXT NOT NULL,
    changed_by    INTEGER REFERENCES people(id),
    changed_at    TEXT NOT NULL,
    extension_id  INTEGER REFERENCES extension_requests(id)
);

-- 整改进展: every report is kept; a withdrawn one is marked, never deleted.
CREATE TABLE reports (
    id              INTEGER PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,      -- the receipt number the contact reads
    problem_id      INTEGER NOT NULL REFERENCES problems(id),
    person_id       INTEGER NOT NULL REFERENCES people(id),
    claim           TEXT NOT NULL CHECK (claim IN ('progress', 'completed')),
    text            TEXT NOT NULL DEFAULT '',
    recovered_wan_x100  INTEGER CHECK (recovered_wan_x100 >= 0), -- 挽回损失 in 0.01 万元
    rules_count     INTEGER CHECK (rules_count >= 0),            -- 新建/完善制度
    accountable_count INTEGER CHECK (accountable_count >= 0),    -- 问责 (人)
    leads_count     INTEGER CHECK (leads_count >= 0),            -- 移交问题线索
    source_update_id INTEGER UNIQUE,           -- the update that confirmed it: one report per update
    chat_id         INTEGER,                   -- where it was made (a private chat or the unit's group)
    status_before   TEXT NOT NULL,             -- the problem's status before and after this report,
    status_after    TEXT NOT NULL,             -- so a withdrawal can undo exactly its own step
    created_at      TEXT NOT NULL,
    withdrawn_at    TEXT
);
CREATE INDEX reports_problem ON reports(problem_id, created_at);

CREATE TABLE attachments (
    id              INTEGER PRIMARY KEY,
    report_id       INTEGER NOT NULL REFERENCES reports(id),
    kind            TEXT NOT NULL CHECK (kind IN ('photo', 'document')),
    file_id         TEXT NOT NULL,
    file_unique_id  TEXT NOT NULL,
    file_name       TEXT,
    mime_type       TEXT,
    size            INTEGER,
    sha256          TEXT,                      -- NULL when the file could not be downloaded
    local_path      TEXT,
    note            TEXT,                      -- e.g. why it was not downloaded
    created_at      TEXT NOT NULL
);

-- A half-written report, kept so a restart loses nothing.
CREATE TABLE report_drafts (
    person_id   INTEGER PRIMARY KEY REFERENCES people(id),
    chat_id     INTEGER NOT NULL,
    problem_id  INTEGER REFERENCES problems(id),
    step        TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',    -- JSON: text parts, files, claim, figures
    updated_at  TEXT NOT NULL
);

-- 验收 and 退回, and decisions on extension requests.
CREATE TABLE reviews (
    id            INTEGER PRIMARY KEY,
    problem_id    INTEGER NOT NULL REFERENCES problems(id),
    report_id     INTEGER REFERENCES reports(id),
    extension_id  INTEGER REFERENCES extension_requests(id),
    decision      TEXT NOT NULL CHECK (decision IN ('approved', 'rejected', 'reopened')),
    reason        TEXT,
    reviewer_id   INTEGER NOT NULL REFERENCES people(id),
    created_at    TEXT NOT NULL
);

CREATE TABLE notices (
    id                INTEGER PRIMARY KEY,
    text              TEXT NOT NULL,
    file_id           TEXT,
    file_kind         TEXT CHECK (file_kind IN ('photo', 'document')),
    all_units         INTEGER NOT NULL DEFAULT 1,
    created_by        INTEGER NOT NULL REFERENCES people(id),
    created_at        TEXT NOT NULL,
    last_reminded_at  TEXT
);

CREATE TABLE notice_units (
    notice_id   INTEGER NOT NULL REFERENCES notices(id),
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (notice_id, unit_id)
);

CREATE TABLE notice_receipts (
    notice_id     INTEGER NOT NULL REFERENCES notices(id),
    person_id     INTEGER NOT NULL REFERENCES people(id),
    first_ack_at  TEXT NOT NULL,
    PRIMARY KEY (notice_id, person_id)
);

-- Durable inbox: a raw update is stored before the offset that confirms it advances.
CREATE TABLE inbox (
    update_id     INTEGER PRIMARY KEY,
    lane          TEXT NOT NULL,               -- updates of one lane (chat) are handled in order
    payload       TEXT NOT NULL,               -- the update's JSON as Telegram sent it
    received_at   TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'done', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    finished_at   TEXT,
    error         TEXT
);
CREATE INDEX inbox_pending ON inbox(status, update_id) WHERE status = 'new';

-- Outbox: every proactive message, keyed so it is sent once however often it is made.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    key              TEXT NOT NULL UNIQUE,
    chat_id          INTEGER NOT NULL,
    kind             TEXT NOT NULL,            -- reminder, digest, notice, copy, alert, …
    payload          TEXT NOT NULL,            -- JSON: text, buttons, file
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'uncertain', 'skipped')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    not_before_ts    REAL NOT NULL,            -- quiet hours and retry backoff push this forward
    created_at       TEXT NOT NULL,
    sent_at          TEXT,
    message_id       INTEGER,
    last_error       TEXT
);
CREATE INDEX outbox_due ON outbox(status, not_before_ts) WHERE status = 'pending';
CREATE INDEX outbox_chat ON outbox(chat_id, id);

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    actor_id      INTEGER REFERENCES people(id),
    actor_label   TEXT NOT NULL,               -- a name, or 'cli' / 'system'
    action        TEXT NOT NULL,               -- bind, setgroup, code, status, deadline, review, …
    entity        TEXT NOT NULL,               -- problem / person / chat / code / …
    entity_id     INTEGER,
    before        TEXT,                        -- JSON
    after         TEXT,                        -- JSON
    detail        TEXT
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);

CREATE TABLE bot_state (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
