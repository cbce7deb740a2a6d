-- Session ARGV[3] leaves stream ARGV[1]; 'leave' goes out on ARGV[2] if no other session holds its id.
-- Returns 1 when the session had joined (with_events). A stale sweep index entry is left to the sweeper, which drops it.
return with_events({tostring(drop_session(ARGV[2], ARGV[3]))})
