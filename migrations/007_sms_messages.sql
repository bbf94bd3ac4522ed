-- Text messages sent to and received from contacts.

CREATE TYPE sms_direction AS ENUM ('inbound', 'outbound');
-- 'received' is the only status of an inbound message; the others are the
-- delivery states of an outbound one.
CREATE TYPE sms_status AS ENUM ('queued', 'sent', 'delivered', 'failed', 'received');

CREATE TABLE sms_messages (
  id                  uuid          PRIMARY KEY DEFAULT gen_random_uuid(),
  campaign_id         uuid          NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  contact_id          uuid          NOT NULL,
  direction           sms_direction NOT NULL,
  -- 1600 characters is the longest concatenated message carriers accept.
  body                text          NOT NULL CONSTRAINT sms_messages_body_length CHECK (char_length(body) <= 1600),
  status              sms_status    NOT NULL,
  -- The SMS provider's id; unique when known.
  provider_message_id text          CONSTRAINT sms_messages_provider_message_id_key UNIQUE,
  created_at          timestamptz   NOT NULL DEFAULT now(),

  CONSTRAINT sms_messages_contact_fk FOREIGN KEY (contact_id, campaign_id)
    REFERENCES contacts (id, campaign_id) ON DELETE CASCADE,
  CONSTRAINT sms_messages_status_matches_direction CHECK ((direction = 'inbound') = (status = 'received'))
);

-- Campaign timelines, newest first.
CREATE INDEX sms_messages_campaign_created_idx ON sms_messages (campaign_id, created_at DESC);
-- A contact's conversation, and the composite FK's cascade.
CREATE INDEX sms_messages_contact_created_idx ON sms_messages (contact_id, created_at);
