-- The request form sets every field of the seeds (issue 19): the type of interpreter
-- (BI du RSSS or external provider), the person who receives the interpreter on site, and
-- « Demande supplémentaire ». Phones keep their extension in the same column
-- (`+15145550100;ext=123`). The duplicate check reads (requested_by, starts_at), which
-- requests_requested_by_idx already covers.
ALTER TABLE requests ADD COLUMN interpreter_type TEXT;
ALTER TABLE requests ADD COLUMN on_site_name TEXT;
ALTER TABLE requests ADD COLUMN on_site_phone TEXT;
ALTER TABLE requests ADD COLUMN supplementary BOOLEAN NOT NULL DEFAULT FALSE;
-- « Service professionnel », beside « Traduction de documents » in the seeds' request types.
ALTER TABLE requests DROP CONSTRAINT requests_type_check;
ALTER TABLE requests ADD CONSTRAINT requests_type_check CHECK (request_type IN ('in_person', 'phone', 'video',
    'message_transmission', 'translation', 'permanence', 'professional_service'));
