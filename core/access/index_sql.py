"""SQL of the profile access index (see ``core.models.access_index``), PostgreSQL only.

``INSTALL`` creates the trigger functions and triggers; ``REBUILD`` empties the index
and derives it again from the profiles, teams and permission rows (used by the
migration for existing data, and by ``bench.seed`` after loading with triggers off);
``UNINSTALL`` removes the triggers."""

from __future__ import annotations

USER = 1 << 40
ORG_ADMIN = 2 << 40

_LEVEL = (
    "CASE split_part(p.codename, '_', 1) WHEN 'view' THEN 10 WHEN 'contribute' THEN 20 "
    "WHEN 'manage' THEN 30 END"
)
_COLUMNS = "principal, profile_id, level, expires_at, last_name, first_name, source, source_id"
_VERBS = "split_part(p.codename, '_', 1) IN ('view', 'contribute', 'manage')"

INSTALL = f"""
CREATE OR REPLACE FUNCTION core_profile_access_owner_rows(pid bigint) RETURNS void AS $$
    INSERT INTO core_profileaccessentry ({_COLUMNS})
    SELECT t.group_id, pr.id, 30, NULL::timestamptz, pr.last_name, pr.first_name, 0, 0
      FROM core_profile pr JOIN core_team t ON t.id = pr.owner_team_id WHERE pr.id = pid
    UNION ALL
    SELECT {ORG_ADMIN} + t.organisation_id, pr.id, 30, NULL::timestamptz, pr.last_name, pr.first_name, 0, 0
      FROM core_profile pr JOIN core_team t ON t.id = pr.owner_team_id WHERE pr.id = pid;
$$ LANGUAGE sql;

CREATE OR REPLACE FUNCTION core_profile_access_on_profile() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM core_profileaccessentry WHERE profile_id = OLD.id;
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM core_profile_access_owner_rows(NEW.id);
        RETURN NULL;
    END IF;
    IF NEW.owner_team_id IS DISTINCT FROM OLD.owner_team_id THEN
        DELETE FROM core_profileaccessentry WHERE profile_id = NEW.id AND source = 0;
        PERFORM core_profile_access_owner_rows(NEW.id);
    END IF;
    IF NEW.last_name IS DISTINCT FROM OLD.last_name OR NEW.first_name IS DISTINCT FROM OLD.first_name THEN
        UPDATE core_profileaccessentry SET last_name = NEW.last_name, first_name = NEW.first_name
         WHERE profile_id = NEW.id;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION core_profile_access_on_team() RETURNS trigger AS $$
BEGIN
    IF NEW.group_id IS DISTINCT FROM OLD.group_id
       OR NEW.organisation_id IS DISTINCT FROM OLD.organisation_id THEN
        DELETE FROM core_profileaccessentry a USING core_profile pr
         WHERE a.profile_id = pr.id AND pr.owner_team_id = NEW.id AND a.source = 0;
        PERFORM core_profile_access_owner_rows(pr.id) FROM core_profile pr WHERE pr.owner_team_id = NEW.id;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION core_profile_access_on_user_perm() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM core_profileaccessentry WHERE source = 1 AND source_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO core_profileaccessentry ({_COLUMNS})
        SELECT {USER} + NEW.user_id, pr.id, {_LEVEL}, NEW.expires_at, pr.last_name, pr.first_name, 1, NEW.id
          FROM auth_permission p, core_profile pr
         WHERE p.id = NEW.permission_id AND pr.id = NEW.content_object_id AND {_VERBS};
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION core_profile_access_on_group_perm() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM core_profileaccessentry WHERE source = 2 AND source_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO core_profileaccessentry ({_COLUMNS})
        SELECT NEW.group_id, pr.id, {_LEVEL}, NEW.expires_at, pr.last_name, pr.first_name, 2, NEW.id
          FROM auth_permission p, core_profile pr
         WHERE p.id = NEW.permission_id AND pr.id = NEW.content_object_id AND {_VERBS};
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER core_profile_access_profile
    AFTER INSERT OR DELETE OR UPDATE OF owner_team_id, last_name, first_name ON core_profile
    FOR EACH ROW EXECUTE FUNCTION core_profile_access_on_profile();
CREATE TRIGGER core_profile_access_team
    AFTER UPDATE OF group_id, organisation_id ON core_team
    FOR EACH ROW EXECUTE FUNCTION core_profile_access_on_team();
CREATE TRIGGER core_profile_access_user_perm
    AFTER INSERT OR UPDATE OR DELETE ON core_profileuserobjectpermission
    FOR EACH ROW EXECUTE FUNCTION core_profile_access_on_user_perm();
CREATE TRIGGER core_profile_access_group_perm
    AFTER INSERT OR UPDATE OR DELETE ON core_profilegroupobjectpermission
    FOR EACH ROW EXECUTE FUNCTION core_profile_access_on_group_perm();
"""

#: What the index must hold, derived afresh (the triggers keep the table equal to this).
DERIVE = f"""
SELECT t.group_id, pr.id, 30, NULL::timestamptz, pr.last_name, pr.first_name, 0, 0
  FROM core_profile pr JOIN core_team t ON t.id = pr.owner_team_id
UNION ALL
SELECT {ORG_ADMIN} + t.organisation_id, pr.id, 30, NULL::timestamptz, pr.last_name, pr.first_name, 0, 0
  FROM core_profile pr JOIN core_team t ON t.id = pr.owner_team_id
UNION ALL
SELECT {USER} + u.user_id, pr.id, {_LEVEL}, u.expires_at, pr.last_name, pr.first_name, 1, u.id
  FROM core_profileuserobjectpermission u
  JOIN auth_permission p ON p.id = u.permission_id
  JOIN core_profile pr ON pr.id = u.content_object_id
 WHERE {_VERBS}
UNION ALL
SELECT g.group_id, pr.id, {_LEVEL}, g.expires_at, pr.last_name, pr.first_name, 2, g.id
  FROM core_profilegroupobjectpermission g
  JOIN auth_permission p ON p.id = g.permission_id
  JOIN core_profile pr ON pr.id = g.content_object_id
 WHERE {_VERBS}
"""

REBUILD = f"TRUNCATE core_profileaccessentry; INSERT INTO core_profileaccessentry ({_COLUMNS}) {DERIVE};"

UNINSTALL = """
DROP TRIGGER IF EXISTS core_profile_access_profile ON core_profile;
DROP TRIGGER IF EXISTS core_profile_access_team ON core_team;
DROP TRIGGER IF EXISTS core_profile_access_user_perm ON core_profileuserobjectpermission;
DROP TRIGGER IF EXISTS core_profile_access_group_perm ON core_profilegroupobjectpermission;
DROP FUNCTION IF EXISTS core_profile_access_on_profile();
DROP FUNCTION IF EXISTS core_profile_access_on_team();
DROP FUNCTION IF EXISTS core_profile_access_on_user_perm();
DROP FUNCTION IF EXISTS core_profile_access_on_group_perm();
DROP FUNCTION IF EXISTS core_profile_access_owner_rows(bigint);
"""

#: Migration 0012 (issue 6, import speed): a profile's owner rows are written once per
#: INSERT *statement*, from its transition table, instead of once per row. The per-row
#: path called a SQL function that PostgreSQL plans on every call (~0.6 ms a profile,
#: 90 % of the cost of inserting a profile); a bulk insert of 1,000 profiles now pays
#: one planned INSERT … SELECT. Updates and deletes keep the row trigger.
STATEMENT_INSERT = f"""
CREATE OR REPLACE FUNCTION core_profile_access_on_profile_insert() RETURNS trigger AS $$
BEGIN
    INSERT INTO core_profileaccessentry ({_COLUMNS})
    SELECT t.group_id, n.id, 30, NULL::timestamptz, n.last_name, n.first_name, 0, 0
      FROM core_profile_access_new n JOIN core_team t ON t.id = n.owner_team_id
    UNION ALL
    SELECT {ORG_ADMIN} + t.organisation_id, n.id, 30, NULL::timestamptz, n.last_name, n.first_name, 0, 0
      FROM core_profile_access_new n JOIN core_team t ON t.id = n.owner_team_id;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS core_profile_access_profile ON core_profile;
CREATE TRIGGER core_profile_access_profile
    AFTER DELETE OR UPDATE OF owner_team_id, last_name, first_name ON core_profile
    FOR EACH ROW EXECUTE FUNCTION core_profile_access_on_profile();
CREATE TRIGGER core_profile_access_profile_insert
    AFTER INSERT ON core_profile REFERENCING NEW TABLE AS core_profile_access_new
    FOR EACH STATEMENT EXECUTE FUNCTION core_profile_access_on_profile_insert();
"""

#: The reverse of ``STATEMENT_INSERT``: back to the row trigger for inserts too.
ROW_INSERT = """
DROP TRIGGER IF EXISTS core_profile_access_profile_insert ON core_profile;
DROP FUNCTION IF EXISTS core_profile_access_on_profile_insert();
DROP TRIGGER IF EXISTS core_profile_access_profile ON core_profile;
CREATE TRIGGER core_profile_access_profile
    AFTER INSERT OR DELETE OR UPDATE OF owner_team_id, last_name, first_name ON core_profile
    FOR EACH ROW EXECUTE FUNCTION core_profile_access_on_profile();
"""

UNINSTALL += """
DROP TRIGGER IF EXISTS core_profile_access_profile_insert ON core_profile;
DROP FUNCTION IF EXISTS core_profile_access_on_profile_insert();
"""
