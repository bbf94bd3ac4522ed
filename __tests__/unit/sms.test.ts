import { isStopReply } from "../../src/campaign/sms";

describe("isStopReply", () => {
  test.each(["STOP", "stop", " Stop\n", "STOPALL", "unsubscribe", "Cancel", "END", "quit"])(
    "%j opts out",
    (body) => {
      expect(isStopReply(body)).toBe(true);
    },
  );

  // START, HELP and INFO are the other carrier keywords: they must not opt anyone out.
  test.each(["START", "HELP", "INFO", "UNSTOP"])("%j does not: it is not an opt-out keyword", (body) => {
    expect(isStopReply(body)).toBe(false);
  });

  test.each(["", "   ", "STOP please", "please stop", "stop.", "S T O P", "STOPP", "yes", "no", "end call"])(
    "%j does not: the keyword must be the whole message",
    (body) => {
      expect(isStopReply(body)).toBe(false);
    },
  );
});
