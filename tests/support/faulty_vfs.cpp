#include "support/faulty_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace kiosk::testing {

// The C callbacks SQLite calls. A struct rather than free functions so that it can be the
// class's friend and reach before().
struct FaultyVfsAccess {
    // What SQLite allocates for each open file (szOsFile bytes): this header, then, suitably
    // aligned, the wrapped VFS's own file object.
    struct WrappedFile {
        sqlite3_file base; // first, so a sqlite3_file* is a WrappedFile*
        FaultyVfs* owner;
        const char* name;   // SQLite keeps the name it passed to xOpen valid until xClose
        sqlite3_file* real; // points into the same allocation, after this header
    };
    static constexpr std::size_t real_offset =
        (sizeof(WrappedFile) + alignof(std::max_align_t) - 1) / alignof(std::max_align_t) *
        alignof(std::max_align_t);

    static FaultyVfs& owner_of(sqlite3_vfs* vfs) { return *static_cast<FaultyVfs*>(vfs->pAppData); }
    static WrappedFile& wrapped(sqlite3_file* file) {
        return *reinterpret_cast<WrappedFile*>(file);
    }
    static sqlite3_file* real(sqlite3_file* file) { return wrapped(file).real; }
    static const sqlite3_io_methods& real_methods(sqlite3_file* file) {
        return *real(file)->pMethods;
    }

    // ---- File methods: all pass through, but write and sync may fail first. ----

    static int close(sqlite3_file* file) { return real_methods(file).xClose(real(file)); }
    static int read(sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset) {
        return real_methods(file).xRead(real(file), buffer, amount, offset);
    }
    static int write(sqlite3_file* file, const void* buffer, int amount, sqlite3_int64 offset) {
        auto& self = wrapped(file);
        if (const int failure = self.owner->before(FaultyVfs::Operation::write, self.name)) {
            return failure;
        }
        return real_methods(file).xWrite(real(file), buffer, amount, offset);
    }
    static int truncate(sqlite3_file* file, sqlite3_int64 size) {
        return real_methods(file).xTruncate(real(file), size);
    }
    static int sync(sqlite3_file* file, int flags) {
        auto& self = wrapped(file);
        if (const int failure = self.owner->before(FaultyVfs::Operation::sync, self.name)) {
            return failure;
        }
        return real_methods(file).xSync(real(file), flags);
    }
    static int file_size(sqlite3_file* file, sqlite3_int64* size) {
        return real_methods(file).xFileSize(real(file), size);
    }
    static int lock(sqlite3_file* file, int level) {
        return real_methods(file).xLock(real(file), level);
    }
    static int unlock(sqlite3_file* file, int level) {
        return real_methods(file).xUnlock(real(file), level);
    }
    static int check_reserved_lock(sqlite3_file* file, int* result) {
        return real_methods(file).xCheckReservedLock(real(file), result);
    }
    static int file_control(sqlite3_file* file, int operation, void* argument) {
        return real_methods(file).xFileControl(real(file), operation, argument);
    }
    static int sector_size(sqlite3_file* file) {
        return real_methods(file).xSectorSize(real(file));
    }
    static int device_characteristics(sqlite3_file* file) {
        return real_methods(file).xDeviceCharacteristics(real(file));
    }
    // Version 2: the shared memory (the "-shm" wal-index) that WAL mode cannot work without.
    static int shm_map(sqlite3_file* file, int page, int page_size, int extend,
                       void volatile** mapped) {
        return real_methods(file).xShmMap(real(file), page, page_size, extend, mapped);
    }
    static int shm_lock(sqlite3_file* file, int offset, int count, int flags) {
        return real_methods(file).xShmLock(real(file), offset, count, flags);
    }
    static void shm_barrier(sqlite3_file* file) { real_methods(file).xShmBarrier(real(file)); }
    static int shm_unmap(sqlite3_file* file, int delete_flag) {
        return real_methods(file).xShmUnmap(real(file), delete_flag);
    }
    // Version 3: memory-mapped reads.
    static int fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** pointer) {
        return real_methods(file).xFetch(real(file), offset, amount, pointer);
    }
    static int unfetch(sqlite3_file* file, sqlite3_int64 offset, void* pointer) {
        return real_methods(file).xUnfetch(real(file), offset, pointer);
    }

    // A file gets the table of the same version as the wrapped file's, so SQLite never calls
    // a method (xShmMap, xFetch) the wrapped file does not have.
    static constexpr sqlite3_io_methods methods_of_version(int version) {
        sqlite3_io_methods methods{};
        methods.iVersion = version;
        methods.xClose = close;
        methods.xRead = read;
        methods.xWrite = write;
        methods.xTruncate = truncate;
        methods.xSync = sync;
        methods.xFileSize = file_size;
        methods.xLock = lock;
        methods.xUnlock = unlock;
        methods.xCheckReservedLock = check_reserved_lock;
        methods.xFileControl = file_control;
        methods.xSectorSize = sector_size;
        methods.xDeviceCharacteristics = device_characteristics;
        if (version >= 2) {
            methods.xShmMap = shm_map;
            methods.xShmLock = shm_lock;
            methods.xShmBarrier = shm_barrier;
            methods.xShmUnmap = shm_unmap;
        }
        if (version >= 3) {
            methods.xFetch = fetch;
            methods.xUnfetch = unfetch;
        }
        return methods;
    }
    static const sqlite3_io_methods* methods_for(int version) {
        static constexpr sqlite3_io_methods version_1 = methods_of_version(1);
        static constexpr sqlite3_io_methods version_2 = methods_of_version(2);
        static constexpr sqlite3_io_methods version_3 = methods_of_version(3);
        if (version <= 1) {
            return &version_1;
        }
        return version == 2 ? &version_2 : &version_3;
    }

    // ---- VFS methods: open may fail; the rest pass through. ----

    static int open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags,
                    int* out_flags) {
        auto& owner = owner_of(vfs);
        auto& self = wrapped(file);
        // pMethods stays null unless the wrapped file opened: then SQLite will not call xClose.
        self.base.pMethods = nullptr;
        self.owner = &owner;
        self.name = name;
        self.real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + real_offset);
        std::memset(self.real, 0, static_cast<std::size_t>(owner.wrapped_->szOsFile));
        if (const int failure = owner.before(FaultyVfs::Operation::open, name)) {
            return failure;
        }
        const int result = owner.wrapped_->xOpen(owner.wrapped_, name, self.real, flags, out_flags);
        // A wrapped file with methods must be closed even when its open failed (SQLite's rule),
        // so ours are set whenever it has them.
        if (self.real->pMethods != nullptr) {
            self.base.pMethods = methods_for(self.real->pMethods->iVersion);
        }
        return result;
    }
    static sqlite3_vfs* inner(sqlite3_vfs* vfs) { return owner_of(vfs).wrapped_; }
    static int remove(sqlite3_vfs* vfs, const char* name, int sync_directory) {
        return inner(vfs)->xDelete(inner(vfs), name, sync_directory);
    }
    static int access(sqlite3_vfs* vfs, const char* name, int flags, int* result) {
        return inner(vfs)->xAccess(inner(vfs), name, flags, result);
    }
    static int full_pathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
        return inner(vfs)->xFullPathname(inner(vfs), name, size, out);
    }
    static void* dl_open(sqlite3_vfs* vfs, const char* name) {
        return inner(vfs)->xDlOpen(inner(vfs), name);
    }
    static void dl_error(sqlite3_vfs* vfs, int size, char* message) {
        inner(vfs)->xDlError(inner(vfs), size, message);
    }
    using Symbol = void (*)();
    static Symbol dl_sym(sqlite3_vfs* vfs, void* library, const char* symbol) {
        return inner(vfs)->xDlSym(inner(vfs), library, symbol);
    }
    static void dl_close(sqlite3_vfs* vfs, void* library) {
        inner(vfs)->xDlClose(inner(vfs), library);
    }
    static int randomness(sqlite3_vfs* vfs, int size, char* out) {
        return inner(vfs)->xRandomness(inner(vfs), size, out);
    }
    static int sleep(sqlite3_vfs* vfs, int microseconds) {
        return inner(vfs)->xSleep(inner(vfs), microseconds);
    }
    static int current_time(sqlite3_vfs* vfs, double* now) {
        return inner(vfs)->xCurrentTime(inner(vfs), now);
    }
    static int get_last_error(sqlite3_vfs* vfs, int size, char* out) {
        return inner(vfs)->xGetLastError(inner(vfs), size, out);
    }
    static int current_time_int64(sqlite3_vfs* vfs, sqlite3_int64* now) {
        return inner(vfs)->xCurrentTimeInt64(inner(vfs), now);
    }
    static int set_system_call(sqlite3_vfs* vfs, const char* name, sqlite3_syscall_ptr call) {
        return inner(vfs)->xSetSystemCall(inner(vfs), name, call);
    }
    static sqlite3_syscall_ptr get_system_call(sqlite3_vfs* vfs, const char* name) {
        return inner(vfs)->xGetSystemCall(inner(vfs), name);
    }
    static const char* next_system_call(sqlite3_vfs* vfs, const char* name) {
        return inner(vfs)->xNextSystemCall(inner(vfs), name);
    }
};

namespace {

const char* operation_word(FaultyVfs::Operation operation) {
    switch (operation) {
    case FaultyVfs::Operation::write:
        return "write";
    case FaultyVfs::Operation::sync:
        return "sync";
    case FaultyVfs::Operation::open:
        return "open";
    }
    return "operation";
}

} // namespace

FaultyVfs::FaultyVfs(std::string name)
    : name_(std::move(name)), wrapped_(sqlite3_vfs_find(nullptr)),
      vfs_(std::make_unique<sqlite3_vfs>()) {
    if (wrapped_ == nullptr) {
        throw std::runtime_error("there is no default SQLite VFS to wrap");
    }
    if (sqlite3_vfs_find(name_.c_str()) != nullptr) {
        throw std::runtime_error("a SQLite VFS named " + name_ + " is already registered");
    }
    using Access = FaultyVfsAccess;
    auto& vfs = *vfs_;
    // Versions above 3 add methods this wrapper does not know, so it never claims them.
    vfs.iVersion = std::min(wrapped_->iVersion, 3);
    vfs.szOsFile = static_cast<int>(Access::real_offset) + wrapped_->szOsFile;
    vfs.mxPathname = wrapped_->mxPathname;
    vfs.zName = name_.c_str();
    vfs.pAppData = this;
    vfs.xOpen = Access::open;
    vfs.xDelete = Access::remove;
    vfs.xAccess = Access::access;
    vfs.xFullPathname = Access::full_pathname;
    vfs.xDlOpen = Access::dl_open;
    vfs.xDlError = Access::dl_error;
    vfs.xDlSym = Access::dl_sym;
    vfs.xDlClose = Access::dl_close;
    vfs.xRandomness = Access::randomness;
    vfs.xSleep = Access::sleep;
    vfs.xCurrentTime = Access::current_time;
    vfs.xGetLastError = Access::get_last_error;
    if (vfs.iVersion >= 2) {
        vfs.xCurrentTimeInt64 = Access::current_time_int64;
    }
    if (vfs.iVersion >= 3) {
        vfs.xSetSystemCall = Access::set_system_call;
        vfs.xGetSystemCall = Access::get_system_call;
        vfs.xNextSystemCall = Access::next_system_call;
    }
    if (const int result = sqlite3_vfs_register(vfs_.get(), 0); result != SQLITE_OK) {
        throw std::runtime_error("registering the SQLite VFS " + name_ +
                                 " failed: " + sqlite3_errstr(result));
    }
}

FaultyVfs::~FaultyVfs() {
    sqlite3_vfs_unregister(vfs_.get());
}

void FaultyVfs::arm(const Fault& fault) {
    std::lock_guard lock(mutex_);
    armed_ = Armed{fault, 0};
    faults_hit_ = 0;
    last_fault_.clear();
}

void FaultyVfs::clear() {
    std::lock_guard lock(mutex_);
    armed_.reset();
}

FaultyVfs::Counts FaultyVfs::counts() const {
    std::lock_guard lock(mutex_);
    return counts_;
}

void FaultyVfs::reset_counts() {
    std::lock_guard lock(mutex_);
    counts_ = {};
}

std::int64_t FaultyVfs::faults_hit() const {
    std::lock_guard lock(mutex_);
    return faults_hit_;
}

std::string FaultyVfs::last_fault() const {
    std::lock_guard lock(mutex_);
    return last_fault_;
}

int FaultyVfs::before(Operation operation, const char* file) {
    std::lock_guard lock(mutex_);
    switch (operation) {
    case Operation::write:
        ++counts_.writes;
        break;
    case Operation::sync:
        ++counts_.syncs;
        break;
    case Operation::open:
        ++counts_.opens;
        break;
    }
    if (!armed_ || armed_->fault.operation != operation) {
        return SQLITE_OK;
    }
    const std::int64_t seen = ++armed_->seen;
    const bool persistent = armed_->fault.persistence == Persistence::persistent;
    if (seen < armed_->fault.nth || (seen > armed_->fault.nth && !persistent)) {
        return SQLITE_OK;
    }
    ++faults_hit_;
    last_fault_ = std::string(operation_word(operation)) + " " + std::to_string(seen) + ", on " +
                  (file != nullptr ? file : "a temporary file");
    switch (operation) {
    case Operation::write:
        return armed_->fault.disk_full ? SQLITE_FULL : SQLITE_IOERR_WRITE;
    case Operation::sync:
        return SQLITE_IOERR_FSYNC;
    case Operation::open:
        return SQLITE_CANTOPEN;
    }
    return SQLITE_IOERR;
}

} // namespace kiosk::testing
