-- An interpreter with no request type matches nothing, and nobody is told why: profiles
-- made before new interpreters took every type by default (an import, an empty form)
-- take every type now. Interpreters who chose some keep their choice.
WITH every_type(request_type) AS (
    VALUES ('in_person'), ('phone'), ('video'), ('message_transmission'), ('translation'),
           ('permanence'), ('professional_service')
)
INSERT INTO interpreter_request_types (person_id, request_type)
SELECT p.person_id, t.request_type
FROM interpreter_profiles p CROSS JOIN every_type t
WHERE NOT EXISTS (SELECT 1 FROM interpreter_request_types r WHERE r.person_id = p.person_id);
