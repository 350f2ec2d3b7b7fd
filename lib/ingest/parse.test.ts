import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/http/errors";
import { parseIdempotencyKey, parseIngestBody } from "./parse";

const JSON_TYPE = "application/json; charset=utf-8";
const NDJSON_TYPE = "application/x-ndjson";

function failure(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected an ApiError");
}

describe("parseIngestBody", () => {
  it("reads one event, an array and NDJSON into writer input", () => {
    const one = parseIngestBody(JSON_TYPE, JSON.stringify({ event_type: "custom.app.done", resource_id: "r1", status_code: 204 }));
    expect(one).toEqual([expect.objectContaining({ eventType: "custom.app.done", resourceId: "r1", statusCode: 204 })]);
    expect(parseIngestBody(JSON_TYPE, JSON.stringify([{ event_type: "memory.created" }, { event_type: "custom.a.b" }]))).toHaveLength(2);
    expect(parseIngestBody(NDJSON_TYPE, '{"event_type":"custom.a.b"}\r\n\n{"event_type":"custom.a.c"}\n')).toHaveLength(2);
  });

  it("turns a timestamp into a Date and leaves it unset when absent", () => {
    const [event] = parseIngestBody(JSON_TYPE, JSON.stringify({ event_type: "custom.a.b", timestamp: "2025-03-01T12:00:00+02:00" }));
    expect(event?.timestamp?.toISOString()).toBe("2025-03-01T10:00:00.000Z");
    expect(parseIngestBody(JSON_TYPE, '{"event_type":"custom.a.b"}')[0]?.timestamp).toBeUndefined();
  });

  it.each([
    ["malformed JSON", JSON_TYPE, "{", 400],
    ["a scalar body", JSON_TYPE, "true", 400],
    ["an empty body", JSON_TYPE, " ", 400],
    ["a malformed NDJSON line", NDJSON_TYPE, '{"event_type":"custom.a.b"}\n[', 400],
    ["plain text", "text/plain", "{}", 415],
    ["no content type", "", "{}", 415],
    ["an empty array", JSON_TYPE, "[]", 422],
    ["an empty NDJSON body", NDJSON_TYPE, "\n\n", 422],
  ])("refuses %s", (_label, type, body, status) => {
    expect(failure(() => parseIngestBody(type, body)).status).toBe(status);
  });

  it("names every bad event by index, and its unknown fields by name", () => {
    const error = failure(() =>
      parseIngestBody(JSON_TYPE, JSON.stringify([{ event_type: "custom.a.b" }, { event_type: "custom.a.b", colour: "red", shade: 1 }, 7])),
    );
    expect(error.status).toBe(422);
    expect(error.message).toContain("2 of 3 events are invalid");
    expect(error.details).toEqual([
      { location: "body", index: 1, field: "colour", message: "is not a field of an event" },
      { location: "body", index: 1, field: "shade", message: "is not a field of an event" },
      { location: "body", index: 2, field: "(root)", message: "must be a JSON object (an event)" },
    ]);
  });
});

describe("parseIdempotencyKey", () => {
  it.each([
    [null, undefined],
    ["order-42", "order-42"],
    ["with space", "with space"],
  ])("accepts %j", (header, expected) => {
    expect(parseIdempotencyKey(header)).toBe(expected);
  });

  it.each(["", "k".repeat(201), "tab\there", "é"])("refuses %j", (header) => {
    expect(failure(() => parseIdempotencyKey(header)).status).toBe(422);
  });
});
