// The reference call path: the system under test of the suites and the load harness's worked example.
// What the dialer does for one call, across all four stores, on the data model of ./schema.
export * from "./schema";
export { campaignAnalytics, storeCampaignReport } from "./analytics";
export type { CampaignAnalytics } from "./analytics";
export { answerCall, endCall, publish, startCall } from "./calls";
export type { ActiveCall, CallOptions, DialTask, Donation, StartResult } from "./calls";
export { CAMPAIGN_TRANSITIONS, changeCampaignStatus, FINAL_STATUSES } from "./campaigns";
export type { StatusChange } from "./campaigns";
export { checkContact, refuse } from "./checks";
export type { Channel, Cleared, Refusal, Refused } from "./checks";
export { ingestContacts, parseContactsCsv } from "./contacts";
export type { ContactInput, IngestProblem, IngestResult } from "./contacts";
export { admitCall, heldSlots, releaseSlot } from "./limits";
export { acquireLock, releaseLock } from "./locks";
export type { LockTable } from "./locks";
export type { Admission, CampaignLimits } from "./limits";
export { normalizePhone } from "./phone";
export type { PhoneOptions, PhoneResult } from "./phone";
export { isStopReply, receiveSms, sendSms } from "./sms";
export { callStores } from "./stores";
export type { CallStores } from "./stores";
export { blacklistPhone, optOut } from "./suppression";
export { isInsideCallingWindow, localSecondOfDay, secondOfDay } from "./window";
export type { CallingWindow } from "./window";
export { seedCampaign } from "./seed";
export type { SeededCampaign } from "./seed";
