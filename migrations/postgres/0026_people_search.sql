-- The coordinators' People page (issue #20) searches people by name, address, phones and
-- user code whatever the accents and case: `search_key` holds those, folded by Relais
-- (`domain::text::fold`: lower case, no accents, punctuation as spaces) and the phones'
-- digits once more, written with the person. The rows written before this migration get
-- theirs when the store migrates (`Store::migrate`), NULL until then.
ALTER TABLE people ADD COLUMN search_key TEXT;

-- The page lists people by name, fifty at a time.
CREATE INDEX people_name_idx ON people (last_name, first_name, id);
