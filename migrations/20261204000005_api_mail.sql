-- The mail sender (`kammerctl outbox run`, a login of the group kammer_mailer) is the only
-- reader of a code's plaintext. It claims one due mail at a time — the row stays locked
-- until its transaction ends, so any number of senders never send a mail twice — composes
-- the text from the mail's facts and the code, sends it, and records the outcome here. The
-- plaintext is deleted with the outcome: sent, failed for good, or (elsewhere) cancelled.

set local role kammer_owner;

create function kammer_api.mail_claim()
returns table (
    id bigint, created_at timestamptz, antrag_nr bigint, message_id text, mail_from text,
    sender_name text, recipient text, facts jsonb, code text, attempts integer
)
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
#variable_conflict use_column
begin
    perform kammer_internal.require_service('kammer_mailer');
    return query
    select o.id, o.created_at, o.antrag_nr, o.message_id, o.mail_from, p.chamber_name, o.recipient,
           o.facts, s.code, o.attempts
    from mail_outbox o
    cross join policy p
    left join kammer_secret.code_plaintext s on s.outbox_id = o.id
    where o.status = 'queued' and o.next_attempt_at <= now()
    order by o.next_attempt_at, o.id
    limit 1
    for update of o skip locked;
end
$$;

-- The audit line of a mail that went out or was given up: the Antrag's timeline shows it.
create function kammer_internal.mail_outcome(p_id bigint, p_action text, p_reply text) returns void
language plpgsql
as $$
declare
    v record;
begin
    select antrag_nr, recipient, attempts into v from mail_outbox where id = p_id;
    delete from kammer_secret.code_plaintext where outbox_id = p_id;
    perform kammer_internal.audit('system', null, null, p_action, v.antrag_nr, null,
        jsonb_build_object('outbox_id', p_id, 'recipient', v.recipient, 'reply', p_reply, 'attempts', v.attempts));
end
$$;

-- Only a mail this sender holds (claimed, still queued) can get an outcome.
create function kammer_internal.claimed_mail(p_id bigint) returns void
language plpgsql
as $$
begin
    perform kammer_internal.require_service('kammer_mailer');
    if not exists (select 1 from mail_outbox where id = p_id and status = 'queued') then
        perform kammer_internal.refuse('KD409', 'mail_not_queued', jsonb_build_object('id', p_id));
    end if;
end
$$;

create function kammer_api.mail_sent(p_id bigint, p_reply text) returns void
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
begin
    perform kammer_internal.claimed_mail(p_id);
    update mail_outbox
    set status = 'sent', attempts = attempts + 1, sent_at = now(), last_attempt_at = now(),
        smtp_reply = p_reply, last_error = null
    where id = p_id;
    perform kammer_internal.mail_outcome(p_id, 'code_mail_sent', p_reply);
end
$$;

-- Given up: refused for good (5xx), out of attempts, or unbuildable.
create function kammer_api.mail_failed(p_id bigint, p_reply text, p_reason text) returns void
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
begin
    perform kammer_internal.claimed_mail(p_id);
    update mail_outbox
    set status = 'failed', attempts = attempts + 1, last_attempt_at = now(), smtp_reply = p_reply,
        last_error = p_reason
    where id = p_id;
    perform kammer_internal.mail_outcome(p_id, 'code_mail_failed', p_reply);
end
$$;

-- Failed for now: tried again at `p_next_attempt_at`. Not worth an audit line, but the desks
-- hear of it (the delivery status they show changed).
create function kammer_api.mail_deferred(p_id bigint, p_reply text, p_next_attempt_at timestamptz) returns void
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_antrag bigint;
begin
    perform kammer_internal.claimed_mail(p_id);
    update mail_outbox
    set attempts = attempts + 1, last_attempt_at = now(), smtp_reply = p_reply, last_error = p_reply,
        next_attempt_at = p_next_attempt_at
    where id = p_id
    returning antrag_nr into v_antrag;
    perform kammer_internal.notify('code_mail_deferred', v_antrag, null);
end
$$;

-- When the earliest queued mail is due.
create function kammer_api.mail_next_due() returns timestamptz
language plpgsql stable security definer
set search_path = pg_catalog, public, pg_temp
as $$
begin
    perform kammer_internal.require_service('kammer_mailer');
    return (select min(next_attempt_at) from mail_outbox where status = 'queued');
end
$$;

-- A running sender says it is alive; the desks show when one last did.
create function kammer_api.mailer_heartbeat(p_host text, p_pid integer, p_started_at timestamptz) returns void
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
as $$
begin
    perform kammer_internal.require_service('kammer_mailer');
    insert into mailer_heartbeats (login, host, pid, started_at, last_seen_at)
    values (session_user, left(p_host, 200), p_pid, p_started_at, now())
    on conflict (login, host, pid) do update set last_seen_at = now(), started_at = excluded.started_at;
    delete from mailer_heartbeats where last_seen_at < now() - interval '7 days';
end
$$;

revoke all on all functions in schema kammer_internal from public;
revoke execute on function kammer_api.mail_claim(), kammer_api.mail_sent(bigint, text),
    kammer_api.mail_failed(bigint, text, text), kammer_api.mail_deferred(bigint, text, timestamptz),
    kammer_api.mail_next_due(), kammer_api.mailer_heartbeat(text, integer, timestamptz) from public;
grant execute on function kammer_api.mail_claim(), kammer_api.mail_sent(bigint, text),
    kammer_api.mail_failed(bigint, text, text), kammer_api.mail_deferred(bigint, text, timestamptz),
    kammer_api.mail_next_due(), kammer_api.mailer_heartbeat(text, integer, timestamptz) to kammer_mailer;

-- sqlx records the migration as the user who runs it.
reset role;
