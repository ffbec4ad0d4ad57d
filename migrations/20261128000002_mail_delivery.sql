-- Delivery of the outbox by the SMTP worker (issue: confirmation-code mail).

-- 'cancelled': the mail's code was retired (resend, decision, withdrawal, expiry) before the
-- mail went out; sending it would only confuse the Betrieb with a dead code.
alter table mail_outbox drop constraint mail_outbox_status_check;
alter table mail_outbox add constraint mail_outbox_status_check
    check (status in ('queued', 'sent', 'failed', 'cancelled'));

-- The server's reply to the last attempt (the "250 … queued as …" line on success, the
-- refusal otherwise), kept for tracing a mail through the chamber's mail server logs.
alter table mail_outbox add column smtp_reply text;
alter table mail_outbox add column last_attempt_at timestamptz;

-- Once a mail has gone out (or was cancelled), the code in its body is no longer needed
-- here: only the hash in confirmation_codes stays. The six-character prefix is kept because
-- the hotline may read it out anyway. One definition, used by the worker, by the
-- cancellation and by the demo seed.
create function kammer_redact_codes(body text) returns text
    language sql immutable strict parallel safe
    return regexp_replace(body, '([0-9a-f]{6})[0-9a-f]{58}', '\1… (nach dem Versand entfernt)', 'g');

-- Mails already sent before this migration.
update mail_outbox set body_text = kammer_redact_codes(body_text), body_html = kammer_redact_codes(body_html)
where status = 'sent';
