import { parseContactsCsv } from "../../src/campaign/contacts";

describe("parseContactsCsv", () => {
  test("one contact a line, cells by the header's column names", () => {
    const csv = "phone,first_name,last_name,time_zone\n+14155550100,Ada,Lovelace,America/New_York\n";
    expect(parseContactsCsv(csv)).toEqual([
      { phone: "+14155550100", first_name: "Ada", last_name: "Lovelace", time_zone: "America/New_York" },
    ]);
  });

  test("columns in any order, extra columns ignored, missing columns null", () => {
    const csv = "time_zone,notes,phone\nEurope/London,vip,+442079460018\n";
    expect(parseContactsCsv(csv)).toEqual([
      { phone: "+442079460018", first_name: null, last_name: null, time_zone: "Europe/London" },
    ]);
  });

  test("empty and blank cells are null; cells and header names are trimmed", () => {
    const csv = " phone , first_name ,last_name, time_zone\n +33612345678 ,  ,Curie,\n";
    expect(parseContactsCsv(csv)).toEqual([
      { phone: "+33612345678", first_name: null, last_name: "Curie", time_zone: null },
    ]);
  });

  test("CRLF line ends and blank lines are accepted; order is kept", () => {
    const csv = "phone,first_name\r\n+14155550100,A\r\n\r\n   \r\n+14155550101,B\r\n";
    expect(parseContactsCsv(csv).map((c) => [c.phone, c.first_name])).toEqual([
      ["+14155550100", "A"],
      ["+14155550101", "B"],
    ]);
  });

  test("the phone is kept as written (normalising is ingestContacts' job); a missing one is ''", () => {
    const csv = "phone,first_name\n(415) 555-0100,A\n,B\n";
    expect(parseContactsCsv(csv).map((c) => c.phone)).toEqual(["(415) 555-0100", ""]);
  });

  test("a header alone gives no contacts", () => {
    expect(parseContactsCsv("phone,first_name,last_name,time_zone\n")).toEqual([]);
  });

  test("an empty or blank file has no contacts", () => {
    expect(parseContactsCsv("")).toEqual([]);
    expect(parseContactsCsv("\n \n")).toEqual([]);
  });
});
