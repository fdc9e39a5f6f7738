-- A person across platforms. Roles belong to a person; each platform knows the person by its
-- own id (an identity: Telegram a number, Feishu an open_id, …). Telegram's id stays on
-- people.tg_user_id for the Telegram adapter, now optional: a person first met on another
-- platform has none.
--
-- SQLite cannot drop NOT NULL in place: the table is rebuilt in this one transaction. The
-- other tables' references to people(id) are checked when it commits (deferred), after every
-- row is back under the same id: a row missing would refuse the commit, not lose a reference.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE people_before AS
    SELECT id, tg_user_id, name, username, created_at, last_seen_at, full_name, title
    FROM people;
DROP TABLE people;
CREATE TABLE people (
    id            INTEGER PRIMARY KEY,
    tg_user_id    INTEGER UNIQUE,                 -- NULL: not (yet) met on Telegram
    name          TEXT NOT NULL DEFAULT '',       -- as the platform last showed it
    username      TEXT,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    full_name     TEXT,                           -- 姓名, given at binding
    title         TEXT                            -- 职务
);
INSERT INTO people (id, tg_user_id, name, username, created_at, last_seen_at, full_name, title)
    SELECT id, tg_user_id, name, username, created_at, last_seen_at, full_name, title
    FROM people_before;
DROP TABLE people_before;

CREATE TABLE identities (
    platform    TEXT NOT NULL,                    -- telegram, feishu, dingtalk, wecom
    user_id     TEXT NOT NULL,                    -- the platform's id for the user, as text
    person_id   INTEGER NOT NULL REFERENCES people(id),
    linked_at   TEXT NOT NULL,
    PRIMARY KEY (platform, user_id)
);
CREATE INDEX identities_person ON identities(person_id);
INSERT INTO identities (platform, user_id, person_id, linked_at)
    SELECT 'telegram', CAST(tg_user_id AS TEXT), id, created_at FROM people;

-- Wrong binding codes count per platform account: the same number on two platforms is two
-- people.
ALTER TABLE bind_failures ADD COLUMN platform TEXT NOT NULL DEFAULT 'telegram';
DROP INDEX bind_failures_user;
CREATE INDEX bind_failures_user ON bind_failures(platform, tg_user_id, at_ts);

-- A bound person asks for a link code (/link) and sends it with /bind from another platform:
-- that platform's identity joins the person, with every role the person holds.
CREATE TABLE link_codes (
    id          INTEGER PRIMARY KEY,
    code_hash   TEXT NOT NULL UNIQUE,             -- as bind_codes: the code is never stored
    person_id   INTEGER NOT NULL REFERENCES people(id),
    platform    TEXT NOT NULL,                    -- where it was issued: it links another
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    used_on     TEXT,                             -- platform:user_id that used it
    burned_at   TEXT                              -- shown in a group: void
);

-- The open 姓名/职务 question is the person's now, not their Telegram id's.
UPDATE bot_state
    SET key = 'name_wait:person:'
        || (SELECT p.id FROM people p WHERE 'name_wait:' || p.tg_user_id = bot_state.key)
    WHERE key LIKE 'name_wait:%'
      AND EXISTS (SELECT 1 FROM people p WHERE 'name_wait:' || p.tg_user_id = bot_state.key);
