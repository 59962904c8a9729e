-- A webhook partner hears of a move or cancel of its appointment as a signed webhook event, sent once
-- like every other notice: its key is a row here too.
alter table appointment_messages drop constraint appointment_messages_channel_check;
alter table appointment_messages add constraint appointment_messages_channel_check check (channel in ('email', 'sms', 'webhook'));
