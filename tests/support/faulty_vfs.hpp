#pragma once

// A SQLite VFS for tests that makes chosen file operations fail, in the spirit of SQLite's own
// I/O error tests: "the 3rd write fails", "every sync from the 2nd on fails", "the disk is full".
//
// It wraps the default VFS (sqlite3_vfs_find(nullptr)) and is registered, not as the default,
// under its own name for as long as the object lives; a connection uses it by passing that name
// to sqlite3_open_v2 (the outbox: OutboxOptions::vfs). Every file operation goes to the default
// VFS unchanged, including the shared-memory methods WAL mode needs, except those the armed fault
// chooses, which fail without touching the file:
//   - write: xWrite returns SQLITE_IOERR_WRITE (nothing is written);
//   - sync:  xSync returns SQLITE_IOERR_FSYNC (the data was written but is not known to be on
//            the disk, as when fsync fails for real);
//   - open:  xOpen returns SQLITE_CANTOPEN;
//   - disk full: xWrite returns SQLITE_FULL.
// The Nth counts from the moment the fault is armed. A fault fires once (the Nth operation only)
// or persistently (the Nth and every later one, until clear() or another fault is armed).
//
// All state lives in the object (SQLite reaches it through pAppData and each open file), so tests
// may run several at once under different names. It is thread-safe: the kiosk's delivery worker
// may use it from its own thread.
//
// Every connection opened through it must be closed before it is destroyed: unregistering a VFS
// does not close the files that use it.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

struct sqlite3_vfs;
struct sqlite3_file;

namespace kiosk::testing {

class FaultyVfs {
public:
    enum class Operation { write, sync, open };
    enum class Persistence { once, persistent };

    struct Fault {
        Operation operation = Operation::write;
        std::int64_t nth = 1; // 1: the next such operation
        Persistence persistence = Persistence::once;
        bool disk_full = false; // writes fail with SQLITE_FULL instead of SQLITE_IOERR_WRITE
    };

    // Operations seen since construction (or reset_counts()), failed ones included.
    struct Counts {
        std::int64_t writes = 0;
        std::int64_t syncs = 0;
        std::int64_t opens = 0;
    };

    // Registers the VFS under `name`, which must not be registered already. Throws
    // std::runtime_error when SQLite refuses, as a test cannot go on without it.
    explicit FaultyVfs(std::string name = "kiosk-faulty");
    ~FaultyVfs();
    FaultyVfs(const FaultyVfs&) = delete;
    FaultyVfs& operator=(const FaultyVfs&) = delete;

    // The name to open databases with.
    const std::string& name() const { return name_; }

    // Arms a fault, replacing any armed before; its count starts now.
    void arm(const Fault& fault);
    void fail(Operation operation, std::int64_t nth, Persistence persistence = Persistence::once) {
        arm({operation, nth, persistence, false});
    }
    // Writes fail with SQLITE_FULL from the nth on (persistently unless told otherwise).
    void fill_disk(std::int64_t nth = 1, Persistence persistence = Persistence::persistent) {
        arm({Operation::write, nth, persistence, true});
    }
    // No fault any more: space has returned, the disk works again.
    void clear();

    Counts counts() const;
    void reset_counts();
    // Operations failed by the armed fault since it was armed.
    std::int64_t faults_hit() const;
    // "write 3, on /tmp/.../outbox.sqlite-wal": the last operation failed on purpose, for test
    // messages. Empty when none has.
    std::string last_fault() const;

private:
    struct Armed {
        Fault fault;
        std::int64_t seen = 0; // operations of the fault's kind since it was armed
    };

    friend struct FaultyVfsAccess; // the C callbacks
    // Counts one operation and answers SQLITE_OK, or the error code it must fail with.
    int before(Operation operation, const char* file);

    std::string name_;
    sqlite3_vfs* wrapped_ = nullptr; // the default VFS when this one was made
    std::unique_ptr<sqlite3_vfs> vfs_;

    mutable std::mutex mutex_;
    Counts counts_;
    std::optional<Armed> armed_;
    std::int64_t faults_hit_ = 0;
    std::string last_fault_;
};

} // namespace kiosk::testing
