import { isStopReply } from "../../src/campaign/sms";

describe("isStopReply", () => {
  test.each(["STOP", "stop", " Stop\n", "STOPALL", "unsubscribe", "Cancel", "END", "quit"])(
    "%j opts out",
    (body) => {
      expect(isStopReply(body)).toBe(true);
    },
  );

  test.each(["", "   ", "STOP please", "please stop", "stop.", "S T O P", "STOPP", "yes", "end call"])(
    "%j does not: the keyword must be the whole message",
    (body) => {
      expect(isStopReply(body)).toBe(false);
    },
  );
});
