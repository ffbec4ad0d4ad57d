-- The building blocks of the kammer_api functions: who is acting, the one permission
-- matrix, the audit record, the one status transition, issuing and retiring codes. They run
-- inside the SECURITY DEFINER functions, as the owner; no login may call them directly.
--
-- Refusals are raised with a custom SQLSTATE for their kind (KD403 forbidden, KD404 not found,
-- KD409 conflict, KD422 validation), a stable key as the message and the facts as JSON in the
-- detail. kammer-core turns key and facts into the German sentence the clerk reads, so the
-- wording lives in one place and the rule in another.

set local role kammer_owner;

create function kammer_internal.refuse(p_state text, p_key text, p_detail jsonb default '{}'::jsonb)
returns void
language plpgsql
as $$
begin
    raise exception using errcode = p_state, message = p_key, detail = p_detail::text;
end
$$;

-- The permission matrix as the database enforces it: which group a permission needs.
-- kammer-core's Role::allows is the same matrix for the desk's buttons; a test compares them.
create function kammer_internal.permission_group(p_permission text) returns text
language sql immutable
return case p_permission
    when 'lookup' then 'kammer_hotline'
    when 'handle_codes' then 'kammer_hotline'
    when 'withdraw_on_behalf' then 'kammer_hotline'
    when 'approve' then 'kammer_sachbearbeitung'
    when 'reject' then 'kammer_sachbearbeitung'
    when 'revoke_zuordnung' then 'kammer_sachbearbeitung'
    when 'export' then 'kammer_sachbearbeitung'
    when 'manage_clerks' then 'kammer_admin'
    when 'manage_policy' then 'kammer_admin'
    when 'read_outbox' then 'kammer_admin'
end;

-- A login's KammerDesk role from its groups; null for anyone who is not a clerk.
create function kammer_internal.role_of(p_login text) returns text
language sql stable
return (
    select case
        when pg_has_role(r.oid, 'kammer_admin', 'MEMBER') then 'admin'
        when pg_has_role(r.oid, 'kammer_sachbearbeitung', 'MEMBER') then 'sachbearbeitung'
        when pg_has_role(r.oid, 'kammer_hotline', 'MEMBER') then 'hotline'
    end
    from pg_roles r
    where r.rolname = p_login and not r.rolsuper
);

-- The clerk of this session, allowed `p_permission` — or the refusal. Superusers are refused
-- too: no person works with the keys to everything.
create function kammer_internal.acting_clerk(p_permission text) returns clerks
language plpgsql stable
as $$
declare
    v clerks;
begin
    if (select rolsuper from pg_roles where rolname = session_user) then
        perform kammer_internal.refuse('KD403', 'superuser_refused', jsonb_build_object('login', session_user));
    end if;
    select * into v from clerks where username = session_user;
    if not found or v.disabled_at is not null then
        perform kammer_internal.refuse('KD403', 'not_a_clerk', jsonb_build_object('login', session_user));
    end if;
    if not pg_has_role(session_user, kammer_internal.permission_group(p_permission), 'MEMBER') then
        perform kammer_internal.refuse('KD403', 'role_forbids', jsonb_build_object(
            'permission', p_permission, 'role', kammer_internal.role_of(session_user)));
    end if;
    return v;
end
$$;

-- For the system services: the session's login must be a member of `p_group`.
create function kammer_internal.require_service(p_group text) returns void
language plpgsql stable
as $$
begin
    if (select rolsuper from pg_roles where rolname = session_user)
       or not pg_has_role(session_user, p_group, 'MEMBER') then
        perform kammer_internal.refuse('KD403', 'service_only', jsonb_build_object('group', p_group, 'login', session_user));
    end if;
end
$$;

-- What every desk hears on LISTEN kammer_changes (kammer-core's audit::Change).
create function kammer_internal.notify(p_action text, p_antrag_nr bigint, p_betrieb_id bigint)
returns void
language sql
as $$
    select pg_notify('kammer_changes',
        json_build_object('action', p_action, 'antrag_nr', p_antrag_nr, 'betrieb_id', p_betrieb_id)::text);
$$;

-- The audit event of a change, in the change's own transaction, and the notification.
create function kammer_internal.audit(
    p_actor_kind text, p_clerk_id bigint, p_account_id bigint, p_action text,
    p_antrag_nr bigint, p_betrieb_id bigint, p_details jsonb
) returns void
language plpgsql
as $$
begin
    insert into audit_events (actor_kind, clerk_id, account_id, action, antrag_nr, betrieb_id, details)
    values (p_actor_kind, p_clerk_id, p_account_id, p_action, p_antrag_nr, p_betrieb_id, p_details);
    perform kammer_internal.notify(p_action, p_antrag_nr, p_betrieb_id);
end
$$;

-- A Begründung: required where the decision is not self-evident.
create function kammer_internal.reason(p_reason text, p_required boolean) returns text
language plpgsql immutable
as $$
declare
    v text := nullif(btrim(p_reason), '');
begin
    if v is null and p_required then
        perform kammer_internal.refuse('KD422', 'reason_required');
    end if;
    if char_length(v) > 2000 then
        perform kammer_internal.refuse('KD422', 'reason_too_long', jsonb_build_object('max', 2000));
    end if;
    return v;
end
$$;

-- The one place an Antrag changes status. The expected states are part of the UPDATE's
-- WHERE, so of two clerks acting at once exactly one moves the row; the other gets a
-- conflict naming the state it is in now. A pending approval without code is cleared.
create function kammer_internal.transition(
    p_nr bigint, p_from text[], p_to text, p_clerk_id bigint, p_reason text,
    out o_betrieb_id bigint, out o_account_id bigint, out o_from text
)
language plpgsql
as $$
declare
    v_decided boolean := p_to not in ('awaiting_code', 'in_review');
    v_status text;
begin
    with old as (
        select a.nr, a.status from antraege a where a.nr = p_nr and a.status = any(p_from) for update
    )
    update antraege a set
        status = p_to,
        updated_at = now(),
        decided_at = case when v_decided then now() else a.decided_at end,
        decided_by = case when v_decided then p_clerk_id else a.decided_by end,
        decision_reason = case when v_decided then p_reason else a.decision_reason end,
        approval_requested_by = null,
        approval_requested_at = null,
        approval_request_reason = null
    from old
    where a.nr = old.nr
    returning a.betrieb_id, a.account_id, old.status into o_betrieb_id, o_account_id, o_from;
    if not found then
        select status into v_status from antraege where nr = p_nr;
        if v_status is null then
            perform kammer_internal.refuse('KD404', 'antrag_not_found', jsonb_build_object('nr', p_nr));
        end if;
        perform kammer_internal.refuse('KD409', 'antrag_status_changed', jsonb_build_object('nr', p_nr, 'status', v_status));
    end if;
end
$$;

-- Locks an Antrag that waits for its code, so that resends and code submissions on it run
-- one after the other. Returns its Betrieb.
create function kammer_internal.lock_awaiting_code(p_nr bigint) returns bigint
language plpgsql
as $$
declare
    v record;
begin
    select status, betrieb_id into v from antraege where nr = p_nr for update;
    if not found then
        perform kammer_internal.refuse('KD404', 'antrag_not_found', jsonb_build_object('nr', p_nr));
    end if;
    if v.status <> 'awaiting_code' then
        perform kammer_internal.refuse('KD409', 'antrag_not_awaiting_code', jsonb_build_object('nr', p_nr, 'status', v.status));
    end if;
    return v.betrieb_id;
end
$$;

-- Makes the live code of an Antrag unusable, cancels its mails that have not gone out and
-- forgets their plaintext. The mail sender holds a mail's row while it sends, so this waits
-- for a send in flight and then finds the mail sent.
create function kammer_internal.retire_live_code(p_nr bigint, p_why text) returns void
language plpgsql
as $$
begin
    with cancelled as (
        update mail_outbox set status = 'cancelled', cancel_reason = p_why
        where antrag_nr = p_nr and status = 'queued'
        returning id
    )
    delete from kammer_secret.code_plaintext s using cancelled c where s.outbox_id = c.id;
    update confirmation_codes set superseded_at = now()
    where antrag_nr = p_nr and consumed_at is null and superseded_at is null;
end
$$;

-- Issues a fresh code for an Antrag: 256 bits from the server's CSPRNG, stored as SHA-256
-- and a six-character prefix; the plaintext goes only where the mail sender reads it. The
-- mail goes to the Betrieb's address on file, read here, never passed in.
create function kammer_internal.issue_code(
    p_nr bigint, p_issued_by bigint, p_reason text,
    out o_code_id bigint, out o_outbox_id bigint, out o_prefix text, out o_expires_at timestamptz, out o_sent_to text
)
language plpgsql
as $$
declare
    v record;
    v_policy policy;
    v_code text := encode(gen_random_bytes(32), 'hex');
    v_domain text;
begin
    select b.betriebsnummer, b.firmenname, b.email as betrieb_email, acc.name as requester_name,
           acc.email as requester_email
    into v
    from antraege a join betriebe b on b.id = a.betrieb_id join accounts acc on acc.id = a.account_id
    where a.nr = p_nr;
    if not found then
        perform kammer_internal.refuse('KD404', 'antrag_not_found', jsonb_build_object('nr', p_nr));
    end if;
    perform kammer_internal.retire_live_code(p_nr, 'superseded');
    select * into v_policy from policy;
    o_expires_at := now() + make_interval(days => v_policy.code_lifetime_days);
    o_prefix := left(v_code, 6);
    o_sent_to := v.betrieb_email;
    v_domain := coalesce(nullif(split_part(v_policy.mail_from, '@', 2), ''), 'kammerdesk.invalid');
    insert into mail_outbox (purpose, antrag_nr, message_id, mail_from, recipient, facts)
    values ('confirmation_code', p_nr,
            format('<antrag-%s.%s@%s>', p_nr, encode(gen_random_bytes(12), 'hex'), v_domain),
            v_policy.mail_from, v.betrieb_email,
            jsonb_build_object(
                'antrag_nr', p_nr, 'betriebsnummer', v.betriebsnummer, 'firmenname', v.firmenname,
                'requester_name', v.requester_name, 'requester_email', v.requester_email,
                'valid_until', o_expires_at, 'chamber_name', v_policy.chamber_name,
                'hotline_phone', v_policy.hotline_phone, 'portal_url', v_policy.portal_url))
    returning id into o_outbox_id;
    insert into kammer_secret.code_plaintext (outbox_id, code) values (o_outbox_id, v_code);
    insert into confirmation_codes (antrag_nr, code_hash, prefix, sent_to, outbox_id, expires_at, issued_by, issue_reason)
    values (p_nr, sha256(convert_to(v_code, 'UTF8')), o_prefix, v.betrieb_email, o_outbox_id, o_expires_at,
            p_issued_by, p_reason)
    returning id into o_code_id;
end
$$;

-- When the next code for an Antrag may go out under the policy (cooldown, sends a day), and
-- why not now. The desk asks kammer_api.next_send_at for its button; resends are refused here.
create function kammer_internal.send_window(
    p_nr bigint,
    out o_cooldown_ends timestamptz, out o_day_limit_ends timestamptz, out o_last_day bigint
)
language plpgsql stable
as $$
declare
    v_policy policy;
    v record;
begin
    select * into v_policy from policy;
    select max(issued_at) as last,
           count(*) filter (where issued_at > now() - interval '24 hours') as last_day,
           min(issued_at) filter (where issued_at > now() - interval '24 hours') as oldest_in_day
    into v
    from confirmation_codes where antrag_nr = p_nr;
    o_cooldown_ends := v.last + make_interval(secs => v_policy.resend_cooldown_seconds);
    o_last_day := v.last_day;
    if v.last_day >= v_policy.sends_per_day then
        o_day_limit_ends := v.oldest_in_day + interval '24 hours';
    end if;
end
$$;

-- Refuses a new code while the Antrag's cooldown or daily limit holds, or when the Betrieb's
-- address got too many codes within a day across all Anträge (request → withdraw → request
-- loops must not flood a Betrieb's mailbox).
create function kammer_internal.enforce_send_limits(p_nr bigint, p_betrieb_id bigint) returns void
language plpgsql
as $$
declare
    w record;
    v_policy policy;
    v_betrieb_day bigint;
begin
    select * into w from kammer_internal.send_window(p_nr);
    -- The clock, not the transaction's start: a resend that waited for another one's lock
    -- would otherwise find that one's code issued "in the future" and refuse even without
    -- a cooldown.
    if w.o_cooldown_ends > clock_timestamp() then
        perform kammer_internal.refuse('KD422', 'resend_cooldown', jsonb_build_object(
            'nr', p_nr, 'seconds', greatest(1, ceil(extract(epoch from w.o_cooldown_ends - clock_timestamp())))::bigint));
    end if;
    if w.o_day_limit_ends is not null then
        perform kammer_internal.refuse('KD422', 'resend_day_limit', jsonb_build_object('nr', p_nr, 'count', w.o_last_day));
    end if;
    perform kammer_internal.enforce_betrieb_limit(p_betrieb_id);
end
$$;

create function kammer_internal.enforce_betrieb_limit(p_betrieb_id bigint) returns void
language plpgsql
as $$
declare
    v_limit integer := (select betrieb_sends_per_day from policy);
    v_count bigint;
begin
    select count(*) into v_count
    from antraege a join confirmation_codes c on c.antrag_nr = a.nr
    where a.betrieb_id = p_betrieb_id and c.issued_at > now() - interval '24 hours';
    if v_count >= v_limit then
        perform kammer_internal.refuse('KD422', 'betrieb_day_limit', jsonb_build_object(
            'betriebsnummer', (select betriebsnummer from betriebe where id = p_betrieb_id), 'count', v_count));
    end if;
end
$$;

-- The part of an approval shared by a clerk's decision and the portal's auto-approval: the
-- live code retired, the Zuordnung created, the event written.
create function kammer_internal.complete_approval(
    p_nr bigint, p_betrieb_id bigint, p_account_id bigint, p_from text,
    p_actor_kind text, p_clerk_id bigint, p_reason text, p_details jsonb
) returns bigint
language plpgsql
as $$
declare
    v_zuordnung bigint;
begin
    perform kammer_internal.retire_live_code(p_nr, 'decided');
    insert into zuordnungen (account_id, betrieb_id, antrag_nr) values (p_account_id, p_betrieb_id, p_nr)
    on conflict (account_id, betrieb_id) where revoked_at is null do nothing
    returning id into v_zuordnung;
    if v_zuordnung is null then
        perform kammer_internal.refuse('KD409', 'already_linked', jsonb_build_object('nr', p_nr));
    end if;
    perform kammer_internal.audit(p_actor_kind, p_clerk_id, null, 'approved', p_nr, p_betrieb_id,
        jsonb_build_object('from', p_from, 'reason', p_reason, 'without_code', p_from = 'awaiting_code',
                           'zuordnung_id', v_zuordnung) || p_details);
    return v_zuordnung;
end
$$;

-- Creates (or, for the demo and an upgrade, adopts) the login role of a clerk and registers
-- it in this database. `p_verifier` is a SCRAM-SHA-256 verifier computed by the client, so
-- the password itself never reaches the server; null for directory (LDAP) sign-in.
create function kammer_internal.provision_clerk(
    p_username text, p_display_name text, p_role text, p_verifier text, p_adopt boolean
) returns bigint
language plpgsql
as $$
declare
    v_group text := 'kammer_' || p_role;
    v_id bigint;
    v_existing record;
begin
    if p_username is null or p_username !~ '^[a-z0-9._-]{2,32}$' then
        perform kammer_internal.refuse('KD422', 'username_invalid');
    end if;
    if p_display_name is null or btrim(p_display_name) = '' or char_length(p_display_name) > 100
       or p_display_name ~ '[[:cntrl:]]' then
        perform kammer_internal.refuse('KD422', 'display_name_invalid');
    end if;
    if p_role is null or p_role not in ('hotline', 'sachbearbeitung', 'admin') then
        perform kammer_internal.refuse('KD422', 'role_invalid', jsonb_build_object('role', p_role));
    end if;
    if p_verifier is not null and p_verifier !~ '^SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$' then
        perform kammer_internal.refuse('KD422', 'verifier_invalid');
    end if;
    if exists (select 1 from clerks where username = p_username) then
        perform kammer_internal.refuse('KD409', 'clerk_exists', jsonb_build_object('username', p_username));
    end if;
    select rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls into v_existing
    from pg_roles where rolname = p_username;
    if found then
        -- Taking over an existing role would hand a clerk's desk whatever that role can do.
        if not p_adopt or v_existing.rolsuper or v_existing.rolcreaterole or v_existing.rolcreatedb
           or v_existing.rolreplication or v_existing.rolbypassrls
           or pg_has_role(p_username, 'kammer_owner', 'MEMBER')
           or pg_has_role(p_username, 'kammer_portal', 'MEMBER') or pg_has_role(p_username, 'kammer_mailer', 'MEMBER')
           or pg_has_role(p_username, 'kammer_reporting', 'MEMBER') or pg_has_role(p_username, 'kammer_import', 'MEMBER') then
            perform kammer_internal.refuse('KD409', 'login_exists', jsonb_build_object('username', p_username));
        end if;
        execute format('alter role %I login', p_username);
        if p_verifier is not null then
            execute format('alter role %I password %L', p_username, p_verifier);
        end if;
        perform kammer_internal.leave_clerk_groups(p_username);
        execute format('grant %I to %I', v_group, p_username);
    elsif p_verifier is null then
        execute format('create role %I login in role %I', p_username, v_group);
    else
        execute format('create role %I login password %L in role %I', p_username, p_verifier, v_group);
    end if;
    execute format('grant connect on database %I to %I', current_database(), p_username);
    insert into clerks (username, display_name) values (p_username, btrim(p_display_name))
    returning id into v_id;
    return v_id;
end
$$;

-- Takes a login out of whichever clerk group it is in (before it gets another).
create function kammer_internal.leave_clerk_groups(p_username text) returns void
language plpgsql
as $$
declare
    v_group text;
begin
    for v_group in
        select g.rolname from pg_auth_members m
        join pg_roles g on g.oid = m.roleid
        join pg_roles u on u.oid = m.member
        where u.rolname = p_username
          and g.rolname in ('kammer_hotline', 'kammer_sachbearbeitung', 'kammer_admin')
    loop
        execute format('revoke %I from %I', v_group, p_username);
    end loop;
end
$$;

-- Ends every session of a login (a disabled clerk, a reset password).
create function kammer_internal.end_sessions(p_username text) returns void
language sql
as $$
    select pg_terminate_backend(pid) from pg_stat_activity
    where usename = p_username and pid <> pg_backend_pid();
$$;

-- A clerk named by an administrator: must be a clerk of this database, never a service or
-- any other role of the server.
create function kammer_internal.clerk_by_username(p_username text) returns clerks
language plpgsql stable
as $$
declare
    v clerks;
begin
    select * into v from clerks where username = lower(btrim(p_username));
    if not found or not exists (select 1 from pg_roles where rolname = v.username and not rolsuper) then
        perform kammer_internal.refuse('KD404', 'clerk_not_found', jsonb_build_object('username', p_username));
    end if;
    return v;
end
$$;

revoke all on all functions in schema kammer_internal from public;

-- sqlx records the migration as the user who runs it.
reset role;
