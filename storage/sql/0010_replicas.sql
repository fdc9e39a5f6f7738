-- Several replicas on one PostgreSQL database (bot/cluster.py).

-- Which replica put a message of the outbox on its way: when it dies, its unfinished sends
-- are known to be nobody's now.
ALTER TABLE outbox ADD COLUMN claimed_by BIGINT;

-- Every message a replica sends, written just before it goes out. The replica that takes a
-- chat over paces it from here (each process's own send journal is a local file the others
-- cannot read), and one that takes over a dead replica's sends reads here which went out.
-- Kept a few minutes.
CREATE TABLE chat_sends (
    chat_id     BIGINT NOT NULL,
    at_ts       DOUBLE PRECISION NOT NULL,
    replica     BIGINT NOT NULL,
    item        BIGINT
);
CREATE INDEX chat_sends_at ON chat_sends(at_ts);
CREATE INDEX chat_sends_item ON chat_sends(item) WHERE item IS NOT NULL;
