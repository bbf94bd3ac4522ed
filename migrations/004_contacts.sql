-- The people a campaign calls or texts. A phone number belongs to a contact
-- once per campaign; the same person may appear in several campaigns.

CREATE TABLE contacts (
  id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  campaign_id uuid        NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  phone       phone_e164  NOT NULL,
  first_name  text,
  last_name   text,
  -- NULL means "use the campaign's time zone".
  time_zone   text        CONSTRAINT contacts_time_zone_valid CHECK (is_valid_time_zone(time_zone)),
  -- This contact asked not to be contacted by this campaign. Global
  -- suppression lives in blacklist and opt_outs; the dialer checks all three.
  opted_out   boolean     NOT NULL DEFAULT false,
  -- Free-form data from the import (donor tier, language, ...), always an object.
  attributes  jsonb       NOT NULL DEFAULT '{}'
    CONSTRAINT contacts_attributes_object CHECK (jsonb_typeof(attributes) = 'object'),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),

  -- Also the index for "contacts of campaign X" and for the campaign_id FK.
  CONSTRAINT contacts_campaign_phone_key UNIQUE (campaign_id, phone),
  -- Target of the composite foreign keys in calls, sms_messages and donations,
  -- which guarantee that a contact is only used within its own campaign.
  CONSTRAINT contacts_id_campaign_key UNIQUE (id, campaign_id)
);

-- An opt-out or a blacklist entry arrives with a phone number only; this finds
-- every contact row carrying it, across campaigns.
CREATE INDEX contacts_phone_idx ON contacts (phone);

CREATE TRIGGER contacts_set_updated_at
  BEFORE UPDATE ON contacts
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
