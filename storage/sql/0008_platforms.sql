-- One core for every chat platform.
-- An outbox row addresses a (platform, chat): on Telegram a chat by its id; a group robot
-- (WeCom, DingTalk, Feishu: push only) by the audience it was configured for (see
-- bot/services/reach.py: 1 the office, 2 the leaders). A chat's order is kept per platform.
ALTER TABLE outbox ADD COLUMN platform TEXT NOT NULL DEFAULT 'telegram';
DROP INDEX outbox_chat_order;
CREATE INDEX outbox_chat_order ON outbox(platform, chat_id, not_before_ts, id)
    WHERE status IN ('pending', 'sending');
DROP INDEX outbox_chat;
CREATE INDEX outbox_chat ON outbox(platform, chat_id, id);
