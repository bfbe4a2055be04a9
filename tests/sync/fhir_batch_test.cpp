// FHIR batch Bundle encoding, batch-response parsing and OperationOutcome: exact values, and
// hostile input that must come back as a reason rather than a crash.

#include "fhir/batch.hpp"
#include "fhir/identifier.hpp"
#include "fhir/limited_json.hpp"
#include "fhir/operation_outcome.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

using namespace kiosk::fhir;
using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

namespace {

std::string uuid(int n) {
    char text[64];
    std::snprintf(text, sizeof text, "urn:uuid:00000000-0000-4000-8000-%012d", n);
    return text;
}

// A QuestionnaireResponse as the kiosk writes it, with a free-text answer of `text_bytes` bytes
// so tests can steer the encoded size.
std::string payload_for(const std::string& identifier, std::size_t text_bytes = 10) {
    ordered_json response = {
        {"resourceType", "QuestionnaireResponse"},
        {"identifier", {{"system", "urn:ietf:rfc:3986"}, {"value", identifier}}},
        {"questionnaire", "https://example.org/Questionnaire/ward|1.0"},
        {"status", "completed"},
        {"authored", "2025-01-02T03:04:05Z"},
        {"item",
         {{{"linkId", "comment"}, {"answer", {{{"valueString", std::string(text_bytes, 'x')}}}}}}},
    };
    return response.dump();
}

OutgoingResponse row(int n, std::size_t text_bytes = 10) {
    return {n, uuid(n), payload_for(uuid(n), text_bytes)};
}

std::vector<OutgoingResponse> rows(int count, std::size_t text_bytes = 10) {
    std::vector<OutgoingResponse> out;
    for (int i = 1; i <= count; ++i) {
        out.push_back(row(i, text_bytes));
    }
    return out;
}

// A batch-response entry with the given status and optional extras.
json reply_entry(const std::string& status, json extra_response = json::object(),
                 json resource = nullptr) {
    json response = {{"status", status}};
    if (extra_response.is_object()) {
        response.update(extra_response);
    }
    json entry = {{"response", response}};
    if (!resource.is_null()) {
        entry["resource"] = resource;
    }
    return entry;
}

std::string reply(const std::vector<json>& entries) {
    return json{{"resourceType", "Bundle"}, {"type", "batch-response"}, {"entry", entries}}.dump();
}

} // namespace

TEST_CASE("encode_batch writes a FHIR batch Bundle with ifNoneExist and no fullUrl") {
    const auto sent = rows(2);
    const std::string body = encode_batch(sent);

    // The envelope comes first, in this order, as compact text.
    CHECK(body.rfind(R"({"resourceType":"Bundle","type":"batch","entry":[{"resource":{)"
                     R"("resourceType":"QuestionnaireResponse","identifier":)",
                     0) == 0);
    CHECK(body.find("fullUrl") == std::string::npos);
    CHECK(body.find('\n') == std::string::npos);

    const json bundle = json::parse(body);
    CHECK(bundle.size() == 3);
    CHECK(bundle["resourceType"] == "Bundle");
    CHECK(bundle["type"] == "batch");
    REQUIRE(bundle["entry"].size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
        const json& entry = bundle["entry"][i];
        CHECK(entry.size() == 2); // resource and request only
        CHECK(entry["resource"] == json::parse(sent[i].payload));
        CHECK(entry["request"] ==
              json{{"method", "POST"},
                   {"url", "QuestionnaireResponse"},
                   {"ifNoneExist", "identifier=urn:ietf:rfc:3986|" + sent[i].identifier}});
    }
    CHECK(bundle["entry"][0]["request"]["ifNoneExist"] ==
          "identifier=urn:ietf:rfc:3986|urn:uuid:00000000-0000-4000-8000-000000000001");
}

TEST_CASE("encode_batch keeps the payload's content and member order but not its formatting") {
    OutgoingResponse pretty = row(1);
    pretty.payload = "\xEF\xBB\xBF  " + ordered_json::parse(pretty.payload).dump(4) + "\n";
    const std::string body = encode_batch(std::span(&pretty, 1));
    CHECK(body.find(ordered_json::parse(row(1).payload).dump()) != std::string::npos);
    CHECK(body.find('\n') == std::string::npos);
    CHECK(body.find("\xEF\xBB\xBF") == std::string::npos);
}

TEST_CASE("encode_batch of nothing is a Bundle without an entry list") {
    CHECK(encode_batch({}) == R"({"resourceType":"Bundle","type":"batch"})");
    const BatchPlan plan = plan_batch({});
    CHECK(plan.count == 0);
    CHECK(plan.body.empty());
    CHECK_FALSE(plan.unsendable);
}

TEST_CASE("plan_batch stops at 50 entries") {
    const auto queued = rows(60);
    const BatchPlan plan = plan_batch(queued);
    CHECK(plan.count == 50);
    CHECK_FALSE(plan.unsendable);
    CHECK(plan.body == encode_batch(std::span(queued).first(50)));
    CHECK(json::parse(plan.body)["entry"].size() == 50);

    SECTION("fewer when the settings say so") {
        CHECK(plan_batch(queued, {.max_entries = 7}).count == 7);
    }
    SECTION("never more than 50, never fewer than 1") {
        CHECK(plan_batch(queued, {.max_entries = 500}).count == 50);
        CHECK(plan_batch(queued, {.max_entries = 0}).count == 1);
    }
    SECTION("all of a short queue") {
        CHECK(plan_batch(std::span(queued).first(3)).count == 3);
    }
}

TEST_CASE("plan_batch counts encoded bytes exactly") {
    const auto queued = rows(3, 1000);
    const std::size_t two = encode_batch(std::span(queued).first(2)).size();
    const std::size_t three = encode_batch(queued).size();
    REQUIRE(two > 2000);

    const BatchPlan at_two = plan_batch(queued, {.max_bytes = two});
    CHECK(at_two.count == 2);
    CHECK(at_two.body.size() == two);

    CHECK(plan_batch(queued, {.max_bytes = two - 1}).count == 1);
    CHECK(plan_batch(queued, {.max_bytes = three - 1}).count == 2);
    CHECK(plan_batch(queued, {.max_bytes = three}).count == 3);
    CHECK(plan_batch(queued, {.max_bytes = three}).body.size() == three);
}

TEST_CASE("the default byte limit is 256 KiB of encoded body") {
    // Each entry a little over 10 KiB: 24 fit in 256 KiB, 25 do not.
    const auto queued = rows(30, 10 * 1024);
    const BatchPlan plan = plan_batch(queued);
    CHECK(plan.body.size() <= 256 * 1024);
    CHECK(encode_batch(std::span(queued).first(plan.count + 1)).size() > 256 * 1024);
    CHECK(plan.count == 24);
}

TEST_CASE("a response larger than the byte limit is sent alone") {
    std::vector<OutgoingResponse> queued = {row(1, 300 * 1024), row(2), row(3)};
    const BatchPlan first = plan_batch(queued);
    CHECK(first.count == 1);
    CHECK(first.body.size() > max_batch_bytes);
    CHECK_FALSE(first.unsendable);

    SECTION("and does not join a batch already started") {
        queued = {row(1), row(2, 300 * 1024), row(3)};
        CHECK(plan_batch(queued).count == 1);
        CHECK(plan_batch(std::span(queued).subspan(1)).count == 1);
        CHECK(plan_batch(std::span(queued).subspan(2)).count == 1);
    }
}

TEST_CASE("a row that can never be sent is reported, not sent and not a crash") {
    auto queued = rows(4);
    std::string expected;

    SECTION("payload is not JSON") {
        queued[2].payload = "{\"resourceType\": \"QuestionnaireResponse\",";
        expected = "payload is not valid JSON (parse error at line 1, column 42: syntax error "
                   "while parsing object key - unexpected end of input; expected string literal)";
    }
    SECTION("payload is not an object") {
        queued[2].payload = "[1,2]";
        expected = "payload is a JSON array, not an object";
    }
    SECTION("payload is another resource") {
        queued[2].payload = R"({"resourceType":"Patient"})";
        expected = "payload resourceType is 'Patient', not QuestionnaireResponse";
    }
    SECTION("payload has no resourceType") {
        queued[2].payload = R"({"status":"completed"})";
        expected = "payload has no resourceType";
    }
    SECTION("payload has no identifier") {
        queued[2].payload = R"({"resourceType":"QuestionnaireResponse"})";
        expected = "payload has no identifier";
    }
    SECTION("payload identifier differs from the row's, so ifNoneExist would never match") {
        queued[2].payload = payload_for(uuid(99));
        expected = "payload identifier.value 'urn:uuid:00000000-0000-4000-8000-000000000099' "
                   "differs from the row's 'urn:uuid:00000000-0000-4000-8000-000000000003'";
    }
    SECTION("payload identifier has another system") {
        auto payload = ordered_json::parse(queued[2].payload);
        payload["identifier"]["system"] = "https://example.org/ids";
        queued[2].payload = payload.dump();
        expected = "payload identifier.system is 'https://example.org/ids', not urn:ietf:rfc:3986";
    }
    SECTION("row identifier is not a urn:uuid") {
        queued[2].identifier = "abc|def";
        expected = "identifier 'abc|def' is not a urn:uuid";
    }
    SECTION("payload nested absurdly deep") {
        queued[2].payload = std::string(100000, '[') + std::string(100000, ']');
        expected = "payload is not valid JSON (nested deeper than 64 levels)";
    }
    SECTION("payload with invalid UTF-8") {
        queued[2].payload = payload_for(uuid(3));
        queued[2].payload.replace(queued[2].payload.find("xxxx"), 1, "\xC3\x28");
        CHECK(unsendable_reason(queued[2]).value().rfind("payload is not valid JSON (", 0) == 0);
        expected = *unsendable_reason(queued[2]);
    }

    const BatchPlan plan = plan_batch(queued);
    CHECK(plan.count == 2);
    CHECK(plan.body == encode_batch(std::span(queued).first(2)));
    REQUIRE(plan.unsendable);
    CHECK(plan.unsendable->index == 2);
    CHECK(plan.unsendable->row_id == 3);
    CHECK(plan.unsendable->reason == expected);
    CHECK(unsendable_reason(queued[2]) == expected);

    // First in the queue: nothing to send yet, but the row is named.
    const BatchPlan alone = plan_batch(std::span(queued).subspan(2));
    CHECK(alone.count == 0);
    CHECK(alone.body.empty());
    REQUIRE(alone.unsendable);
    CHECK(alone.unsendable->index == 0);

    CHECK_THROWS_AS(encode_batch(queued), UnsendableRowError);
    CHECK_THROWS_WITH(encode_batch(queued), "row 3: " + expected);
}

TEST_CASE("a batch-response gives each entry its status, outcome and reason") {
    const json conflict = make_operation_outcome(IssueSeverity::error, "conflict",
                                                 "identifier already stored with other answers");
    const json invalid_answer = {
        {"resourceType", "OperationOutcome"},
        {"issue",
         {{{"severity", "error"}, {"code", "value"}, {"details", {{"text", "q3: 11 > 10"}}}}}}};
    const std::string body = reply({
        reply_entry("201 Created", {{"location", "QuestionnaireResponse/17/_history/1"}}),
        reply_entry("200 OK"),
        reply_entry("400 Bad Request"),
        reply_entry("409 Conflict", {{"outcome", conflict}}),
        reply_entry("422", {{"outcome", invalid_answer}}),
        reply_entry("500"),
        reply_entry("429 Too Many Requests"),
        reply_entry(
            "404 Not Found", {},
            make_operation_outcome(IssueSeverity::error, "not-found", "unknown Questionnaire")),
        reply_entry("201"),
    });
    const BatchReply parsed = parse_batch_response(body, 9);
    REQUIRE(parsed.valid());
    REQUIRE(parsed.entries.size() == 9);

    const auto check = [&](std::size_t i, int status, EntryOutcome outcome,
                           const std::string& reason) {
        INFO("entry " << i + 1);
        CHECK(parsed.entries[i].status == status);
        CHECK(parsed.entries[i].outcome == outcome);
        CHECK(parsed.entries[i].reason == reason);
    };
    check(0, 201, EntryOutcome::acknowledged, "");
    check(1, 200, EntryOutcome::acknowledged, "");
    check(2, 400, EntryOutcome::rejected, "400 Bad Request");
    check(3, 409, EntryOutcome::rejected, "identifier already stored with other answers");
    check(4, 422, EntryOutcome::rejected, "q3: 11 > 10");
    check(5, 500, EntryOutcome::retry, "HTTP 500");
    check(6, 429, EntryOutcome::retry, "429 Too Many Requests");
    check(7, 404, EntryOutcome::rejected, "unknown Questionnaire");
    check(8, 201, EntryOutcome::acknowledged, "");
}

TEST_CASE("entry statuses map to outcomes") {
    CHECK(classify_entry_status(200) == EntryOutcome::acknowledged);
    CHECK(classify_entry_status(201) == EntryOutcome::acknowledged);
    for (int status : {400, 401, 403, 404, 405, 409, 410, 412, 413, 415, 422, 499}) {
        INFO(status);
        CHECK(classify_entry_status(status) == EntryOutcome::rejected);
    }
    for (int status : {100, 202, 204, 301, 304, 408, 425, 429, 500, 502, 503, 504, 599}) {
        INFO(status);
        CHECK(classify_entry_status(status) == EntryOutcome::retry);
    }
    CHECK(to_string(EntryOutcome::acknowledged) == "acknowledged");
    CHECK(to_string(EntryOutcome::rejected) == "rejected");
    CHECK(to_string(EntryOutcome::retry) == "retry");
}

TEST_CASE("a reply that is not a batch-response for what was sent is invalid, with a reason") {
    const auto ok = [](int count) {
        return std::vector<json>(static_cast<std::size_t>(count), reply_entry("201 Created"));
    };
    struct Case {
        std::string body;
        std::size_t sent;
        std::string reason;
    };
    const json portal_outcome =
        make_operation_outcome(IssueSeverity::fatal, "exception", "database unavailable");
    const std::vector<Case> cases = {
        {"<html><head><title>Hospital Wi-Fi login</title></head></html>", 1,
         "not JSON (starts with '<html')"},
        {"\r\n  <!DOCTYPE html>\n<html>", 1, "not JSON (starts with '<!DOCTYPE')"},
        {"Service Unavailable", 1, "not JSON (starts with 'Service')"},
        {"\x01\xFF\xFEgarbage", 1, "not JSON (starts with '\x20??garbage')"},
        {"", 1, "empty reply"},
        {" \n\t", 1, "empty reply"},
        {R"({"resourceType":"Bundle","type":"batch-response","entry":[{"response":)", 1,
         "malformed JSON (parse error at line 1, column 71: syntax error while parsing value - "
         "unexpected end of input; expected '[', '{', or a literal)"},
        {reply(ok(1)) + "x", 1,
         "malformed JSON (parse error at line 1, column 98: syntax error while parsing value - "
         "invalid literal; last read: '\"batch-response\"}x'; expected end of input)"},
        {"[1,2,3]", 1, "JSON array, not a Bundle"},
        {portal_outcome.dump(), 1,
         "resourceType is 'OperationOutcome', not Bundle (database unavailable)"},
        {R"({"resourceType":"OperationOutcome"})", 1,
         "resourceType is 'OperationOutcome', not Bundle"},
        {R"({"type":"batch-response"})", 1, "no resourceType, not a Bundle"},
        {json{{"resourceType", "Bundle"}, {"type", "batch"}, {"entry", ok(1)}}.dump(), 1,
         "type is 'batch' not 'batch-response'"},
        {json{{"resourceType", "Bundle"}, {"entry", ok(1)}}.dump(), 1,
         "no type, not 'batch-response'"},
        {reply(ok(2)), 3, "2 entries for 3 sent"},
        {reply(ok(1)), 2, "1 entry for 2 sent"},
        {reply(ok(4)), 3, "4 entries for 3 sent"},
        {R"({"resourceType":"Bundle","type":"batch-response"})", 1, "0 entries for 1 sent"},
        {R"({"resourceType":"Bundle","type":"batch-response","entry":{}})", 1,
         "entry is not a list"},
        {reply({reply_entry("201 Created"), json{{"resource", json::object()}}}), 2,
         "entry 2 has no response"},
        {reply({json{{"response", json::object()}}}), 1, "entry 1 has no response.status"},
        {reply({json{{"response", {{"status", 201}}}}}), 1, "entry 1 has no response.status"},
        {reply({reply_entry("Created")}), 1,
         "entry 1 response.status 'Created' is not an HTTP status"},
        {reply({reply_entry("2010 Created")}), 1,
         "entry 1 response.status '2010 Created' is not an HTTP status"},
        {reply({reply_entry("999 Odd")}), 1,
         "entry 1 response.status '999 Odd' is not an HTTP status"},
    };
    for (const Case& c : cases) {
        INFO(c.body.substr(0, 200));
        const BatchReply parsed = parse_batch_response(c.body, c.sent);
        CHECK_FALSE(parsed.valid());
        CHECK(parsed.invalid_reason.value_or("(valid)") == c.reason);
        CHECK(parsed.entries.empty());
    }
}

TEST_CASE("a reply naming other responses than those sent is invalid") {
    const auto sent = rows(2);
    const std::string first = sent[0].identifier;
    const std::string second = sent[1].identifier;
    const std::string other = uuid(77);

    SECTION("matching identifiers and plain server ids are fine") {
        json returned = json::parse(sent[1].payload);
        // UUIDs compare without regard to case.
        returned["identifier"]["value"] = "URN:UUID:00000000-0000-4000-8000-000000000002";
        const BatchReply parsed = parse_batch_response(
            reply({reply_entry("201 Created", {{"location", "QuestionnaireResponse/9/_history/1"}}),
                   reply_entry("200 OK", {}, returned)}),
            sent);
        CHECK(parsed.valid());
        CHECK(parsed.entries.size() == 2);
    }
    SECTION("response.location with another urn:uuid") {
        const BatchReply parsed = parse_batch_response(
            reply({reply_entry("201 Created"),
                   reply_entry("201 Created",
                               {{"location", "QuestionnaireResponse?identifier=" + other}})}),
            sent);
        CHECK(parsed.invalid_reason == "entry 2 names " + other + " but " + second + " was sent");
    }
    SECTION("response.location, percent-encoded") {
        const BatchReply parsed = parse_batch_response(
            reply({reply_entry("201 Created",
                               {{"location", "QuestionnaireResponse?identifier=urn%3Auuid%3A"
                                             "00000000-0000-4000-8000-000000000077"}}),
                   reply_entry("201 Created")}),
            sent);
        CHECK(parsed.invalid_reason == "entry 1 names " + other + " but " + first + " was sent");
    }
    SECTION("the two entries' answers swapped") {
        const BatchReply parsed =
            parse_batch_response(reply({reply_entry("200 OK", {}, json::parse(sent[1].payload)),
                                        reply_entry("200 OK", {}, json::parse(sent[0].payload))}),
                                 sent);
        CHECK(parsed.invalid_reason == "entry 1 names " + second + " but " + first + " was sent");
    }
    SECTION("resource.identifier as a list without ours") {
        const json returned = {{"resourceType", "QuestionnaireResponse"},
                               {"identifier", {{{"value", other}}, {{"value", "local-5"}}}}};
        const BatchReply parsed = parse_batch_response(
            reply({reply_entry("201 Created"), reply_entry("201 Created", {}, returned)}), sent);
        CHECK(parsed.invalid_reason == "entry 2 names " + other + " but " + second + " was sent");
    }
    SECTION("resource.identifier as a list holding ours") {
        const json returned = {{"resourceType", "QuestionnaireResponse"},
                               {"identifier", {{{"value", "local-5"}}, {{"value", second}}}}};
        CHECK(
            parse_batch_response(
                reply({reply_entry("201 Created"), reply_entry("201 Created", {}, returned)}), sent)
                .valid());
    }
    SECTION("the count-only form does not look at identifiers") {
        CHECK(parse_batch_response(reply({reply_entry("201 Created", {{"location", other}}),
                                          reply_entry("201 Created")}),
                                   2)
                  .valid());
    }
}

TEST_CASE("huge or deeply nested replies are refused without crashing") {
    SECTION("a million brackets") {
        const BatchReply parsed =
            parse_batch_response(std::string(1000000, '[') + std::string(1000000, ']'), 1);
        CHECK(parsed.invalid_reason == "malformed JSON (nested deeper than 64 levels)");
    }
    SECTION("a million opening brackets, never closed") {
        const BatchReply parsed = parse_batch_response(std::string(1000000, '['), 1);
        CHECK(parsed.invalid_reason ==
              "malformed JSON (parse error at line 1, column 1000001: syntax error while parsing "
              "value - unexpected end of input; expected '[', '{', or a literal)");
    }
    SECTION("deep nesting inside an otherwise good reply") {
        const std::string deep = std::string(5000, '[') + std::string(5000, ']');
        const std::string body =
            R"({"resourceType":"Bundle","type":"batch-response","entry":[{"response":)"
            R"({"status":"201 Created"},"resource":{"x":)" +
            deep + "}}]}";
        CHECK(parse_batch_response(body, 1).invalid_reason ==
              "malformed JSON (nested deeper than 64 levels)");
    }
    SECTION("over the size cap") {
        std::string body = reply({reply_entry("201 Created")});
        body.insert(1, max_batch_reply_bytes, ' ');
        CHECK(parse_batch_response(body, 1).invalid_reason ==
              "reply too large (" + std::to_string(body.size()) + " bytes)");
    }
    SECTION("an enormous diagnostics text is cut to one short line") {
        const json outcome = make_operation_outcome(IssueSeverity::error, "invalid",
                                                    "bad\n" + std::string(1000000, 'e'));
        const BatchReply parsed = parse_batch_response(
            reply({reply_entry("422 Unprocessable Entity", {{"outcome", outcome}})}), 1);
        REQUIRE(parsed.valid());
        CHECK(parsed.entries[0].reason.size() == max_outcome_text_bytes);
        CHECK(parsed.entries[0].reason.rfind("bad eee", 0) == 0);
        CHECK(parsed.entries[0].reason.substr(max_outcome_text_bytes - 3) == "...");
    }
}

TEST_CASE("make_operation_outcome writes the FHIR shape") {
    CHECK(make_operation_outcome(IssueSeverity::error, "required", "q1 needs an answer",
                                 "QuestionnaireResponse.item[0]") ==
          json::parse(R"({"resourceType":"OperationOutcome","issue":[{"severity":"error",
              "code":"required","diagnostics":"q1 needs an answer",
              "expression":["QuestionnaireResponse.item[0]"]}]})"));
    CHECK(make_operation_outcome(IssueSeverity::information, "informational", "") ==
          json::parse(R"({"resourceType":"OperationOutcome","issue":[{"severity":"information",
              "code":"informational"}]})"));
    const std::vector<OutcomeIssue> issues = {
        {IssueSeverity::error, "value", "q2: 12 is above 10", "QuestionnaireResponse.item[1]"},
        {IssueSeverity::warning, "informational", "authored is in the future", ""},
    };
    const json two = make_operation_outcome(issues);
    CHECK(two["issue"].size() == 2);
    CHECK(two["issue"][1] == json{{"severity", "warning"},
                                  {"code", "informational"},
                                  {"diagnostics", "authored is in the future"}});
    CHECK(make_operation_outcome(std::span<const OutcomeIssue>{})["issue"] ==
          json::parse(R"([{"severity":"information","code":"informational"}])"));
    CHECK(to_string(IssueSeverity::fatal) == "fatal");
}

TEST_CASE("parse_operation_outcome_text reads what people need") {
    const auto text = [](const char* outcome) {
        return parse_operation_outcome_text(json::parse(outcome));
    };
    CHECK(text(R"({"resourceType":"OperationOutcome","issue":[
        {"severity":"error","code":"invalid","diagnostics":"first"},
        {"severity":"error","code":"invalid","details":{"text":"second"}},
        {"severity":"error","code":"invalid","details":{"coding":[{"code":"x"},{"display":"third"}]}},
        {"severity":"error","code":"invalid"}]})") == "first; second; third");
    // Errors win over warnings, so a warning does not hide why something was refused.
    CHECK(text(R"({"resourceType":"OperationOutcome","issue":[
        {"severity":"warning","code":"informational","diagnostics":"just a warning"},
        {"severity":"fatal","code":"exception","diagnostics":"store failed"}]})") ==
          "store failed");
    CHECK(text(R"({"resourceType":"OperationOutcome","issue":[
        {"severity":"warning","code":"informational","diagnostics":"only a warning"}]})") ==
          "only a warning");
    // Control characters would break a log line or the staff screen.
    CHECK(text(R"({"resourceType":"OperationOutcome","issue":[
        {"severity":"error","diagnostics":"line one\nline two\ttab"}]})") ==
          "line one line two tab");
    // Not an OperationOutcome, or shapes that are wrong: empty, never a throw.
    CHECK(text(R"({"resourceType":"Bundle"})").empty());
    CHECK(text(R"({"resourceType":"OperationOutcome","issue":"oops"})").empty());
    CHECK(
        text(R"({"resourceType":"OperationOutcome","issue":[1,null,"x",{"details":7}]})").empty());
    CHECK(text(R"([1,2])").empty());
    CHECK(text(R"("OperationOutcome")").empty());
}

TEST_CASE("operation_outcome_text_in_body explains a refused request") {
    CHECK(operation_outcome_text_in_body(
              make_operation_outcome(IssueSeverity::error, "not-supported",
                                     "batch is not supported at this endpoint")
                  .dump()) == "batch is not supported at this endpoint");
    CHECK(operation_outcome_text_in_body("<html>Bad Request</html>").empty());
    CHECK(operation_outcome_text_in_body(R"({"resourceType":"OperationOutcome",)").empty());
    CHECK(operation_outcome_text_in_body(std::string(100000, '[')).empty());
    CHECK(operation_outcome_text_in_body("").empty());
}

TEST_CASE("identifiers") {
    CHECK(is_urn_uuid("urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e"));
    CHECK(is_urn_uuid("URN:UUID:0F8FAD5B-D9CB-469F-A165-70867728950E"));
    CHECK_FALSE(is_urn_uuid("0f8fad5b-d9cb-469f-a165-70867728950e"));
    CHECK_FALSE(is_urn_uuid("urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950"));
    CHECK_FALSE(is_urn_uuid("urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e|x"));
    CHECK_FALSE(is_urn_uuid("urn:uuid:0f8fad5bxd9cb-469f-a165-70867728950e"));
    CHECK_FALSE(is_urn_uuid("urn:uuid:0f8fad5g-d9cb-469f-a165-70867728950e"));
    CHECK(if_none_exist_query("urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e") ==
          "identifier=urn:ietf:rfc:3986|urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e");
    CHECK(urn_uuids_in("QuestionnaireResponse/5") == std::vector<std::string>{});
    CHECK(urn_uuids_in("a%2Furn%3auuid%3A0f8fad5b-d9cb-469f-a165-70867728950e%") ==
          std::vector<std::string>{"urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e"});
}

TEST_CASE("one_line cleans and cuts text for logs") {
    CHECK(one_line("plain", 10) == "plain");
    CHECK(one_line("exactly10!", 10) == "exactly10!");
    CHECK(one_line("eleven char", 10) == "eleven ...");
    CHECK(one_line("a\nb\x7F", 10) == "a b ");
    CHECK(one_line("bad \xFF\xC3 byte", 20) == "bad ?? byte");
    // "é" is two bytes; the cut falls before it rather than through it.
    CHECK(one_line("abcd\xC3\xA9xyz", 8) == "abcd...");
    CHECK(one_line("abc\xC3\xA9xyzw", 8) == "abc\xC3\xA9...");
    CHECK(one_line("abc\xC3\xA9xyzw", 9) == "abc\xC3\xA9xyzw");
    CHECK(one_line("anything", 2).empty());
}

TEST_CASE("parse_json_limited reports errors as values") {
    CHECK(parse_json_limited(R"({"a":[1,{"b":2}]})").value["a"][1]["b"] == 2);
    CHECK(parse_json_limited("[[[1]]]", 3).error == std::nullopt);
    CHECK(parse_json_limited("[[[1]]]", 2).error == "nested deeper than 2 levels");
    const auto bad = parse_json_limited("{\"a\":tru}");
    CHECK(bad.value.is_null());
    CHECK(bad.error == "parse error at line 1, column 9: syntax error while parsing value - "
                       "invalid literal; last read: '\"a\":tru}'");
}

TEST_CASE("damaged replies and payloads give a result or a reason, never a crash") {
    // A cheap, deterministic stand-in for the fuzzer: cut, overwrite and insert bytes.
    std::mt19937 random(20250301);
    const auto sent = rows(3);
    const std::string good = reply(
        {reply_entry("201 Created", {{"location", "QuestionnaireResponse/1"}}),
         reply_entry("409 Conflict",
                     {{"outcome", make_operation_outcome(IssueSeverity::error, "conflict", "x")}}),
         reply_entry("200 OK", {}, json::parse(sent[2].payload))});
    REQUIRE(parse_batch_response(good, sent).valid());

    const auto damaged = [&](std::string text) {
        const int edits = 1 + static_cast<int>(random() % 4);
        for (int e = 0; e < edits && !text.empty(); ++e) {
            const std::size_t at = random() % text.size();
            switch (random() % 3) {
            case 0:
                text.resize(at);
                break;
            case 1:
                text[at] = static_cast<char>(random() % 256);
                break;
            default:
                text.insert(at, 1, "{}[]\",:\\0"[random() % 9]);
                break;
            }
        }
        return text;
    };
    for (int i = 0; i < 3000; ++i) {
        const BatchReply parsed = parse_batch_response(damaged(good), sent);
        if (parsed.valid()) {
            CHECK(parsed.entries.size() == sent.size());
        } else {
            CHECK_FALSE(parsed.invalid_reason->empty());
            CHECK(parsed.entries.empty());
        }
        OutgoingResponse row_copy = sent[0];
        row_copy.payload = damaged(row_copy.payload);
        const BatchPlan plan = plan_batch(std::span(&row_copy, 1));
        CHECK(plan.count + (plan.unsendable ? 1 : 0) == 1);
    }
}
