-- Numbers that must not be called or texted. The dialer checks these before
-- every call, so each is one unique-index probe by phone.

-- blacklist: never contact this number, from any campaign, on any channel.
CREATE TYPE blacklist_source AS ENUM ('manual', 'sms_stop', 'complaint', 'import');

CREATE TABLE blacklist (
  id         uuid             PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The unique index is also the look-up index of the hot path
  -- (SELECT 1 FROM blacklist WHERE phone = $1): one index probe.
  phone      phone_e164       NOT NULL CONSTRAINT blacklist_phone_key UNIQUE,
  reason     text,
  source     blacklist_source NOT NULL DEFAULT 'manual',
  created_at timestamptz      NOT NULL DEFAULT now()
);

-- opt_outs: the person asked to stop, for one campaign or (campaign_id NULL)
-- for all, on one channel or both.
CREATE TYPE opt_out_channel AS ENUM ('voice', 'sms', 'all');
CREATE TYPE opt_out_source AS ENUM ('sms_stop', 'voice_keypress', 'manual', 'complaint', 'import', 'api');

CREATE TABLE opt_outs (
  id          uuid            PRIMARY KEY DEFAULT gen_random_uuid(),
  phone       phone_e164      NOT NULL,
  -- NULL = global opt-out. Scoped ones go with their campaign.
  campaign_id uuid            REFERENCES campaigns (id) ON DELETE CASCADE,
  channel     opt_out_channel NOT NULL DEFAULT 'all',
  source      opt_out_source  NOT NULL,
  created_at  timestamptz     NOT NULL DEFAULT now(),

  -- One opt-out per phone and scope, the global scope included: NULLS NOT
  -- DISTINCT (PostgreSQL 15) makes two NULL campaign_ids collide, so
  -- INSERT ... ON CONFLICT (phone, campaign_id) DO UPDATE works for both.
  -- It also serves the hot-path look-up WHERE phone = $1.
  CONSTRAINT opt_outs_phone_campaign_key UNIQUE NULLS NOT DISTINCT (phone, campaign_id)
);

-- For ON DELETE CASCADE from campaigns and per-campaign reports.
CREATE INDEX opt_outs_campaign_id_idx ON opt_outs (campaign_id) WHERE campaign_id IS NOT NULL;
