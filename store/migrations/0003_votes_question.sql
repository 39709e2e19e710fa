-- Votes are found by question, not by the whole unit: a question has a few
-- hundred votes at most, which a unit query filters in well under a
-- millisecond, and the narrower index makes each imported vote cheaper to
-- write (one integer instead of the question, both model names and the turn).
DROP INDEX votes_unit;
CREATE INDEX votes_question ON votes(question_id);
