import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/** What Redis says to a call that wants to dial. */
export type Admission = "admitted" | "rate_limited" | "no_slot";

export interface CampaignLimits {
  /**
   * Tokens the campaign's bucket gains per minute. It is also the bucket's size: a full bucket lets
   * one minute's worth of calls start at once, and an idle minute fills it again.
   */
  callsPerMinute: number;
  /** Slots: calls of the campaign that may be unfinished at the same time. */
  maxConcurrentCalls: number;
}

// The hash tag {id} keeps a campaign's keys in one Redis Cluster slot, which a script touching both needs.
const bucketKey = (campaignId: string) => `campaign:{${campaignId}}:rate`;
const slotsKey = (campaignId: string) => `campaign:{${campaignId}}:slots`;

/*
 * One script, so that the token and the slot are taken together or not at all: a call refused for
 * want of a slot keeps its token. Tokens are counted in 1/60000ths, so that refilling callsPerMinute
 * of them per millisecond stays in whole numbers (no rounding can ever admit an extra call).
 * The slot set holds call ids: releasing twice, or a call that never held one, cannot free a slot
 * another call holds.
 */
const ADMIT = `
local per_minute = tonumber(ARGV[1])
local max_slots = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local capacity = per_minute * 60000
local bucket = redis.call('HMGET', KEYS[1], 'units', 'at')
local units = tonumber(bucket[1]) or capacity
local at = tonumber(bucket[2]) or now
if now > at then
  units = math.min(capacity, units + (now - at) * per_minute)
  at = now
end
local admission = 'admitted'
if units < 60000 then
  admission = 'rate_limited'
elseif redis.call('SCARD', KEYS[2]) >= max_slots then
  admission = 'no_slot'
else
  units = units - 60000
  redis.call('SADD', KEYS[2], ARGV[4])
end
redis.call('HSET', KEYS[1], 'units', units, 'at', at)
-- After an idle minute the bucket is full again, which is what a missing key means.
redis.call('PEXPIRE', KEYS[1], 60000)
return admission
`;
const ADMIT_SHA = createHash("sha1").update(ADMIT).digest("hex");

/**
 * Takes a rate-limit token and a concurrency slot for `callId`, atomically, at `now` (ms since the
 * epoch; injectable so that tests control time).
 */
export async function admitCall(
  redis: Redis,
  campaignId: string,
  callId: string,
  limits: CampaignLimits,
  now: number = Date.now(),
): Promise<Admission> {
  const keys = [bucketKey(campaignId), slotsKey(campaignId)];
  const args = [limits.callsPerMinute, limits.maxConcurrentCalls, Math.floor(now), callId];
  try {
    return (await redis.evalsha(ADMIT_SHA, keys.length, ...keys, ...args)) as Admission;
  } catch (error) {
    // The server has not seen the script yet (or was restarted): send it whole, which also caches it.
    if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
    return (await redis.eval(ADMIT, keys.length, ...keys, ...args)) as Admission;
  }
}

/** Frees the call's slot; false if it held none (already released, or never admitted). */
export async function releaseSlot(redis: Redis, campaignId: string, callId: string): Promise<boolean> {
  return (await redis.srem(slotsKey(campaignId), callId)) === 1;
}

/** The ids of the calls holding a slot of the campaign. */
export function heldSlots(redis: Redis, campaignId: string): Promise<string[]> {
  return redis.smembers(slotsKey(campaignId));
}
