-- People who use the Campaign System.

-- An enum rather than free text: the three roles are a closed set and the
-- application switches on them.
CREATE TYPE user_role AS ENUM ('campaign_manager', 'administrator', 'analyst');

CREATE TABLE users (
  id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  email         text        NOT NULL CONSTRAINT users_email_format CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
  name          text        NOT NULL CONSTRAINT users_name_not_blank CHECK (btrim(name) <> ''),
  role          user_role   NOT NULL,
  password_hash text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- Email addresses are compared case-insensitively, so 'Ann@x.org' and
-- 'ann@x.org' cannot become two accounts. Look-ups must use lower(email).
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
