-- Who may do what, declared once: the table kammer_internal.permissions names the group each
-- of kammer_core's Permissions needs (the groups hold each other: kammer_admin holds
-- kammer_sachbearbeitung, which holds kammer_hotline). kammer_internal.acting_clerk enforces
-- it in every clerk's function; the desk reads the signed-in clerk's own permissions
-- (kammer_api.my_permissions) for its buttons, its menus and its early refusals, so what it
-- offers and what the database accepts cannot drift apart.
--
-- The table belongs to the owner. No login may write it, and only the functions read it.

set local role kammer_owner;

create table kammer_internal.permissions (
    permission text primary key,
    group_name text not null check (group_name in ('kammer_hotline', 'kammer_sachbearbeitung', 'kammer_admin'))
);

insert into kammer_internal.permissions (permission, group_name) values
    ('lookup', 'kammer_hotline'),
    ('handle_codes', 'kammer_hotline'),
    ('withdraw_on_behalf', 'kammer_hotline'),
    ('approve', 'kammer_sachbearbeitung'),
    ('reject', 'kammer_sachbearbeitung'),
    ('revoke_zuordnung', 'kammer_sachbearbeitung'),
    ('export', 'kammer_sachbearbeitung'),
    ('manage_clerks', 'kammer_admin'),
    ('manage_policy', 'kammer_admin'),
    ('read_outbox', 'kammer_admin'),
    ('import_handwerksrolle', 'kammer_admin');

-- The group a permission needs; null for a name the table does not know.
create or replace function kammer_internal.permission_group(p_permission text) returns text
language sql stable
return (select p.group_name from kammer_internal.permissions p where p.permission = p_permission);

-- The clerk of this session, allowed `p_permission` — or the refusal. Superusers are refused
-- too: no person works with the keys to everything. A permission the table does not know is
-- refused as well (before, its null group let the check pass).
create or replace function kammer_internal.acting_clerk(p_permission text) returns clerks
language plpgsql stable
as $$
declare
    v clerks;
    v_group text := kammer_internal.permission_group(p_permission);
begin
    if (select rolsuper from pg_roles where rolname = session_user) then
        perform kammer_internal.refuse('KD403', 'superuser_refused', jsonb_build_object('login', session_user));
    end if;
    select * into v from clerks where username = session_user;
    if not found or v.disabled_at is not null then
        perform kammer_internal.refuse('KD403', 'not_a_clerk', jsonb_build_object('login', session_user));
    end if;
    if v_group is null then
        raise exception 'no group for the permission %', p_permission;
    end if;
    if not pg_has_role(session_user, v_group, 'MEMBER') then
        perform kammer_internal.refuse('KD403', 'role_forbids', jsonb_build_object(
            'permission', p_permission, 'role', kammer_internal.role_of(session_user)));
    end if;
    return v;
end
$$;

-- The signed-in clerk's permissions, as the desk offers them. Anyone but a clerk is refused.
create function kammer_api.my_permissions() returns setof text
language plpgsql stable security definer
set search_path = pg_catalog, public, pg_temp
as $$
begin
    perform kammer_internal.acting_clerk('lookup');
    return query
        select p.permission from kammer_internal.permissions p
        where pg_has_role(session_user, p.group_name, 'MEMBER')
        order by p.permission;
end
$$;

revoke all on all functions in schema kammer_internal from public;
revoke all on function kammer_api.my_permissions() from public;
grant execute on function kammer_api.my_permissions() to kammer_hotline;

-- sqlx records the migration as the user who runs it.
reset role;
