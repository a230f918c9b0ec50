-- Quebec Sign Language (« LSQ ») was stored as `fqs`, which is the ISO 639-3 code of Fas,
-- a spoken language of Papua New Guinea; LSQ's code is `fcs` (IANA language subtag
-- registry). Rows written before move to the right tag. `fqs` stays readable as an alias
-- of LSQ, for what was written elsewhere (history, queued messages).
UPDATE interpreter_languages SET source_language = 'fcs' WHERE source_language = 'fqs';
UPDATE interpreter_languages SET target_language = 'fcs' WHERE target_language = 'fqs';
UPDATE requests SET source_language = 'fcs' WHERE source_language = 'fqs';
UPDATE requests SET target_language = 'fcs' WHERE target_language = 'fqs';
UPDATE requests SET alternative_language = 'fcs' WHERE alternative_language = 'fqs';
