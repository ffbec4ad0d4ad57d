-- Scale (issue 6): the queue's first page. Open Anträge are a few percent of all and the
-- newest ones, so walking (sent_at, nr) from the oldest and skipping the decided ones read
-- millions of rows (1.2 s at 5 million Anträge) before the first page was full; the
-- (status, sent_at, nr) index cannot give sent_at order for two statuses at once. This one
-- holds only the open Anträge, in queue order.
create index antraege_open_sent on antraege (sent_at, nr) where status in ('awaiting_code', 'in_review');
