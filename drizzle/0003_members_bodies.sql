-- The five Bezirksregierungen as bodies that can be members (reference data).
INSERT INTO "bodies" ("key", "kind", "name", "rb_ags", "seat") VALUES
  ('BR-051', 'bezirksregierung', 'Bezirksregierung Düsseldorf', '051', 'Düsseldorf'),
  ('BR-053', 'bezirksregierung', 'Bezirksregierung Köln', '053', 'Köln'),
  ('BR-055', 'bezirksregierung', 'Bezirksregierung Münster', '055', 'Münster'),
  ('BR-057', 'bezirksregierung', 'Bezirksregierung Detmold', '057', 'Detmold'),
  ('BR-059', 'bezirksregierung', 'Bezirksregierung Arnsberg', '059', 'Arnsberg')
ON CONFLICT ("key") DO NOTHING;
