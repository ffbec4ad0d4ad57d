-- What the administration does: the chamber's policy, the clerks' logins, failed mails. And
-- what only first-time setup does, as a superuser: the first administrator, service logins.

set local role kammer_owner;

-- Changes the fields named in `p_change` (JSON, the names of the policy's columns); the
-- table's CHECKs guard the ranges. Returns the policy as it is now.
create function kammer_api.policy_set(p_change jsonb) returns policy
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_clerk clerks := kammer_internal.acting_clerk('manage_policy');
    v_before policy;
    v_after policy;
    v_field text;
begin
    select k into v_field from jsonb_object_keys(coalesce(p_change, '{}'::jsonb)) k
    where k not in ('code_lifetime_days', 'code_attempt_limit', 'resend_cooldown_seconds', 'sends_per_day',
                    'auto_approve_on_code', 'four_eyes_without_code', 'betrieb_sends_per_day',
                    'account_requests_per_day', 'chamber_name', 'hotline_phone', 'mail_from', 'portal_url')
    limit 1;
    if v_field is not null then
        perform kammer_internal.refuse('KD422', 'policy_invalid', jsonb_build_object('field', v_field));
    end if;
    if p_change ? 'mail_from' and (p_change->>'mail_from') !~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$' then
        perform kammer_internal.refuse('KD422', 'policy_invalid', jsonb_build_object('field', 'mail_from'));
    end if;
    if p_change ? 'chamber_name' and coalesce(btrim(p_change->>'chamber_name'), '') = '' then
        perform kammer_internal.refuse('KD422', 'policy_invalid', jsonb_build_object('field', 'chamber_name'));
    end if;
    select * into v_before from policy for update;
    begin
        update policy set
            code_lifetime_days = coalesce((p_change->>'code_lifetime_days')::integer, code_lifetime_days),
            code_attempt_limit = coalesce((p_change->>'code_attempt_limit')::integer, code_attempt_limit),
            resend_cooldown_seconds = coalesce((p_change->>'resend_cooldown_seconds')::integer, resend_cooldown_seconds),
            sends_per_day = coalesce((p_change->>'sends_per_day')::integer, sends_per_day),
            auto_approve_on_code = coalesce((p_change->>'auto_approve_on_code')::boolean, auto_approve_on_code),
            four_eyes_without_code = coalesce((p_change->>'four_eyes_without_code')::boolean, four_eyes_without_code),
            betrieb_sends_per_day = coalesce((p_change->>'betrieb_sends_per_day')::integer, betrieb_sends_per_day),
            account_requests_per_day = coalesce((p_change->>'account_requests_per_day')::integer, account_requests_per_day),
            chamber_name = coalesce(btrim(p_change->>'chamber_name'), chamber_name),
            hotline_phone = coalesce(btrim(p_change->>'hotline_phone'), hotline_phone),
            mail_from = coalesce(btrim(p_change->>'mail_from'), mail_from),
            portal_url = coalesce(btrim(p_change->>'portal_url'), portal_url),
            updated_at = now(),
            updated_by = v_clerk.id
        returning * into v_after;
    exception when check_violation or invalid_text_representation or numeric_value_out_of_range then
        perform kammer_internal.refuse('KD422', 'policy_invalid', jsonb_build_object('field', null));
    end;
    perform kammer_internal.audit('clerk', v_clerk.id, null, 'policy_changed', null, null,
        jsonb_build_object('before', to_jsonb(v_before) - 'singleton', 'after', to_jsonb(v_after) - 'singleton'));
    return v_after;
end
$$;

-- A new clerk: a login role in the group of `p_role`, allowed to connect to this database.
-- `p_verifier` is the SCRAM verifier of the first password (null: the directory signs in).
create function kammer_api.clerk_create(p_username text, p_display_name text, p_role text, p_verifier text)
returns bigint
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_clerk clerks := kammer_internal.acting_clerk('manage_clerks');
    v_username text := lower(btrim(p_username));
    v_id bigint;
begin
    v_id := kammer_internal.provision_clerk(v_username, p_display_name, p_role, p_verifier, false);
    perform kammer_internal.audit('clerk', v_clerk.id, null, 'clerk_added', null, null,
        jsonb_build_object('clerk_id', v_id, 'username', v_username, 'role', p_role, 'directory', p_verifier is null));
    return v_id;
end
$$;

create function kammer_api.clerk_set_role(p_username text, p_role text) returns void
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_clerk clerks := kammer_internal.acting_clerk('manage_clerks');
    v_target clerks := kammer_internal.clerk_by_username(p_username);
    v_from text := kammer_internal.role_of(v_target.username);
begin
    if v_target.id = v_clerk.id then
        perform kammer_internal.refuse('KD422', 'clerk_self_change');
    end if;
    if p_role is null or p_role not in ('hotline', 'sachbearbeitung', 'admin') then
        perform kammer_internal.refuse('KD422', 'role_invalid', jsonb_build_object('role', p_role));
    end if;
    perform kammer_internal.leave_clerk_groups(v_target.username);
    execute format('grant %I to %I', 'kammer_' || p_role, v_target.username);
    perform kammer_internal.audit('clerk', v_clerk.id, null, 'clerk_role_changed', null, null,
        jsonb_build_object('clerk_id', v_target.id, 'username', v_target.username, 'from', v_from, 'to', p_role));
end
$$;

-- Disables a clerk: the login can no longer sign in, and its open sessions end now.
create function kammer_api.clerk_disable(p_username text) returns void
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_clerk clerks := kammer_internal.acting_clerk('manage_clerks');
    v_target clerks := kammer_internal.clerk_by_username(p_username);
begin
    if v_target.id = v_clerk.id then
        perform kammer_internal.refuse('KD422', 'clerk_self_disable');
    end if;
    execute format('alter role %I nologin', v_target.username);
    update clerks set disabled_at = coalesce(disabled_at, now()) where id = v_target.id;
    perform kammer_internal.end_sessions(v_target.username);
    perform kammer_internal.audit('clerk', v_clerk.id, null, 'clerk_disabled', null, null,
        jsonb_build_object('clerk_id', v_target.id, 'username', v_target.username));
end
$$;

create function kammer_api.clerk_enable(p_username text) returns void
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_clerk clerks := kammer_internal.acting_clerk('manage_clerks');
    v_target clerks := kammer_internal.clerk_by_username(p_username);
begin
    execute format('alter role %I login', v_target.username);
    update clerks set disabled_at = null where id = v_target.id;
    perform kammer_internal.audit('clerk', v_clerk.id, null, 'clerk_enabled', null, null,
        jsonb_build_object('clerk_id', v_target.id, 'username', v_target.username));
end
$$;

-- A new password: every clerk for themselves; the administration for anyone else, which
-- also ends that clerk's open sessions (whoever had the old password is out).
create function kammer_api.clerk_set_password(p_username text, p_verifier text) returns void
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_self boolean := lower(btrim(p_username)) = session_user;
    v_clerk clerks := kammer_internal.acting_clerk(case when v_self then 'lookup' else 'manage_clerks' end);
    v_target clerks := kammer_internal.clerk_by_username(p_username);
begin
    if p_verifier is null or p_verifier !~ '^SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$' then
        perform kammer_internal.refuse('KD422', 'verifier_invalid');
    end if;
    execute format('alter role %I password %L', v_target.username, p_verifier);
    if not v_self then
        perform kammer_internal.end_sessions(v_target.username);
    end if;
    perform kammer_internal.audit('clerk', v_clerk.id, null, 'clerk_password_set', null, null,
        jsonb_build_object('clerk_id', v_target.id, 'username', v_target.username, 'by_admin', not v_self));
end
$$;

create function kammer_api.clerk_list()
returns table (id bigint, username text, display_name text, role text, disabled_at timestamptz,
               created_at timestamptz, can_login boolean)
language plpgsql stable security definer
set search_path = pg_catalog, public, pg_temp
as $$
#variable_conflict use_column
begin
    perform kammer_internal.acting_clerk('manage_clerks');
    return query
    select c.id, c.username, c.display_name, kammer_internal.role_of(c.username), c.disabled_at, c.created_at,
           coalesce(r.rolcanlogin, false)
    from clerks c left join pg_roles r on r.rolname = c.username
    order by c.username;
end
$$;

-- After IT fixed the mail server or an address: a mail waiting for its next attempt is
-- made due now; a failed one — whose code nobody ever received and whose plaintext is gone —
-- gets a fresh code in a new mail, while its Antrag still waits for one. Returns the ids of
-- the mails now queued.
create function kammer_api.outbox_retry(p_id bigint, p_reason text) returns setof bigint
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_clerk clerks := kammer_internal.acting_clerk('read_outbox');
    v_reason text := kammer_internal.reason(p_reason, true);
    v record;
    v_issued record;
begin
    if p_id is not null then
        select o.status into v from mail_outbox o where o.id = p_id;
        if not found then
            perform kammer_internal.refuse('KD404', 'outbox_not_found', jsonb_build_object('id', p_id));
        elsif v.status = 'sent' then
            perform kammer_internal.refuse('KD409', 'outbox_already_sent', jsonb_build_object('id', p_id));
        elsif v.status = 'cancelled' then
            perform kammer_internal.refuse('KD409', 'outbox_cancelled', jsonb_build_object('id', p_id));
        end if;
    end if;
    for v in
        select o.id, o.status, o.antrag_nr, o.recipient, a.betrieb_id
        from mail_outbox o
        join antraege a on a.nr = o.antrag_nr
        join confirmation_codes c on c.outbox_id = o.id
        where (o.id = p_id or (p_id is null and o.status = 'failed'))
          and o.status in ('queued', 'failed')
          and a.status = 'awaiting_code'
          and c.consumed_at is null and c.superseded_at is null and c.expires_at > now()
        order by o.id
        for update of o, a
    loop
        if v.status = 'queued' then
            update mail_outbox set next_attempt_at = now() where id = v.id;
            perform kammer_internal.audit('clerk', v_clerk.id, null, 'outbox_mail_requeued', v.antrag_nr, v.betrieb_id,
                jsonb_build_object('outbox_id', v.id, 'recipient', v.recipient));
            return next v.id;
        else
            select * into v_issued from kammer_internal.issue_code(v.antrag_nr, v_clerk.id, v_reason);
            perform kammer_internal.audit('clerk', v_clerk.id, null, 'code_resent', v.antrag_nr, v.betrieb_id,
                jsonb_build_object('reason', v_reason, 'prefix', v_issued.o_prefix, 'sent_to', v_issued.o_sent_to,
                                   'code_id', v_issued.o_code_id, 'outbox_id', v_issued.o_outbox_id,
                                   'replaces_outbox_id', v.id));
            return next v_issued.o_outbox_id;
        end if;
    end loop;
    if p_id is not null and not found then
        perform kammer_internal.refuse('KD409', 'outbox_code_dead', jsonb_build_object('id', p_id));
    end if;
end
$$;

-- First-time setup, as a superuser only: the first administrator of an empty database.
create function kammer_internal.bootstrap_admin(p_username text, p_display_name text, p_verifier text)
returns bigint
language plpgsql
as $$
declare
    v_id bigint;
begin
    lock table clerks in share row exclusive mode;
    if exists (select 1 from clerks) then
        perform kammer_internal.refuse('KD403', 'clerks_exist');
    end if;
    v_id := kammer_internal.provision_clerk(lower(btrim(p_username)), p_display_name, 'admin', p_verifier, false);
    insert into audit_events (actor_kind, action, details)
    values ('system', 'clerk_added', jsonb_build_object('clerk_id', v_id, 'username', lower(btrim(p_username)),
                                                        'role', 'admin', 'bootstrap', true));
    return v_id;
end
$$;

-- First-time setup, as a superuser only: a login for a service (portal, mail sender, report
-- jobs, Handwerksrolle import). A clerk administrator cannot make one: the mail sender
-- reads codes, and no person may.
create function kammer_internal.provision_service(p_login text, p_group text, p_verifier text, p_adopt boolean)
returns void
language plpgsql
as $$
begin
    if p_group not in ('kammer_portal', 'kammer_mailer', 'kammer_reporting', 'kammer_import') then
        perform kammer_internal.refuse('KD422', 'service_invalid', jsonb_build_object('group', p_group));
    end if;
    if p_login is null or p_login !~ '^[a-z0-9._-]{2,63}$' then
        perform kammer_internal.refuse('KD422', 'username_invalid');
    end if;
    if exists (select 1 from clerks where username = p_login) then
        perform kammer_internal.refuse('KD409', 'login_exists', jsonb_build_object('username', p_login));
    end if;
    if exists (select 1 from pg_roles where rolname = p_login) then
        if not p_adopt or exists (select 1 from pg_roles where rolname = p_login
                                  and (rolsuper or rolcreaterole or rolcreatedb or rolreplication or rolbypassrls)) then
            perform kammer_internal.refuse('KD409', 'login_exists', jsonb_build_object('username', p_login));
        end if;
        execute format('alter role %I login password %L', p_login, p_verifier);
    else
        execute format('create role %I login password %L', p_login, p_verifier);
    end if;
    execute format('grant %I to %I', p_group, p_login);
    execute format('grant connect on database %I to %I', current_database(), p_login);
end
$$;

revoke all on all functions in schema kammer_internal from public;
revoke execute on function kammer_api.policy_set(jsonb), kammer_api.clerk_create(text, text, text, text),
    kammer_api.clerk_set_role(text, text), kammer_api.clerk_disable(text), kammer_api.clerk_enable(text),
    kammer_api.clerk_set_password(text, text), kammer_api.clerk_list(), kammer_api.outbox_retry(bigint, text)
    from public;
grant execute on function kammer_api.policy_set(jsonb), kammer_api.clerk_create(text, text, text, text),
    kammer_api.clerk_set_role(text, text), kammer_api.clerk_disable(text), kammer_api.clerk_enable(text),
    kammer_api.clerk_list(), kammer_api.outbox_retry(bigint, text)
    to kammer_admin;
grant execute on function kammer_api.clerk_set_password(text, text) to kammer_hotline;

-- sqlx records the migration as the user who runs it.
reset role;
