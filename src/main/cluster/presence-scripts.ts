import { LUA_NOW, type MembershipKeys } from './membership-keys';

/**
 * The Lua scripts of cluster presence. Each runs atomically, so the invariant
 *   users[pk] = number of connections of pk in all conns:<instance> hashes of `members`
 * holds after every script, and a user's count goes 0→1 (user.joined) or 1→0 (user.left)
 * in exactly one script, whichever instances race. A connection is stored as JSON with at
 * least `pk` (the principal key); the event's payload is that JSON.
 *
 * Every script takes KEYS = scriptKeys() and ARGV[1] = conns prefix, ARGV[2] = this
 * instance's id, ARGV[3] = the stream's approximate cap; then its own arguments.
 */
export function scriptKeys(k: MembershipKeys): string[] {
  return [k.members, k.users, k.events, k.heartbeats, k.epoch];
}

const PRELUDE = `local members, users, events, heartbeats = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local prefix, me, cap = ARGV[1], ARGV[2], ARGV[3]
local function emit(kind, conn, from)
  redis.call('XADD', events, 'MAXLEN', '~', cap, '*', 'type', kind, 'conn', conn, 'from', from or me)
end
local function pkOf(conn) return cjson.decode(conn).pk end
local function add(pk, conn, from)
  if redis.call('HINCRBY', users, pk, 1) == 1 then emit('user.joined', conn, from) end
end
local function sub(pk, conn, from)
  if redis.call('HINCRBY', users, pk, -1) <= 0 then
    redis.call('HDEL', users, pk)
    emit('user.left', conn, from)
  end
end
`;

/** A script that changes this instance's connections answers -1 once it was reaped: resync. */
const MEMBER = `if redis.call('SISMEMBER', members, me) == 0 then return -1 end
local mine = prefix .. me
`;

/** ARGV[4] connection id, ARGV[5] pk, ARGV[6] connection JSON. */
export const JOIN = `${PRELUDE}${MEMBER}
if redis.call('HSET', mine, ARGV[4], ARGV[6]) == 0 then return 0 end
add(ARGV[5], ARGV[6])
return 1`;

/** ARGV[4] connection id. */
export const LEAVE = `${PRELUDE}${MEMBER}
local conn = redis.call('HGET', mine, ARGV[4])
if not conn then return 0 end
redis.call('HDEL', mine, ARGV[4])
sub(pkOf(conn), conn)
return 1`;

/** ARGV[4] connection id, ARGV[5] connection JSON with its new state. */
export const STATE = `${PRELUDE}${MEMBER}
if redis.call('HEXISTS', mine, ARGV[4]) == 0 then return 0 end
redis.call('HSET', mine, ARGV[4], ARGV[5])
emit('user.state', ARGV[5])
return 1`;

/**
 * Replaces this instance's connections with ARGV[4..] (triples: id, pk, JSON), counting
 * only the difference (so it is idempotent, and exact whether Redis kept the old hash, lost
 * it, or a reaper removed it), makes this instance a member, and touches its heartbeat.
 * Additions go first, so a user whose connections merely changed never leaves.
 */
export const RESYNC = `${PRELUDE}${LUA_NOW}
local mine = prefix .. me
local old = {}
local flat = redis.call('HGETALL', mine)
for i = 1, #flat, 2 do old[flat[i]] = flat[i + 1] end
if redis.call('SISMEMBER', members, me) == 0 then old = {} end
local new, order = {}, {}
for i = 4, #ARGV, 3 do
  new[ARGV[i]] = { ARGV[i + 1], ARGV[i + 2] }
  order[#order + 1] = ARGV[i]
end
for _, id in ipairs(order) do
  local n, o = new[id], old[id]
  if not o or pkOf(o) ~= n[1] then add(n[1], n[2])
  elseif o ~= n[2] then emit('user.state', n[2]) end
end
for id, o in pairs(old) do
  local n = new[id]
  local pk = pkOf(o)
  if not n or n[1] ~= pk then sub(pk, o) end
end
redis.call('DEL', mine)
for i = 1, #order, 200 do
  local args = {}
  for j = i, math.min(i + 199, #order) do
    args[#args + 1] = order[j]
    args[#args + 1] = new[order[j]][2]
  end
  redis.call('HSET', mine, unpack(args))
end
redis.call('SADD', members, me)
redis.call('ZADD', heartbeats, now, me)
return #order`;

/**
 * ARGV[4] 'self': removes this instance's connections (a clean stop). ARGV[4] 'dead',
 * ARGV[5] deadAfterMs: removes every other member whose heartbeat is missing or older, and
 * records a 'reaped' entry for each. Idempotent: a second reaper finds no such member.
 */
export const REMOVE = `${PRELUDE}${LUA_NOW}
local function remove(id)
  local key = prefix .. id
  for _, conn in ipairs(redis.call('HVALS', key)) do sub(pkOf(conn), conn, id) end
  redis.call('DEL', key)
  redis.call('SREM', members, id)
end
if ARGV[4] == 'self' then
  remove(me)
  return { me }
end
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', members)) do
  if id ~= me then
    local seen = redis.call('ZSCORE', heartbeats, id)
    if not seen or now - tonumber(seen) > tonumber(ARGV[5]) then
      remove(id)
      redis.call('XADD', events, 'MAXLEN', '~', cap, '*', 'type', 'reaped', 'instance', id, 'from', me)
      out[#out + 1] = id
    end
  end
end
return out`;

/**
 * The stream's last entry id (where a reader continues), the dataset's epoch (ARGV[4] if it
 * had none: Redis is new or lost its data), then every member's connections.
 */
export const SNAPSHOT = `${PRELUDE}
local last = redis.call('XREVRANGE', events, '+', '-', 'COUNT', 1)
local epoch = redis.call('GET', KEYS[5])
if not epoch then
  epoch = ARGV[4]
  redis.call('SET', KEYS[5], epoch)
end
local out = { last[1] and last[1][1] or '0-0', epoch }
for _, id in ipairs(redis.call('SMEMBERS', members)) do
  for _, conn in ipairs(redis.call('HVALS', prefix .. id)) do out[#out + 1] = conn end
end
return out`;
