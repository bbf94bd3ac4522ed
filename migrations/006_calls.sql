-- One row per dialing attempt. This is the hot table of requirement 12.1
-- (1000 simultaneous active calls, every step under 200 ms): a row is
-- inserted, updated a few times as the call progresses, and active calls are
-- counted per campaign before each dial. Indexes are kept to what that path
-- and the reports need, since every status change rewrites each of them.

-- Where the call is in its life. 'completed' means the call ended normally,
-- whatever the person did; 'failed' means it could not be placed or broke.
CREATE TYPE call_status AS ENUM ('queued', 'dialing', 'in_progress', 'completed', 'failed');

-- What came of it; set when the call ends.
CREATE TYPE call_outcome AS ENUM ('answered', 'no_answer', 'busy', 'failed', 'donation');

CREATE TABLE calls (
  id               uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
  campaign_id      uuid         NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  contact_id       uuid         NOT NULL,
  status           call_status  NOT NULL DEFAULT 'queued',
  outcome          call_outcome,
  -- 1 for the first call to a contact, 2 for the first retry, ...
  attempt          integer      NOT NULL DEFAULT 1 CONSTRAINT calls_attempt_positive CHECK (attempt > 0),
  started_at       timestamptz,          -- dialing began
  answered_at      timestamptz,          -- the far end picked up
  ended_at         timestamptz,          -- hang-up or failure
  -- Whole call, started_at to ended_at, in whole seconds.
  duration_seconds integer      CONSTRAINT calls_duration_not_negative CHECK (duration_seconds >= 0),
  -- The telephony provider's id; unique when known, NULL before the provider answers.
  provider_call_id text         CONSTRAINT calls_provider_call_id_key UNIQUE,
  created_at       timestamptz  NOT NULL DEFAULT now(),

  -- The contact must belong to the call's campaign.
  CONSTRAINT calls_contact_fk FOREIGN KEY (contact_id, campaign_id)
    REFERENCES contacts (id, campaign_id) ON DELETE CASCADE,
  CONSTRAINT calls_answered_after_start CHECK (answered_at IS NULL OR (started_at IS NOT NULL AND answered_at >= started_at)),
  CONSTRAINT calls_ended_after_start CHECK (ended_at IS NULL OR (started_at IS NOT NULL AND ended_at >= started_at))
);

-- Campaign progress and per-status reports: WHERE campaign_id = $1 AND status = $2.
CREATE INDEX calls_campaign_status_idx ON calls (campaign_id, status);

-- A contact's attempts (retry logic) and the composite FK's cascade.
CREATE INDEX calls_contact_id_idx ON calls (contact_id);

-- Concurrency slots: count the unfinished calls of a campaign before each dial,
-- e.g. WHERE campaign_id = $1 AND status IN ('dialing', 'in_progress').
-- Only unfinished rows are in it, so it stays small (about the number of live
-- calls) however many finished calls pile up, and stays in memory.
CREATE INDEX calls_active_idx ON calls (campaign_id, status)
  WHERE status IN ('queued', 'dialing', 'in_progress');
