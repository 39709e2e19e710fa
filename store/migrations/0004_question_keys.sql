-- Questions get a key as their files spell it: MT-Bench's integer 81, Arena-Hard's
-- hex uid, "writing_1", a URL. question_id stays the integer row key that every
-- other table references (nothing else is rewritten); a key that is a canonical
-- integer is its own question_id, any other key gets one from a reserved range
-- (from 2^40, see store/question_key.go).

ALTER TABLE questions ADD COLUMN key TEXT;
UPDATE questions SET key = CAST(question_id AS TEXT);
CREATE UNIQUE INDEX questions_key ON questions(key);

-- NOT NULL without rebuilding the table (ALTER TABLE cannot add it): a row
-- written without a key gets its id as its key, and no key is cleared.
CREATE TRIGGER questions_key_default AFTER INSERT ON questions WHEN NEW.key IS NULL
BEGIN
    UPDATE questions SET key = CAST(NEW.question_id AS TEXT) WHERE question_id = NEW.question_id;
END;
CREATE TRIGGER questions_key_not_null BEFORE UPDATE OF key ON questions WHEN NEW.key IS NULL
BEGIN
    SELECT RAISE(ABORT, 'NOT NULL constraint failed: questions.key');
END;
