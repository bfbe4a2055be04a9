#pragma once

// The durable outbox: completed QuestionnaireResponses wait here until the delivery worker has
// them acknowledged by the central endpoint.
//
// Durability comes first. The database runs in WAL mode with synchronous=FULL, and append() returns
// `stored` only after its transaction has committed, so the thank-you screen may show as soon as it
// does. Expected failures (disk full, a damaged file, a database from a newer kiosk) come back as
// values naming the file, what was being done, and SQLite's or the OS's message; nothing here
// throws for them.
//
// An Outbox is one SQLite connection and is not thread-safe: each thread (UI, delivery worker)
// opens its own on the same file.

#include "outbox/sqlite_handle.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kiosk::outbox {

enum class ResponseState { queued, sending, acknowledged, rejected };

// The spelling stored in the database: "queued", "sending", "acknowledged", "rejected".
std::string_view to_string(ResponseState state);
std::optional<ResponseState> response_state_from_string(std::string_view text);

struct OutboxError {
    enum class Kind {
        // The data directory could not be created or the file could not be opened.
        cannot_open,
        // Not a database, or it failed its integrity check. The caller should move the file aside
        // and start a fresh one; the outbox never moves or deletes it itself.
        corrupt,
        // Written by a newer kiosk (schema newer than this code knows). Refused and left untouched,
        // so rolling back to an older package cannot damage the newer data.
        too_new,
        // The identifier is already stored with different content. Nothing was overwritten.
        conflict,
        // The response is missing a field that must not be empty.
        invalid,
        // No room: the disk is full, or the size cap from OutboxOptions was reached.
        full,
        // Any other failure of SQLite or the file system (I/O error, locked too long, ...).
        storage,
        // No response has the id asked for.
        not_found,
        // The response is not in the state the operation needs (retry_rejected on a queued
        // response, say). Nothing was changed.
        wrong_state,
    };

    Kind kind = Kind::storage;
    std::string file;  // the database file
    std::string what;  // what the outbox was doing, in plain words
    std::string cause; // SQLite's or the operating system's message

    // "file: what: cause", for logs and the staff screen.
    std::string describe() const;
};

std::string_view to_string(OutboxError::Kind kind);

struct OutboxOptions {
    // Limits the database size, in pages (PRAGMA max_page_count; see ConnectionSettings for the
    // page size). Used for a size cap and by tests to simulate a full disk. SQLite never sets it
    // below the file's current size. Unset means SQLite's default, which is effectively
    // unlimited.
    std::optional<std::int64_t> max_page_count;

    // How this connection commits. `full` (the default, and what the screens use) syncs the
    // write-ahead log to the storage at every commit: a response is on the disk before the
    // thank-you screen shows. The delivery worker's connection may use `normal`: its commits
    // (claiming, acknowledging, requeueing) are still atomic and crash-consistent, and a power
    // cut can at worst undo the last few of them, which only means those responses are sent
    // again and the endpoint answers "already there". The next full commit by the screens
    // syncs them anyway. Delivery then costs one disk sync per batch instead of three.
    enum class Commit { full, normal };
    Commit commit = Commit::full;

    // Whether opening may rewrite a file made with other pages than the outbox's (an older
    // kiosk's) with the outbox's own, once: see PageSizeRewrite. The screens' connection does,
    // as the first to open the file at start-up; the delivery worker and kiosk-sync do not, so
    // a rewrite never waits for them or holds them up.
    bool rewrite_older_page_size = true;

    // For tests: the SQLite VFS to open the file through, by its registered name (one that makes
    // chosen writes, syncs or opens fail, say). Unset means SQLite's default VFS. The {} lets
    // `OutboxOptions{pages}` leave it out without a missing-initializer warning.
    std::optional<std::string> vfs{};

    // The options for a connection that only records delivery (the worker, kiosk-sync).
    static OutboxOptions for_delivery() {
        OutboxOptions options;
        options.commit = Commit::normal;
        options.rewrite_older_page_size = false;
        return options;
    }
};

struct NewResponse {
    std::string identifier;    // "urn:uuid:...": the key the receiver and the outbox deduplicate on
    std::string questionnaire; // canonical "url|version"
    std::string authored;      // ISO 8601 UTC text, as in the resource
    std::string payload;       // the QuestionnaireResponse JSON, stored byte for byte
    std::int64_t created_at_ms = 0; // Unix milliseconds, from the caller's clock
};

struct StoredResponse {
    std::int64_t id = 0;
    std::string identifier;
    std::string questionnaire;
    std::string authored;
    std::string payload;
    ResponseState state = ResponseState::queued;
    std::int64_t created_at_ms = 0;
    std::int64_t attempts = 0;
    std::optional<int> last_status; // HTTP status of the last delivery attempt
    std::optional<std::string> last_error;
    std::optional<std::int64_t> next_attempt_at_ms; // empty: due as soon as it is queued
    std::optional<std::int64_t> acknowledged_at_ms;

    bool operator==(const StoredResponse&) const = default;
};

struct AppendResult {
    enum class Status {
        stored,
        // The same identifier with the same content was already there; nothing was written. This
        // makes a retried submit harmless.
        already_stored,
        failed,
    };
    Status status = Status::failed;
    std::optional<OutboxError> error; // set exactly when status is failed
};

// For count() the number of rows; for the delivery operations the number of rows they changed.
struct CountResult {
    std::int64_t count = 0;
    std::optional<OutboxError> error;
};

struct ListResult {
    std::vector<StoredResponse> responses;
    std::optional<OutboxError> error;
};

struct GetResult {
    std::optional<StoredResponse> response; // empty, without an error, when no row has the id
    std::optional<OutboxError> error;
};

// A response handed to the delivery worker: what goes into the batch, and what it needs to decide
// the backoff when the attempt fails.
struct ClaimedResponse {
    std::int64_t id = 0;
    std::string identifier;
    std::string payload;
    std::int64_t attempts = 0; // failed attempts before this one (see requeue)

    bool operator==(const ClaimedResponse&) const = default;
};

struct ClaimResult {
    std::vector<ClaimedResponse> responses; // oldest first; empty when nothing is due
    std::optional<OutboxError> error;
};

struct NextDueResult {
    // Empty when nothing is queued: the worker may sleep until it is woken. Otherwise the earliest
    // time a queued response may be sent. A response waiting for its first attempt (or retried by
    // staff) has no next attempt time and is due at once: it is reported as 0, the epoch, which is
    // at or before any caller's "now".
    std::optional<std::int64_t> due_at_ms;
    std::optional<OutboxError> error;

    bool due_by(std::int64_t now_ms) const { return due_at_ms && *due_at_ms <= now_ms; }
};

// What staff and `kiosk-sync status` see. Persisted in the database, so it survives a restart and
// is the same whichever process (the kiosk's worker or kiosk-sync) delivered last.
struct DeliveryStatus {
    std::int64_t queued = 0;
    std::int64_t sending = 0;
    std::int64_t acknowledged = 0;
    std::int64_t rejected = 0;
    // created_at of the first-arrived response still waiting for delivery (queued or sending).
    std::optional<std::int64_t> oldest_waiting_created_at_ms;
    std::optional<std::int64_t> last_success_at_ms;
    // The last failure recorded, kept after later successes: compare the times to tell whether it
    // is still current.
    std::optional<std::string> last_error;
    std::optional<std::int64_t> last_error_at_ms;
    // Delivery stopped because the endpoint refused our credentials (401/403); staff must act.
    bool paused = false;
    std::string paused_reason; // empty when not paused

    bool operator==(const DeliveryStatus&) const = default;
};

struct DeliveryStatusResult {
    DeliveryStatus status;
    std::optional<OutboxError> error;
};

// What the connection really runs with, read back from SQLite rather than taken on trust: for the
// status display and for tests.
struct ConnectionSettings {
    std::string journal_mode; // "wal"
    std::string synchronous;  // "off", "normal", "full" or "extra"
    bool foreign_keys = false;
    // Deleted responses are overwritten with zeros in the file (PRAGMA secure_delete), whatever
    // the SQLite build's default.
    bool secure_delete = false;
    // Temporary data (the undo record of one statement, such as a purge's) stays in memory
    // rather than going to a temporary file on the card (PRAGMA temp_store = MEMORY).
    bool temp_store_in_memory = false;
    std::int64_t busy_timeout_ms = 0;
    std::int64_t max_page_count = 0;
    // Bytes: 512, the outbox's own, once opened by the screens (see PageSizeRewrite); until
    // then an older kiosk's file keeps SQLite's default 4096, or 1024.
    std::int64_t page_size = 0;
    // Pages of write-ahead log after which a commit checkpoints: about 4 MiB of log.
    std::int64_t wal_autocheckpoint = 0;
};

struct SettingsResult {
    ConnectionSettings settings;
    std::optional<OutboxError> error;
};

// ---- Staff mode ----------------------------------------------------------------------------

// One thing staff did on the device, for the audit trail. Never a PIN, nor anything a patient
// entered: the trail is shown on the IT screen and printed by `kiosk-sync status`.
struct StaffAction {
    std::int64_t at_ms = 0; // Unix milliseconds, from the caller's clock
    std::string role;       // who: "volunteer", "IT", or "nobody" before a right PIN
    std::string action;     // what, in plain words: "Paused the kiosk"

    bool operator==(const StaffAction&) const = default;
};

// record_staff_action keeps the newest this many actions and deletes older ones as it goes, so
// the trail cannot grow without bound on a device that runs for years.
inline constexpr std::size_t staff_actions_kept = 10'000;

struct StaffActionsResult {
    std::vector<StaffAction> actions; // newest first
    std::optional<OutboxError> error;
};

struct ChoiceResult {
    std::optional<std::string> value; // empty, without an error, when nothing was chosen
    std::optional<OutboxError> error;
};

struct ResponseTotals {
    // Every response this database has stored, including those delivered and purged since. A
    // database made before staff mode (schema version 4) counts from the rows it still held then.
    std::int64_t stored_ever = 0;
    // The arrival time (created_at) of the first response counted; empty until there is one.
    std::optional<std::int64_t> since_ms;
    // Responses still in the outbox that arrived at or after the time asked for. Delivered
    // responses are only purged after the retention period, so for "today" this is every
    // response of the day unless retention_days is 0.
    std::int64_t stored_since = 0;
};

struct TotalsResult {
    ResponseTotals totals;
    std::optional<OutboxError> error;
};

struct HealthResult {
    bool ok = false;
    // "ok", or the first few problems quick_check found, or SQLite's word for damage so bad the
    // check stopped ("database disk image is malformed").
    std::string detail;
    // Set when the check could not be run for a reason other than damage (a locked or unreadable
    // file, say); ok is then false and detail empty.
    std::optional<OutboxError> error;
};

struct OpenResult;

class Outbox {
public:
    // Creates the data directory (the file's parent) if needed, opens or creates the database,
    // checks it (PRAGMA quick_check, so opening reads the whole file), refuses a schema newer than
    // this code, switches to WAL with synchronous=FULL, and migrates an older schema.
    static OpenResult open(const std::filesystem::path& file, const OutboxOptions& options = {});

    // Stores a completed response in one BEGIN IMMEDIATE transaction. `stored` means committed and
    // durable. An identifier already present with identical questionnaire, authored and payload
    // gives `already_stored`; with any difference it is a `conflict` failure and the stored row is
    // left as it was.
    AppendResult append(const NewResponse& response);

    // Rows in the given state, or all rows.
    CountResult count(std::optional<ResponseState> state = std::nullopt);

    // At most `limit` rows in the given state (or all states), oldest first.
    ListResult list(std::optional<ResponseState> state, std::size_t limit);

    // One row by its id, for `kiosk-sync retry ID` and the staff screen.
    GetResult get(std::int64_t id);

    // ---- Delivery --------------------------------------------------------------------------
    //
    // Rows move queued -> sending -> acknowledged | rejected, and sending -> queued on a failure
    // worth retrying. Every operation below is one transaction; those that write take the write
    // lock at BEGIN (BEGIN IMMEDIATE), so the kiosk's worker and the kiosk-sync tool, each with its
    // own connection, see each other's changes whole and can never claim the same row. An
    // operation changes only rows in its from-state, leaves any other row alone whatever id it was
    // given, and reports how many rows it changed. Times are Unix milliseconds from the caller's
    // clock; nothing here reads a clock.

    // Start-up: every `sending` row goes back to `queued`, keeping its attempts and next attempt
    // time. Call it only where no other delivery can be running on the file's rows, or accept
    // that a row another process is sending may be sent twice: the endpoint's ifNoneExist makes
    // that harmless, and the from-state checks below keep the states true.
    CountResult recover_interrupted();

    // Moves the oldest (by arrival) `queued` rows that are due (next attempt time empty or at or
    // before now_ms) to `sending` and returns them, oldest first: at most max_entries rows, and
    // no more rows than keep the sum of their payload sizes (bytes) within max_bytes, except that
    // the first due row is always taken, however large. Stops at the first row that does not fit,
    // so the order is kept. max_entries 0 claims nothing.
    ClaimResult claim_batch(std::int64_t now_ms, std::size_t max_entries, std::size_t max_bytes);

    // The endpoint has these responses (201 created or 200 already there): sending ->
    // acknowledged at now_ms. Clears the next attempt time and the last error. When it changes a
    // row it also records a successful delivery at now_ms (as record_delivery_success does), in
    // the same transaction.
    CountResult mark_acknowledged(std::span<const std::int64_t> ids, std::int64_t now_ms,
                                  int http_status);

    // The endpoint refused this response (4xx for its entry): sending -> rejected. It stays, with
    // the reason, for staff to look at; only retry_rejected sends it again.
    CountResult mark_rejected(std::int64_t id, int http_status, std::string_view reason);

    // The attempt failed in a way worth retrying: sending -> queued, attempts + 1, next attempt at
    // next_attempt_at_ms. http_status is empty when there was no HTTP answer (connection failure,
    // timeout, shutdown); an empty error_text is stored as no error.
    CountResult requeue(std::span<const std::int64_t> ids, std::int64_t next_attempt_at_ms,
                        std::optional<int> http_status, std::string_view error_text);

    // Staff sent a rejected response again: rejected -> queued, attempts back to 0, due at once.
    // The last status and error stay until the next attempt replaces them. A missing id is a
    // `not_found` error and a row in any other state a `wrong_state` error; the count is 1 on
    // success.
    CountResult retry_rejected(std::int64_t id);

    // Deletes acknowledged rows acknowledged before older_than_ms, and nothing else: a row in any
    // other state, or acknowledged without a recorded time, is never deleted here. Works in
    // transactions of purge_chunk_rows rows, so that purging a month's backlog at once never
    // holds the write lock long enough to delay a patient's save, and the memory one statement
    // needs stays small. On a failure the count is of the rows purged before it.
    CountResult purge_acknowledged(std::int64_t older_than_ms);
    static constexpr std::int64_t purge_chunk_rows = 500;

    // When the worker should next wake for retries; see NextDueResult.
    NextDueResult next_due_time();

    // Every queued response due later than latest_ms becomes due at latest_ms. The delivery
    // worker never waits longer than its retry cap, so a later time can only mean the wall
    // clock was set back after the wait was stored; without this a clock set back a day would
    // hold those responses for a day. Counts the rows changed.
    CountResult bring_forward_waits(std::int64_t latest_ms);

    // The persisted part of the status snapshot. A success also ends a pause: the endpoint has
    // just accepted our credentials. record_delivery_success and set_paused write nothing (and so
    // cost no fsync) when they would change nothing, as after every batch in a healthy drain.
    std::optional<OutboxError> record_delivery_success(std::int64_t now_ms);
    std::optional<OutboxError> record_delivery_failure(std::int64_t now_ms, std::string_view text);
    // Pausing stores the reason; resuming clears it.
    std::optional<OutboxError> set_paused(bool paused, std::string_view reason);

    // Counts by state and the persisted delivery facts, read in one transaction.
    DeliveryStatusResult delivery_status();

    // ---- Staff mode --------------------------------------------------------------------------
    //
    // What the PIN-protected staff screens read and change. Writes are BEGIN IMMEDIATE
    // transactions, like delivery's, so the kiosk and kiosk-sync see each other's changes whole.

    // Adds one action to the audit trail and, in the same transaction, deletes all but the
    // newest staff_actions_kept. An empty role or action is an `invalid` failure.
    std::optional<OutboxError> record_staff_action(const StaffAction& action);

    // At most `limit` actions, newest (last recorded) first. Recording order rather than at_ms,
    // so a clock set back cannot hide the latest action below older ones.
    StaffActionsResult recent_staff_actions(std::size_t limit);

    // A choice staff made on the device, stored as text under a key the app owns
    // ("questionnaire", "clinic", "paused", "pin_lockout", ...), so it survives a restart.
    ChoiceResult device_choice(std::string_view key);
    // Stores or replaces the value (which may be empty). An empty key is an `invalid` failure.
    // Writes nothing when the value is already the one stored.
    std::optional<OutboxError> set_device_choice(std::string_view key, std::string_view value);
    // Forgets the choice; forgetting one that was never made is not a failure.
    std::optional<OutboxError> clear_device_choice(std::string_view key);

    // The counts for the staff screen, read in one transaction. since_ms is where "responses
    // today" starts: the caller passes the start of the local day.
    TotalsResult response_totals(std::int64_t since_ms);

    // "Send now": every queued response waiting for a later attempt is due at once (its next
    // attempt time cleared; attempts and last error kept), and a delivery pause (after 401/403)
    // is lifted so the next pass tries once more. Both in one transaction; the pause is lifted
    // even when nothing is waiting. Counts the responses made due. This only changes the
    // database: the delivery worker keeps its own backoff and pause in memory, so tell it too.
    CountResult make_queued_due_now();

    // IT's "Send again" for every rejected response: rejected -> queued, attempts back to 0, due
    // at once, as retry_rejected does for one. Counts the responses queued again; none is not a
    // failure.
    CountResult retry_all_rejected();

    // PRAGMA quick_check on the open database, for the IT screen: ok with "ok", or not ok with the
    // first few problems. It reads the whole file, so run it when IT asks, not on every frame.
    HealthResult check_health();

    // The schema version the database was brought to when it was opened.
    int schema_version() const { return schema_version_; }
    const std::filesystem::path& file() const { return file_; }

    SettingsResult connection_settings();

private:
    Outbox(Database database, std::filesystem::path file, int schema_version);

    OutboxError error_from(const SqliteError& error, std::string what) const;
    // One transaction of purge_acknowledged: at most purge_chunk_rows, oldest first.
    CountResult purge_some_acknowledged(std::int64_t older_than_ms);
    // For the write helpers: a changed-row count, or the failure labelled with `what`.
    CountResult counted(std::variant<std::int64_t, SqliteError> result,
                        const std::string& what) const;
    std::optional<OutboxError> failure_of(std::variant<std::int64_t, SqliteError> result,
                                          const std::string& what) const;

    Database database_;
    std::filesystem::path file_;
    int schema_version_ = 0;
};

// A file made by an older kiosk has larger pages (SQLite's default 4 KiB, or 1 KiB), and every
// page a commit touches goes to the write-ahead log whole: such a file costs the card up to three
// times the bytes per response. Opening it rewrites it once with the outbox's pages (a VACUUM: it
// needs free space about twice the file's size, and no other program may have it open). If
// that fails, the file is left whole and used as it is, and the next opening tries again.
struct PageSizeRewrite {
    std::int64_t from = 0;              // bytes per page before
    std::int64_t to = 0;                // the outbox's page size
    std::optional<OutboxError> failure; // why the file kept its pages; unset when rewritten
};

struct OpenResult {
    std::optional<Outbox> outbox;
    std::optional<OutboxError> error; // set exactly when outbox is empty
    // Set when opening found a file with other pages and tried to rewrite it.
    std::optional<PageSizeRewrite> page_size_rewrite{};
};

} // namespace kiosk::outbox
