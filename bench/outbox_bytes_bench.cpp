// make bench: the bytes one response costs the storage (the outbox and its write-ahead log), so
// an SD card's wear can be estimated (target: under 16 KiB a response).
//
// Runs the realistic cycle one response at a time, as the kiosk does: the screens append the
// response on a synchronous=FULL connection; then the delivery worker, on its own connection
// opened for_delivery, makes the outbox calls of one delivery pass that sends it: bring the
// waits forward, claim it (queued -> sending), mark it acknowledged (sending -> acknowledged;
// the acknowledgement's own time is the last success, so the status row is not written), record
// the success, find nothing more to claim, and ask when the next response is due. No HTTP: the
// endpoint's answer is not what costs the disk. The WAL checkpoints SQLite runs along the way are
// part of the cost.
//
// Bytes are what the kernel counts as written by this process (getrusage ru_oublock, 512-byte
// units: a page of the file is counted each time it is dirtied after it was last written out),
// measured around each step. Every file operation goes through a pass-through SQLite VFS that
// also measures around each write, so the cost can be split by file: the write-ahead log, the
// database file (only checkpoints write it in WAL mode), and the rest (the wal-index, shared
// memory mapped from the "-shm" file).
//
// Two databases: a new one as this kiosk creates it, and one created by the schema of an older
// kiosk (version 4, SQLite's default 4 KiB pages), migrated and rewritten with small pages on
// opening, as on a device that is upgraded. Both back to back, as in a busy clinic; then the new
// one again at a ward's pace, where the kernel writes each response's pages out before the next
// arrives (it does within 30 s): every page a response touches is then paid for in full,
// including the pages of the wal-index (the -shm file SQLite maps into memory beside the
// database), which back to back stay dirty from one response to the next and are hardly
// counted. On the device kiosk.service keeps the wal-index in memory, where it costs the card
// nothing; make bench measures that case too (--ward-pace-at), where it can bind the file.
//
// usage: outbox_bytes_bench [CYCLES [WORK_DIR]]   (default 2000 cycles, after 300 not counted;
// the work directory defaults to the one the program is in, so the bytes hit a real disk)
//        outbox_bytes_bench --ward-pace-at DATABASE CYCLES   (the ward's pace only, at a database
// whose WAL index the caller has bound in memory, as kiosk.service does: see make bench)

#include "outbox/outbox.hpp"
#include "outbox/schema.hpp"

#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace kiosk;

long long blocks_written() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<long long>(usage.ru_oublock);
}

// ---- A pass-through VFS that measures the writes to each kind of file -------------------------

enum class FileKind : std::size_t { log, database, other };
constexpr std::size_t file_kinds = 3;

struct FileCounts {
    long long blocks = 0; // ru_oublock counted during this kind's writes
    long long bytes = 0;  // bytes SQLite asked to write
    long long writes = 0;
    long long syncs = 0;
};

struct WriteCounts {
    std::array<FileCounts, file_kinds> by_kind{};
    FileCounts& operator[](FileKind kind) { return by_kind[static_cast<std::size_t>(kind)]; }
    const FileCounts& operator[](FileKind kind) const {
        return by_kind[static_cast<std::size_t>(kind)];
    }
};

class CountingVfs {
public:
    explicit CountingVfs(std::string name) : name_(std::move(name)) {
        wrapped_ = sqlite3_vfs_find(nullptr);
        vfs_.iVersion = std::min(wrapped_->iVersion, 2);
        vfs_.szOsFile = static_cast<int>(real_offset) + wrapped_->szOsFile;
        vfs_.mxPathname = wrapped_->mxPathname;
        vfs_.zName = name_.c_str();
        vfs_.pAppData = this;
        vfs_.xOpen = open;
        vfs_.xDelete = [](sqlite3_vfs* vfs, const char* file, int sync_directory) {
            return inner(vfs)->xDelete(inner(vfs), file, sync_directory);
        };
        vfs_.xAccess = [](sqlite3_vfs* vfs, const char* file, int flags, int* result) {
            return inner(vfs)->xAccess(inner(vfs), file, flags, result);
        };
        vfs_.xFullPathname = [](sqlite3_vfs* vfs, const char* file, int size, char* out) {
            return inner(vfs)->xFullPathname(inner(vfs), file, size, out);
        };
        vfs_.xRandomness = [](sqlite3_vfs* vfs, int size, char* out) {
            return inner(vfs)->xRandomness(inner(vfs), size, out);
        };
        vfs_.xSleep = [](sqlite3_vfs* vfs, int microseconds) {
            return inner(vfs)->xSleep(inner(vfs), microseconds);
        };
        vfs_.xCurrentTime = [](sqlite3_vfs* vfs, double* now) {
            return inner(vfs)->xCurrentTime(inner(vfs), now);
        };
        vfs_.xGetLastError = [](sqlite3_vfs* vfs, int size, char* out) {
            return inner(vfs)->xGetLastError(inner(vfs), size, out);
        };
        vfs_.xCurrentTimeInt64 = [](sqlite3_vfs* vfs, sqlite3_int64* now) {
            return inner(vfs)->xCurrentTimeInt64(inner(vfs), now);
        };
        sqlite3_vfs_register(&vfs_, 0);
    }
    ~CountingVfs() { sqlite3_vfs_unregister(&vfs_); }
    CountingVfs(const CountingVfs&) = delete;
    CountingVfs& operator=(const CountingVfs&) = delete;

    const std::string& name() const { return name_; }
    const WriteCounts& counts() const { return counts_; }

private:
    // SQLite allocates szOsFile bytes per open file: this header, then the wrapped file.
    struct File {
        sqlite3_file base; // first, so a sqlite3_file* is a File*
        CountingVfs* owner;
        FileKind kind;
        sqlite3_file* real;
    };
    static constexpr std::size_t real_offset = (sizeof(File) + alignof(std::max_align_t) - 1) /
                                               alignof(std::max_align_t) *
                                               alignof(std::max_align_t);

    static sqlite3_vfs* inner(sqlite3_vfs* vfs) {
        return static_cast<CountingVfs*>(vfs->pAppData)->wrapped_;
    }
    static File& self(sqlite3_file* file) { return *reinterpret_cast<File*>(file); }
    static sqlite3_file* real(sqlite3_file* file) { return self(file).real; }
    static const sqlite3_io_methods& methods(sqlite3_file* file) { return *real(file)->pMethods; }
    FileCounts& counts_of(sqlite3_file* file) { return counts_[self(file).kind]; }

    static int write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
        auto& counts = self(file).owner->counts_of(file);
        const long long before = blocks_written();
        const int result = methods(file).xWrite(real(file), data, amount, offset);
        counts.blocks += blocks_written() - before;
        counts.bytes += amount;
        ++counts.writes;
        return result;
    }
    static int truncate(sqlite3_file* file, sqlite3_int64 size) {
        auto& counts = self(file).owner->counts_of(file);
        const long long before = blocks_written();
        const int result = methods(file).xTruncate(real(file), size);
        counts.blocks += blocks_written() - before;
        return result;
    }
    static int sync(sqlite3_file* file, int flags) {
        ++self(file).owner->counts_of(file).syncs;
        return methods(file).xSync(real(file), flags);
    }

    static constexpr sqlite3_io_methods io_methods() {
        sqlite3_io_methods table{};
        table.iVersion = 2; // shared memory, which WAL needs; no memory-mapped reads
        table.xClose = [](sqlite3_file* file) {
            return methods(file).xClose(real(file));
        };
        table.xRead = [](sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset) {
            return methods(file).xRead(real(file), buffer, amount, offset);
        };
        table.xWrite = write;
        table.xTruncate = truncate;
        table.xSync = sync;
        table.xFileSize = [](sqlite3_file* file, sqlite3_int64* size) {
            return methods(file).xFileSize(real(file), size);
        };
        table.xLock = [](sqlite3_file* file, int level) {
            return methods(file).xLock(real(file), level);
        };
        table.xUnlock = [](sqlite3_file* file, int level) {
            return methods(file).xUnlock(real(file), level);
        };
        table.xCheckReservedLock = [](sqlite3_file* file, int* result) {
            return methods(file).xCheckReservedLock(real(file), result);
        };
        table.xFileControl = [](sqlite3_file* file, int operation, void* argument) {
            return methods(file).xFileControl(real(file), operation, argument);
        };
        table.xSectorSize = [](sqlite3_file* file) {
            return methods(file).xSectorSize(real(file));
        };
        table.xDeviceCharacteristics = [](sqlite3_file* file) {
            return methods(file).xDeviceCharacteristics(real(file));
        };
        table.xShmMap = [](sqlite3_file* file, int page, int size, int extend,
                           void volatile** mapped) {
            return methods(file).xShmMap(real(file), page, size, extend, mapped);
        };
        table.xShmLock = [](sqlite3_file* file, int offset, int count, int flags) {
            return methods(file).xShmLock(real(file), offset, count, flags);
        };
        table.xShmBarrier = [](sqlite3_file* file) {
            methods(file).xShmBarrier(real(file));
        };
        table.xShmUnmap = [](sqlite3_file* file, int delete_flag) {
            return methods(file).xShmUnmap(real(file), delete_flag);
        };
        return table;
    }

    static int open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags,
                    int* out_flags) {
        auto* owner = static_cast<CountingVfs*>(vfs->pAppData);
        auto& wrapper = self(file);
        wrapper.base.pMethods = nullptr;
        wrapper.owner = owner;
        wrapper.kind = (flags & SQLITE_OPEN_WAL) != 0       ? FileKind::log
                       : (flags & SQLITE_OPEN_MAIN_DB) != 0 ? FileKind::database
                                                            : FileKind::other;
        wrapper.real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + real_offset);
        std::memset(wrapper.real, 0, static_cast<std::size_t>(owner->wrapped_->szOsFile));
        const int result =
            owner->wrapped_->xOpen(owner->wrapped_, name, wrapper.real, flags, out_flags);
        static constexpr sqlite3_io_methods table = io_methods();
        if (wrapper.real->pMethods != nullptr) {
            wrapper.base.pMethods = &table;
        }
        return result;
    }

    std::string name_;
    sqlite3_vfs* wrapped_ = nullptr;
    sqlite3_vfs vfs_{};
    WriteCounts counts_;
};

// ---- The cycle ----------------------------------------------------------------------------------

// What one response looks like: the friends-and-family test with a short comment.
std::string payload_for(const std::string& identifier) {
    return R"({"resourceType":"QuestionnaireResponse","identifier":{"system":"urn:ietf:rfc:3986","value":")" +
           identifier +
           R"("},"questionnaire":"urn:ward-feedback-kiosk:questionnaire:friends-and-family-test|1.0.0","status":"completed","authored":"2026-11-26T10:00:00Z","language":"en","item":[{"linkId":"fft-rating","answer":[{"valueCoding":{"system":"urn:ward-feedback-kiosk:codesystem:fft-response","code":"2","display":"Good"}}]},{"linkId":"fft-why","answer":[{"valueString":"The staff were kind and the wait was short."}]}]})";
}

enum class Step : std::size_t { append, claim, acknowledge, rest_of_pass };
constexpr std::size_t steps = 4;
constexpr std::array<const char*, steps> step_names{"append", "claim", "acknowledge",
                                                    "rest of the pass"};

struct StepCost {
    long long blocks = 0; // everything the step wrote, checkpoint included
    WriteCounts files;    // split by file
};

struct Figures {
    std::array<StepCost, steps> by_step{};
    long long blocks = 0;
    int page_size = 0;
    long long cycles = 0;
};

WriteCounts minus(const WriteCounts& after, const WriteCounts& before) {
    WriteCounts difference;
    for (std::size_t kind = 0; kind < file_kinds; ++kind) {
        const auto& a = after.by_kind[kind];
        const auto& b = before.by_kind[kind];
        difference.by_kind[kind] = {a.blocks - b.blocks, a.bytes - b.bytes, a.writes - b.writes,
                                    a.syncs - b.syncs};
    }
    return difference;
}

void add(WriteCounts& total, const WriteCounts& more) {
    for (std::size_t kind = 0; kind < file_kinds; ++kind) {
        auto& t = total.by_kind[kind];
        const auto& m = more.by_kind[kind];
        t.blocks += m.blocks;
        t.bytes += m.bytes;
        t.writes += m.writes;
        t.syncs += m.syncs;
    }
}

bool failed(const std::optional<outbox::OutboxError>& error, const char* doing) {
    if (error) {
        std::fprintf(stderr, "outbox_bytes_bench: %s: %s\n", doing, error->describe().c_str());
    }
    return error.has_value();
}

// Runs `cycles` responses through both connections; counts them when `figures` is given.
// How the cycles run.
struct Conditions {
    // The kernel writes every dirty page out between two responses, as it does within 30 s;
    // otherwise responses come back to back.
    bool ward_pace = false;
    // 0: nothing is old enough to purge yet (a kiosk's first weeks). Otherwise the worker's
    // hourly purge, here once every 60 responses, keeps about this many delivered responses:
    // the steady state, where new pages come from those freed.
    long long kept_responses = 0;
};

// Responses between two purges: an hour of a busy clinic.
constexpr long long responses_between_purges = 60;

bool run_cycles(outbox::Outbox& screens, outbox::Outbox& worker, const CountingVfs& vfs,
                long long first, long long cycles, Figures* figures, const Conditions& conditions) {
    constexpr std::int64_t start_ms = 1'795'000'000'000;
    constexpr std::int64_t retry_cap_ms = 3'600'000;
    for (long long n = first; n < first + cycles; ++n) {
        const std::int64_t now = start_ms + n * 1000;
        char identifier[64];
        std::snprintf(identifier, sizeof identifier, "urn:uuid:%08llx-5a1e-4b0c-9d2f-%012llx",
                      (n * 2654435761LL) & 0xffffffffLL, n);
        std::optional<outbox::OutboxError> error;

        long long blocks = blocks_written();
        WriteCounts files = vfs.counts();
        auto finish = [&](Step step) {
            const long long now_blocks = blocks_written();
            const WriteCounts now_files = vfs.counts();
            if (figures != nullptr) {
                auto& cost = figures->by_step[static_cast<std::size_t>(step)];
                cost.blocks += now_blocks - blocks;
                add(cost.files, minus(now_files, files));
            }
            blocks = now_blocks;
            files = now_files;
        };

        // The screens: one response, committed and synced before the thank-you screen.
        auto stored = screens.append({identifier,
                                      "urn:ward-feedback-kiosk:questionnaire:"
                                      "friends-and-family-test|1.0.0",
                                      "2026-11-26T10:00:00Z", payload_for(identifier), now});
        if (failed(stored.error, "append")) {
            return false;
        }
        finish(Step::append);

        // The worker, woken by the new response: Delivery::deliver_due's calls for one batch
        // that the endpoint takes, then DeliveryWorker::run's before it sleeps.
        if (failed(worker.recover_interrupted().error, "recover interrupted") ||
            failed(worker.bring_forward_waits(now + retry_cap_ms).error, "bring forward waits")) {
            return false;
        }
        finish(Step::rest_of_pass);
        auto claimed = worker.claim_batch(now, 50, 256 * 1024);
        if (failed(claimed.error, "claim")) {
            return false;
        }
        if (claimed.responses.size() != 1) {
            std::fprintf(stderr, "outbox_bytes_bench: claimed %zu responses, not 1\n",
                         claimed.responses.size());
            return false;
        }
        finish(Step::claim);
        const std::array<std::int64_t, 1> ids{claimed.responses.front().id};
        auto acknowledged = worker.mark_acknowledged(ids, now, 201);
        if (failed(acknowledged.error, "mark acknowledged") ||
            failed(worker.record_delivery_success(now), "record delivery success")) {
            return false;
        }
        finish(Step::acknowledge);
        auto nothing = worker.claim_batch(now, 50, 256 * 1024);
        if (failed(nothing.error, "claim again") || failed(worker.next_due_time().error, "due")) {
            return false;
        }
        if (conditions.kept_responses > 0 && n % responses_between_purges == 0) {
            if (failed(worker.purge_acknowledged(now - conditions.kept_responses * 1000).error,
                       "purge")) {
                return false;
            }
        }
        finish(Step::rest_of_pass);
        if (conditions.ward_pace) {
            // Minutes pass before the next patient: the kernel writes the dirty pages out.
            ::sync();
        }
    }
    if (figures != nullptr) {
        figures->cycles += cycles;
    }
    return true;
}

long long page_size_of(const std::filesystem::path& file) {
    sqlite3* raw = nullptr;
    long long size = 0;
    if (sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_stmt* statement = nullptr;
        if (sqlite3_prepare_v2(raw, "PRAGMA page_size", -1, &statement, nullptr) == SQLITE_OK &&
            sqlite3_step(statement) == SQLITE_ROW) {
            size = sqlite3_column_int64(statement, 0);
        }
        sqlite3_finalize(statement);
    }
    sqlite3_close(raw);
    return size;
}

// A database as a kiosk with schema version 4 left it: SQLite's default page size, in WAL mode.
bool make_version_4_database(const std::filesystem::path& file) {
    sqlite3* raw = nullptr;
    if (sqlite3_open(file.c_str(), &raw) != SQLITE_OK) {
        sqlite3_close(raw);
        return false;
    }
    bool ok =
        sqlite3_exec(raw, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr) == SQLITE_OK;
    const auto steps_before_5 = outbox::migrations().first(4);
    for (const auto step : steps_before_5) {
        ok = ok &&
             sqlite3_exec(raw, std::string(step).c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
    }
    ok = ok && sqlite3_exec(raw, "PRAGMA user_version = 4", nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(raw);
    return ok;
}

std::optional<Figures> measure(const std::filesystem::path& file, long long cycles,
                               const Conditions& conditions) {
    // Enough responses first for the purges to have started, so the counted ones are in the
    // steady state asked for.
    const long long warm_up = 300 + conditions.kept_responses;
    CountingVfs vfs("outbox-bytes-bench");
    outbox::OutboxOptions screens_options;
    screens_options.vfs = vfs.name();
    auto worker_options = outbox::OutboxOptions::for_delivery();
    worker_options.vfs = vfs.name();
    auto screens = outbox::Outbox::open(file, screens_options);
    if (!screens.outbox) {
        std::fprintf(stderr, "outbox_bytes_bench: %s\n", screens.error->describe().c_str());
        return std::nullopt;
    }
    auto worker = outbox::Outbox::open(file, worker_options);
    if (!worker.outbox) {
        std::fprintf(stderr, "outbox_bytes_bench: %s\n", worker.error->describe().c_str());
        return std::nullopt;
    }
    if (!run_cycles(*screens.outbox, *worker.outbox, vfs, 0, warm_up, nullptr, conditions)) {
        return std::nullopt;
    }
    // What the warm-up left dirty in the page cache is counted already; sync it, so the first
    // counted cycles pay for their pages as every later one does.
    ::sync();
    Figures figures;
    const long long before = blocks_written();
    if (!run_cycles(*screens.outbox, *worker.outbox, vfs, warm_up, cycles, &figures, conditions)) {
        return std::nullopt;
    }
    figures.blocks = blocks_written() - before;
    figures.page_size = static_cast<int>(page_size_of(file));
    return figures;
}

void print(const char* label, const Figures& figures) {
    const double cycles = static_cast<double>(figures.cycles);
    const auto per_response = [&](long long blocks) {
        return blocks * 512.0 / cycles;
    };
    std::printf("%s (page size %d, %lld responses)\n", label, figures.page_size, figures.cycles);
    std::printf("  disk_bytes_per_response %.0f (target < 16384)\n", per_response(figures.blocks));
    std::printf("  %-18s %9s %9s %9s %9s %11s %11s\n", "step", "bytes", "log", "checkpoint",
                "wal-index", "log frames", "syncs");
    WriteCounts all;
    for (std::size_t step = 0; step < steps; ++step) {
        const auto& cost = figures.by_step[step];
        const auto& log = cost.files[FileKind::log];
        const auto& database = cost.files[FileKind::database];
        const long long rest = cost.blocks - log.blocks - database.blocks;
        const double frames = static_cast<double>(log.bytes) / (figures.page_size + 24) / cycles;
        std::printf("  %-18s %9.0f %9.0f %9.0f %9.0f %11.2f %11.2f\n", step_names[step],
                    per_response(cost.blocks), per_response(log.blocks),
                    per_response(database.blocks), per_response(rest), frames,
                    static_cast<double>(log.syncs + database.syncs) / cycles);
        add(all, cost.files);
    }
    std::printf("  (bytes: counted by the kernel, per response; log: the write-ahead log; "
                "checkpoint: the database file, which only checkpoints write; wal-index: the "
                "rest, the shared memory of the -shm file)\n");
    std::printf("  logical_bytes_per_response log %.0f database %.0f\n",
                static_cast<double>(all[FileKind::log].bytes) / cycles,
                static_cast<double>(all[FileKind::database].bytes) / cycles);
}

} // namespace

// Delivered responses kept in the steady state: 1,000 is about a month of a small clinic's
// (the default retention is 30 days); more only makes the indexes a level deeper.
constexpr long long kept = 1000;

// --ward-pace-at DATABASE CYCLES: only the ward's pace, at a database whose -shm file the caller
// has already bound in memory (make bench does so with kiosk.service's own script).
int measure_ward_pace_at(const std::filesystem::path& file, long long cycles) {
    const auto paced = measure(file, cycles, {true, kept});
    if (!paced) {
        return 1;
    }
    print("a new outbox at a ward's pace, steady state, with the WAL index in memory as "
          "kiosk.service keeps it",
          *paced);
    return 0;
}

int main(int argc, char** argv) {
    if (argc > 1 && std::string_view(argv[1]) == "--ward-pace-at") {
        if (argc != 4 || std::atoll(argv[3]) <= 0) {
            std::fprintf(stderr, "usage: outbox_bytes_bench --ward-pace-at DATABASE CYCLES\n");
            return 2;
        }
        return measure_ward_pace_at(argv[2], std::atoll(argv[3]));
    }
    const long long cycles = argc > 1 ? std::atoll(argv[1]) : 2000;
    std::filesystem::path work =
        argc > 2 ? std::filesystem::path(argv[2])
                 : std::filesystem::read_symlink("/proc/self/exe").parent_path();
    if (cycles <= 0) {
        std::fprintf(stderr, "usage: outbox_bytes_bench [CYCLES [WORK_DIR]]\n");
        return 2;
    }
    // Under the work directory, not /tmp, which may be a RAM disk.
    std::string pattern = (work / "outbox-bytes-XXXXXX").string();
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    if (::mkdtemp(name.data()) == nullptr) {
        std::perror(pattern.c_str());
        return 1;
    }
    const std::filesystem::path directory(name.data());
    struct Removed {
        std::filesystem::path path;
        ~Removed() {
            std::error_code ignored;
            std::filesystem::remove_all(path, ignored);
        }
    } removed{directory};

    const auto fresh = measure(directory / "new" / "outbox.sqlite", cycles, {});
    if (!fresh) {
        return 1;
    }
    print("a new outbox, first weeks (nothing purged yet)", *fresh);

    const auto steady = measure(directory / "steady" / "outbox.sqlite", cycles, {false, kept});
    if (!steady) {
        return 1;
    }
    print("a new outbox, steady state (the oldest delivered responses purged hourly)", *steady);

    const auto upgraded_file = directory / "upgraded" / "outbox.sqlite";
    std::filesystem::create_directories(upgraded_file.parent_path());
    if (!make_version_4_database(upgraded_file)) {
        std::fprintf(stderr, "outbox_bytes_bench: could not make a version 4 database\n");
        return 1;
    }
    const auto upgraded = measure(upgraded_file, cycles, {false, kept});
    if (!upgraded) {
        return 1;
    }
    print("an outbox made by schema version 4 (4 KiB pages), rewritten with small pages when "
          "opened, steady state",
          *upgraded);

    // Fewer cycles: each one waits for the disk.
    const auto paced =
        measure(directory / "paced" / "outbox.sqlite", std::max(1LL, cycles / 4), {true, kept});
    if (!paced) {
        return 1;
    }
    print("a new outbox at a ward's pace (written out between responses), steady state", *paced);
    return 0;
}
