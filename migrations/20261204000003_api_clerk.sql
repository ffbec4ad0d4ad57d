-- What a clerk does to an Antrag, as the database allows it: each function takes the clerk
-- from the session, checks the group, runs the state machine, writes the audit event and
-- notifies the desks — one call, one round trip, one transaction.

set local role kammer_owner;

-- Who is signed in, as the desk shows it. Refuses superusers, the owner and logins that are
-- not clerks of this database: the desk and kammerctl work only as a clerk's own login.
create function kammer_api.whoami(
    out clerk_id bigint, out username text, out display_name text, out role text
)
language plpgsql stable security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v clerks;
begin
    if pg_has_role(session_user, 'kammer_owner', 'MEMBER') and not (select rolsuper from pg_roles where rolname = session_user) then
        perform kammer_internal.refuse('KD403', 'owner_refused', jsonb_build_object('login', session_user));
    end if;
    v := kammer_internal.acting_clerk('lookup');
    clerk_id := v.id;
    username := v.username;
    display_name := v.display_name;
    role := kammer_internal.role_of(session_user);
end
$$;

-- Approves an Antrag. From in_review a reason is optional. From awaiting_code — without the
-- code — a reason is required, and by default (policy four_eyes_without_code) the first
-- Sachbearbeitung clerk only asks for it: a second, different one confirms.
-- Outcome: 'approved' (with the Zuordnung) or 'awaiting_second'.
create function kammer_api.antrag_approve(
    p_nr bigint, p_reason text default null,
    out outcome text, out zuordnung_id bigint
)
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_clerk clerks := kammer_internal.acting_clerk('approve');
    v_reason text := kammer_internal.reason(p_reason, false);
    v antraege;
    v_moved record;
    v_details jsonb := '{}'::jsonb;
begin
    select * into v from antraege where nr = p_nr for update;
    if not found then
        perform kammer_internal.refuse('KD404', 'antrag_not_found', jsonb_build_object('nr', p_nr));
    end if;
    if v.status = 'awaiting_code' then
        if v.approval_requested_by is null then
            if v_reason is null then
                perform kammer_internal.refuse('KD422', 'approve_needs_reason', jsonb_build_object('nr', p_nr));
            end if;
            if (select four_eyes_without_code from policy) then
                update antraege set approval_requested_by = v_clerk.id, approval_requested_at = now(),
                                    approval_request_reason = v_reason, updated_at = now()
                where nr = p_nr;
                perform kammer_internal.audit('clerk', v_clerk.id, null, 'approval_requested', p_nr, v.betrieb_id,
                    jsonb_build_object('reason', v_reason));
                outcome := 'awaiting_second';
                return;
            end if;
        else
            if v.approval_requested_by = v_clerk.id then
                perform kammer_internal.refuse('KD403', 'second_approval_same_clerk', jsonb_build_object('nr', p_nr));
            end if;
            v_details := jsonb_build_object('first_clerk_id', v.approval_requested_by,
                'first_reason', v.approval_request_reason, 'second_reason', v_reason);
            v_reason := coalesce(v_reason, v.approval_request_reason);
        end if;
    elsif v.status <> 'in_review' then
        perform kammer_internal.refuse('KD409', 'antrag_status_changed', jsonb_build_object('nr', p_nr, 'status', v.status));
    end if;
    select * into v_moved from kammer_internal.transition(p_nr, array['awaiting_code', 'in_review'], 'approved', v_clerk.id, v_reason);
    zuordnung_id := kammer_internal.complete_approval(p_nr, v_moved.o_betrieb_id, v_moved.o_account_id,
        v_moved.o_from, 'clerk', v_clerk.id, v_reason, v_details);
    outcome := 'approved';
end
$$;

-- Rejects (Sachbearbeitung) or withdraws on the requester's behalf (Hotline and up); both
-- need a reason and close an open Antrag.
create function kammer_internal.close_antrag(p_nr bigint, p_reason text, p_permission text, p_to text)
returns void
language plpgsql
as $$
declare
    v_clerk clerks := kammer_internal.acting_clerk(p_permission);
    v_reason text := kammer_internal.reason(p_reason, true);
    v_moved record;
begin
    select * into v_moved from kammer_internal.transition(p_nr, array['awaiting_code', 'in_review'], p_to, v_clerk.id, v_reason);
    perform kammer_internal.retire_live_code(p_nr, 'decided');
    perform kammer_internal.audit('clerk', v_clerk.id, null, p_to, p_nr, v_moved.o_betrieb_id,
        jsonb_build_object('from', v_moved.o_from, 'reason', v_reason));
end
$$;
revoke all on function kammer_internal.close_antrag(bigint, text, text, text) from public;

create function kammer_api.antrag_reject(p_nr bigint, p_reason text) returns void
language sql security definer
set search_path = pg_catalog, public, pg_temp
as $$ select kammer_internal.close_antrag(p_nr, p_reason, 'reject', 'rejected'); $$;

create function kammer_api.antrag_withdraw(p_nr bigint, p_reason text) returns void
language sql security definer
set search_path = pg_catalog, public, pg_temp
as $$ select kammer_internal.close_antrag(p_nr, p_reason, 'withdraw_on_behalf', 'withdrawn'); $$;

-- „Code prüfen“: is the code a caller reads out the right one? The desk sends the hash of
-- what was read out; nothing is used up and no attempt counted. Verdicts: valid,
-- superseded, expired, locked, consumed, wrong.
create function kammer_api.code_check(
    p_nr bigint, p_code_hash bytea,
    out verdict text, out current_prefix text, out antrag_status text, out expires_at timestamptz
)
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_clerk clerks := kammer_internal.acting_clerk('handle_codes');
    v_betrieb bigint;
    v_code confirmation_codes;
    v_limit integer := (select code_attempt_limit from policy);
begin
    select status, betrieb_id into antrag_status, v_betrieb from antraege where nr = p_nr;
    if not found then
        perform kammer_internal.refuse('KD404', 'antrag_not_found', jsonb_build_object('nr', p_nr));
    end if;
    select * into v_code from confirmation_codes where antrag_nr = p_nr and code_hash = p_code_hash;
    select prefix into current_prefix from confirmation_codes
    where antrag_nr = p_nr and consumed_at is null and superseded_at is null;
    expires_at := v_code.expires_at;
    verdict := case
        when v_code.id is null then 'wrong'
        when v_code.consumed_at is not null then 'consumed'
        when v_code.superseded_at is not null then 'superseded'
        when v_code.expires_at <= now() then 'expired'
        when v_code.wrong_attempts >= v_limit then 'locked'
        else 'valid'
    end;
    perform kammer_internal.audit('clerk', v_clerk.id, null, 'code_checked', p_nr, v_betrieb,
        jsonb_build_object('verdict', verdict));
end
$$;

-- „Code erneut senden“: a new code for an Antrag that waits for one, within the policy's
-- cooldown and limits; the old code stops working in the same transaction.
create function kammer_api.code_resend(
    p_nr bigint, p_reason text,
    out prefix text, out expires_at timestamptz, out sent_to text, out outbox_id bigint
)
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_clerk clerks := kammer_internal.acting_clerk('handle_codes');
    v_reason text := kammer_internal.reason(p_reason, true);
    v_betrieb bigint := kammer_internal.lock_awaiting_code(p_nr);
    v_issued record;
begin
    perform kammer_internal.enforce_send_limits(p_nr, v_betrieb);
    select * into v_issued from kammer_internal.issue_code(p_nr, v_clerk.id, v_reason);
    perform kammer_internal.audit('clerk', v_clerk.id, null, 'code_resent', p_nr, v_betrieb,
        jsonb_build_object('reason', v_reason, 'prefix', v_issued.o_prefix, 'sent_to', v_issued.o_sent_to,
                           'code_id', v_issued.o_code_id, 'outbox_id', v_issued.o_outbox_id));
    prefix := v_issued.o_prefix;
    expires_at := v_issued.o_expires_at;
    sent_to := v_issued.o_sent_to;
    outbox_id := v_issued.o_outbox_id;
end
$$;

-- When the next code for an Antrag may be sent; null when now.
create function kammer_api.next_send_at(p_nr bigint) returns timestamptz
language sql stable security definer
set search_path = pg_catalog, public, pg_temp
as $$
    select greatest(
        case when w.o_cooldown_ends > now() then w.o_cooldown_ends end,
        case when w.o_day_limit_ends > now() then w.o_day_limit_ends end)
    from kammer_internal.send_window(p_nr) w;
$$;

-- Ends a Zuordnung, e.g. when the employee has left the Betrieb.
create function kammer_api.zuordnung_revoke(p_id bigint, p_reason text) returns void
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_clerk clerks := kammer_internal.acting_clerk('revoke_zuordnung');
    v_reason text := kammer_internal.reason(p_reason, true);
    v record;
begin
    update zuordnungen set revoked_at = now(), revoked_by = v_clerk.id, revoke_reason = v_reason
    where id = p_id and revoked_at is null
    returning betrieb_id, account_id, antrag_nr into v;
    if not found then
        if exists (select 1 from zuordnungen where id = p_id) then
            perform kammer_internal.refuse('KD409', 'zuordnung_already_revoked', jsonb_build_object('id', p_id));
        end if;
        perform kammer_internal.refuse('KD404', 'zuordnung_not_found', jsonb_build_object('id', p_id));
    end if;
    perform kammer_internal.audit('clerk', v_clerk.id, null, 'zuordnung_revoked', v.antrag_nr, v.betrieb_id,
        jsonb_build_object('zuordnung_id', p_id, 'account_id', v.account_id, 'reason', v_reason));
end
$$;

-- The audit record of a finished export (written after the file is in place): a clerk with
-- the right to export, or a report job.
create function kammer_api.record_export(p_details jsonb) returns void
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_clerk clerks;
begin
    if pg_has_role(session_user, 'kammer_reporting', 'MEMBER')
       and not (select rolsuper from pg_roles where rolname = session_user) then
        perform kammer_internal.audit('system', null, null, 'export_written', null, null, p_details);
    else
        v_clerk := kammer_internal.acting_clerk('export');
        perform kammer_internal.audit('clerk', v_clerk.id, null, 'export_written', null, null, p_details);
    end if;
end
$$;

-- Folds the queue's appended status counts into one row per status (reads call it now and
-- then); the table itself is written only by its trigger and here.
create function kammer_api.compact_status_counts() returns void
language sql security definer
set search_path = pg_catalog, public, pg_temp
as $$ select kammer_compact_status_counts(); $$;

-- Expires every Antrag whose live code has expired without being used (a cron job of the
-- reporting service, `kammerctl expire`), each through the one transition. Returns their numbers.
create function kammer_api.expire_overdue() returns setof bigint
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_nr bigint;
    v_moved record;
    v_any boolean := false;
begin
    perform kammer_internal.require_service('kammer_reporting');
    for v_nr in
        select a.nr from antraege a
        join confirmation_codes c on c.antrag_nr = a.nr and c.consumed_at is null and c.superseded_at is null
        where a.status = 'awaiting_code' and c.expires_at <= now()
        order by a.nr
        for update of a
    loop
        select * into v_moved from kammer_internal.transition(v_nr, array['awaiting_code'], 'expired', null, null);
        perform kammer_internal.retire_live_code(v_nr, 'expired');
        insert into audit_events (actor_kind, action, antrag_nr, betrieb_id, details)
        values ('system', 'expired', v_nr, v_moved.o_betrieb_id, '{"reason": "code_not_used_in_time"}');
        v_any := true;
        return next v_nr;
    end loop;
    if v_any then
        perform kammer_internal.notify('expired', null, null);
    end if;
end
$$;

-- EXECUTE per group as a second wall; inside, each function checks the group again and
-- refuses with the reason a clerk can read.
revoke all on all functions in schema kammer_api from public;
grant execute on function kammer_api.whoami(), kammer_api.antrag_withdraw(bigint, text),
    kammer_api.code_check(bigint, bytea), kammer_api.code_resend(bigint, text),
    kammer_api.next_send_at(bigint), kammer_api.compact_status_counts()
    to kammer_hotline;
grant execute on function kammer_api.antrag_approve(bigint, text), kammer_api.antrag_reject(bigint, text),
    kammer_api.zuordnung_revoke(bigint, text)
    to kammer_sachbearbeitung;
grant execute on function kammer_api.record_export(jsonb) to kammer_sachbearbeitung, kammer_reporting;
grant execute on function kammer_api.compact_status_counts(), kammer_api.expire_overdue() to kammer_reporting;

-- sqlx records the migration as the user who runs it.
reset role;
