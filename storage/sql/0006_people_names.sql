-- The name and post the office knows a person by (姓名, 职务), given at binding. The
-- Telegram name in `name` stays what Telegram says; reports are signed 姓名（职务） when known.
ALTER TABLE people ADD COLUMN full_name TEXT;
ALTER TABLE people ADD COLUMN title TEXT;
