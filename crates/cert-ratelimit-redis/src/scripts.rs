//! The three Lua scripts. Each runs atomically inside Redis and reads Redis's own clock
//! (`TIME`), so workers whose clocks disagree still share one schedule.
//!
//! State of one limit: a hash with the fields `tat` (the theoretical arrival time of the next
//! free slot, microseconds on Redis's clock, fractional) and `f` (the throttle factor in
//! `(0, 1]`, absent when 1). Numbers are written with `string.format`, never left to Lua's
//! default conversion (14 significant digits would round a microsecond timestamp).

/// `acquire`: reserve the next slot (GCRA, reservation style) and return how long to wait.
///
/// `KEYS[1]` the limit's hash; `ARGV[1]` the interval at full speed (µs); `ARGV[2]` the burst;
/// `ARGV[3]` how long the hash outlives its last reservation (ms); `ARGV[4]` how long from now
/// no slot may start (µs; a worker coming back from pacing itself passes the end of its own
/// reservations, so the shared schedule resumes after them, not on top of them).
/// Returns `{wait_µs, factor_ppm, ahead_µs}`, `ahead` being how far the schedule's next free
/// slot lies ahead of now: no slot reserved so far starts later.
pub(crate) const ACQUIRE: &str = r"
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local state = redis.call('HMGET', KEYS[1], 'tat', 'f')
local tat = tonumber(state[1]) or now
local f = tonumber(state[2])
if not f or f <= 0 or f > 1 then f = 1 end
local interval = tonumber(ARGV[1]) / f
local burst = tonumber(ARGV[2])
local hold = tonumber(ARGV[4]) or 0
local slot = math.max(tat, now)
local wait = math.max(0, slot - (burst - 1) * interval - now)
if hold > 0 and now + hold > slot then
  slot = now + hold
  wait = hold
end
local new_tat = slot + interval
redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', new_tat))
redis.call('PEXPIRE', KEYS[1], math.ceil((new_tat - now) / 1000) + tonumber(ARGV[3]))
return {math.floor(wait), math.floor(f * 1000000 + 0.5), math.floor(new_tat - now)}
";

/// `on_throttled`: halve the factor (not below the floor) and drop the burst, so the next
/// reservation of every worker waits at least one interval at the new, slower pace.
///
/// `KEYS[1]` the limit's hash; `ARGV[1]` the interval at full speed (µs); `ARGV[2]` the burst;
/// `ARGV[3]` the idle TTL (ms); `ARGV[4]` the floor of the factor. Returns the factor (ppm).
pub(crate) const THROTTLED: &str = r"
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local state = redis.call('HMGET', KEYS[1], 'tat', 'f')
local tat = tonumber(state[1]) or now
local f = tonumber(state[2])
if not f or f <= 0 or f > 1 then f = 1 end
f = math.max(tonumber(ARGV[4]), f * 0.5)
local interval = tonumber(ARGV[1]) / f
tat = math.max(tat, now + tonumber(ARGV[2]) * interval)
redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', tat), 'f', string.format('%.6f', f))
redis.call('PEXPIRE', KEYS[1], math.ceil((tat - now) / 1000) + tonumber(ARGV[3]))
return math.floor(f * 1000000 + 0.5)
";

/// `on_success`: raise the factor by `ARGV[1]` (a twentieth), back to 1 at most; a hash with
/// no factor (full speed, or gone) is left alone. Returns the factor (ppm).
pub(crate) const SUCCESS: &str = r"
local f = tonumber(redis.call('HGET', KEYS[1], 'f'))
if not f or f <= 0 or f >= 1 then return 1000000 end
f = f + tonumber(ARGV[1])
if f >= 0.999999 then
  redis.call('HDEL', KEYS[1], 'f')
  return 1000000
end
redis.call('HSET', KEYS[1], 'f', string.format('%.6f', f))
return math.floor(f * 1000000 + 0.5)
";
