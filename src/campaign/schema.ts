// The Campaign System's data model, as migrations/ and fixtures/mongo-collections.json define it: the
// value sets, the PostgreSQL rows and the Mongo documents. The call path works on these types; the
// fixtures (fixtures/test-data.ts) are data of these types.

// ---------------------------------------------------------------------------------------------
// Value sets. They match the PostgreSQL enums and the Mongo validators' enums one for one.
// ---------------------------------------------------------------------------------------------

export const USER_ROLES = ["campaign_manager", "administrator", "analyst"] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const CAMPAIGN_TYPES = ["voice", "sms", "hybrid"] as const;
export type CampaignType = (typeof CAMPAIGN_TYPES)[number];

export const CAMPAIGN_STATUSES = ["draft", "active", "paused", "completed", "cancelled"] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const CALL_STATUSES = ["queued", "dialing", "in_progress", "completed", "failed"] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

/** The statuses of a call that is not finished (the ones the partial index `calls_active_idx` holds). */
export const ACTIVE_CALL_STATUSES = [
  "queued",
  "dialing",
  "in_progress",
] as const satisfies readonly CallStatus[];

export const CALL_OUTCOMES = ["answered", "no_answer", "busy", "failed", "donation"] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export const SMS_DIRECTIONS = ["inbound", "outbound"] as const;
export type SmsDirection = (typeof SMS_DIRECTIONS)[number];

export const SMS_STATUSES = ["queued", "sent", "delivered", "failed", "received"] as const;
export type SmsStatus = (typeof SMS_STATUSES)[number];

export const BLACKLIST_SOURCES = ["manual", "sms_stop", "complaint", "import"] as const;
export type BlacklistSource = (typeof BLACKLIST_SOURCES)[number];

export const OPT_OUT_CHANNELS = ["voice", "sms", "all"] as const;
export type OptOutChannel = (typeof OPT_OUT_CHANNELS)[number];

export const OPT_OUT_SOURCES = [
  "sms_stop",
  "voice_keypress",
  "manual",
  "complaint",
  "import",
  "api",
] as const;
export type OptOutSource = (typeof OPT_OUT_SOURCES)[number];

/** The phone format every table enforces (domain `phone_e164`). */
export const E164_PATTERN = /^\+[1-9][0-9]{7,14}$/;

// ---------------------------------------------------------------------------------------------
// PostgreSQL rows. Optional properties are columns with a default (or nullable ones).
// `id` is always given: rows reference each other by it.
// ---------------------------------------------------------------------------------------------

/** A `timestamptz`: an ISO 8601 string or a Date (JSON turns it into the ISO string). */
export type Timestamp = string | Date;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  password_hash: string;
  created_at?: Timestamp;
}

export interface CampaignRow {
  id: string;
  owner_id: string;
  name: string;
  type: CampaignType;
  /** Default 'draft'. */
  status?: CampaignStatus;
  /** `time`, 'HH:MM[:SS]'; default '09:00'. The window is [start, end) and start < end. */
  calling_window_start?: string;
  /** `time`; default '21:00'; '24:00' is allowed (end of day). */
  calling_window_end?: string;
  /** IANA name, e.g. 'America/New_York'. */
  time_zone: string;
  /** Default 10. */
  max_concurrent_calls?: number;
  /** Default 60. */
  calls_per_minute?: number;
  /** Default 3. */
  max_attempts?: number;
  script?: string | null;
  sms_template?: string | null;
  /** `date`, 'YYYY-MM-DD'. */
  start_date?: string | null;
  end_date?: string | null;
  created_at?: Timestamp;
  updated_at?: Timestamp;
}

export interface ContactRow {
  id: string;
  campaign_id: string;
  /** E.164; unique per campaign. */
  phone: string;
  first_name?: string | null;
  last_name?: string | null;
  /** IANA name; null means the campaign's time zone. */
  time_zone?: string | null;
  /** Default false. */
  opted_out?: boolean;
  /** A JSON object; default {}. */
  attributes?: { [key: string]: JsonValue };
  created_at?: Timestamp;
  updated_at?: Timestamp;
}

export interface BlacklistRow {
  id: string;
  /** E.164; unique. */
  phone: string;
  reason?: string | null;
  /** Default 'manual'. */
  source?: BlacklistSource;
  created_at?: Timestamp;
}

export interface CallRow {
  id: string;
  campaign_id: string;
  /** A contact of the same campaign. */
  contact_id: string;
  /** Default 'queued'. */
  status?: CallStatus;
  outcome?: CallOutcome | null;
  /** Default 1. */
  attempt?: number;
  started_at?: Timestamp | null;
  answered_at?: Timestamp | null;
  ended_at?: Timestamp | null;
  /** Whole call, started_at to ended_at. */
  duration_seconds?: number | null;
  /** Unique when not null. */
  provider_call_id?: string | null;
  created_at?: Timestamp;
}

export interface SmsMessageRow {
  id: string;
  campaign_id: string;
  contact_id: string;
  direction: SmsDirection;
  /** At most 1600 characters. */
  body: string;
  /** 'received' exactly when direction is 'inbound'. */
  status: SmsStatus;
  provider_message_id?: string | null;
  created_at?: Timestamp;
}

export interface DonationRow {
  id: string;
  call_id?: string | null;
  campaign_id: string;
  contact_id: string;
  /** > 0, minor units. */
  amount_cents: number;
  /** ISO 4217, default 'USD'. */
  currency?: string;
  created_at?: Timestamp;
}

export interface OptOutRow {
  id: string;
  phone: string;
  /** null = every campaign. Unique per (phone, campaign_id), nulls included. */
  campaign_id?: string | null;
  /** Default 'all'. */
  channel?: OptOutChannel;
  source: OptOutSource;
  created_at?: Timestamp;
}

// ---------------------------------------------------------------------------------------------
// Mongo documents (collections in fixtures/mongo-collections.json).
// ---------------------------------------------------------------------------------------------

export interface CallEvent {
  /** e.g. 'queued', 'dialing', 'ringing', 'answered', 'dtmf', 'donation', 'hangup', 'failed'. */
  type: string;
  at: Date;
  data?: { [key: string]: JsonValue };
}

/** Call detail record; `callId` is the PostgreSQL `calls.id`. */
export interface CallRecordDoc {
  callId: string;
  campaignId: string;
  contactId: string;
  phone: string;
  status: CallStatus;
  outcome: CallOutcome | null;
  attempt: number;
  startedAt: Date | null;
  answeredAt?: Date | null;
  endedAt?: Date | null;
  durationSeconds?: number | null;
  providerCallId?: string | null;
  events: CallEvent[];
}

/** `messageId` is the PostgreSQL `sms_messages.id`. */
export interface SmsRecordDoc {
  messageId: string;
  campaignId: string;
  contactId: string;
  phone: string;
  direction: SmsDirection;
  body: string;
  status: SmsStatus;
  providerMessageId?: string | null;
  createdAt: Date;
}

/** An audit/event log entry; the `...Id` fields refer to PostgreSQL rows. */
export interface EventLogDoc {
  /** Dotted name, e.g. 'campaign.status_changed', 'call.completed', 'opt_out.created'. */
  type: string;
  campaignId?: string | null;
  userId?: string;
  contactId?: string;
  callId?: string;
  messageId?: string;
  donationId?: string;
  payload: { [key: string]: unknown };
  createdAt: Date;
}
