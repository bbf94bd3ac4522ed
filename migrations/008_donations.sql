-- Money pledged by a contact, usually during a call (calls.outcome = 'donation').

CREATE TABLE donations (
  id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  -- NULL when the donation did not come from a call (e.g. a link in an SMS).
  -- Deleting a call keeps the money record.
  call_id      uuid        REFERENCES calls (id) ON DELETE SET NULL,
  campaign_id  uuid        NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  contact_id   uuid        NOT NULL,
  -- Minor units as an integer: no rounding, and pg returns a JS number
  -- (bigint would come back as a string). Up to about 21 million in major units.
  amount_cents integer     NOT NULL CONSTRAINT donations_amount_positive CHECK (amount_cents > 0),
  -- ISO 4217 code.
  currency     char(3)     NOT NULL DEFAULT 'USD' CONSTRAINT donations_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
  created_at   timestamptz NOT NULL DEFAULT now(),

  CONSTRAINT donations_contact_fk FOREIGN KEY (contact_id, campaign_id)
    REFERENCES contacts (id, campaign_id) ON DELETE CASCADE
);

CREATE INDEX donations_call_id_idx ON donations (call_id) WHERE call_id IS NOT NULL;
-- Campaign totals and timelines.
CREATE INDEX donations_campaign_created_idx ON donations (campaign_id, created_at DESC);
CREATE INDEX donations_contact_id_idx ON donations (contact_id);
