#include "app/provision.hpp"

#include "app/command_line.hpp"
#include "settings/settings.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <string_view>
#include <utility>

namespace kiosk::app {

namespace {

namespace fs = std::filesystem;

// Settings, certificates and a CA bundle are a few kilobytes (the whole Mozilla CA bundle is
// about 220 KB): anything bigger is not meant for the settings folder.
constexpr off_t kLargestFile = 1024 * 1024;
// Inside the settings folder, not beside it: /etc/kiosk may be a mount of its own (on the
// image it is a bind mount from the data partition), and rename() only works within one.
constexpr const char* kStagingName = ".provisioning";
constexpr const char* kPreviousName = "previous";

std::string describe_errno(int error) {
    return std::strerror(error);
}

// A file descriptor, closed when it goes.
class Descriptor {
public:
    Descriptor() = default;
    explicit Descriptor(int fd) : fd_(fd) {}
    Descriptor(Descriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Descriptor& operator=(Descriptor&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    ~Descriptor() { reset(); }

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }

private:
    void reset() {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    int fd_ = -1;
};

struct DirCloser {
    void operator()(DIR* dir) const { ::closedir(dir); }
};

// The absolute, tidy form of a path as given, without a trailing separator, so that paths in
// messages can be matched and rewritten as text.
fs::path tidy(const fs::path& path) {
    auto normal = fs::absolute(path).lexically_normal();
    if (!normal.has_filename() && normal.has_parent_path() && normal != normal.root_path()) {
        normal = normal.parent_path();
    }
    return normal;
}

// The part of `path` below `folder`, when it is below it.
std::optional<fs::path> below(const fs::path& folder, const fs::path& path) {
    auto relative = path.lexically_relative(folder);
    if (relative.empty() || relative == "." || *relative.begin() == "..") {
        return std::nullopt;
    }
    return relative;
}

bool single_name(const fs::path& relative) {
    return std::distance(relative.begin(), relative.end()) == 1;
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
}

std::optional<std::string> read_all(int fd, off_t limit, std::string& out) {
    char buffer[16384];
    for (;;) {
        ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            return "cannot be read: " + describe_errno(errno);
        }
        if (got == 0) {
            return std::nullopt;
        }
        out.append(buffer, static_cast<std::size_t>(got));
        if (static_cast<off_t>(out.size()) > limit) {
            return "is larger than " + std::to_string(limit / 1024) +
                   " KiB: settings and secrets are much smaller; is it the right file?";
        }
    }
}

std::optional<std::string> write_all(int fd, const std::string& text) {
    std::size_t written = 0;
    while (written < text.size()) {
        ssize_t put = ::write(fd, text.data() + written, text.size() - written);
        if (put < 0 && errno == EINTR) {
            continue;
        }
        if (put < 0) {
            return describe_errno(errno);
        }
        written += static_cast<std::size_t>(put);
    }
    return std::nullopt;
}

// What is offered in the boot folder: the plain files, and a problem for anything else.
// Names starting with '.' are left alone: computers add such files to FAT folders by
// themselves (macOS writes "._kiosk.toml" beside each file it copies).
struct Offered {
    std::vector<std::string> files;
    std::vector<std::string> problems;
    std::vector<std::string> ignored;
    bool folder_missing = false;
};

Offered list_boot_folder(int boot, const fs::path& boot_folder) {
    Offered offered;
    int listing = ::dup(boot);
    if (listing < 0) {
        offered.problems.push_back(boot_folder.string() +
                                   ": cannot be listed: " + describe_errno(errno));
        return offered;
    }
    std::unique_ptr<DIR, DirCloser> dir(::fdopendir(listing));
    if (!dir) {
        ::close(listing);
        offered.problems.push_back(boot_folder.string() +
                                   ": cannot be listed: " + describe_errno(errno));
        return offered;
    }
    while (dirent* entry = ::readdir(dir.get())) {
        std::string name = entry->d_name;
        if (name == "." || name == "..") {
            continue;
        }
        if (name.front() == '.') {
            offered.ignored.push_back(name);
            continue;
        }
        struct stat info {};
        auto shown = (boot_folder / name).string();
        if (::fstatat(boot, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) {
            offered.problems.push_back(shown + ": cannot be read: " + describe_errno(errno));
        } else if (S_ISLNK(info.st_mode)) {
            offered.problems.push_back(shown + ": is a symbolic link; only plain files are taken "
                                               "from the boot partition");
        } else if (S_ISDIR(info.st_mode)) {
            offered.problems.push_back(shown + ": is a folder; put the files themselves in " +
                                       boot_folder.string());
        } else if (!S_ISREG(info.st_mode)) {
            offered.problems.push_back(shown + ": is not a plain file");
        } else {
            offered.files.push_back(name);
        }
    }
    std::sort(offered.files.begin(), offered.files.end());
    std::sort(offered.problems.begin(), offered.problems.end());
    return offered;
}

// Opens the boot folder without following a symbolic link in its last part.
std::variant<Descriptor, std::string> open_boot_folder(const fs::path& boot_folder, bool& missing) {
    missing = false;
    int fd = ::open(boot_folder.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        return Descriptor(fd);
    }
    int error = errno;
    if (error == ENOENT) {
        missing = true;
        return std::string();
    }
    if (error == ELOOP) {
        return boot_folder.string() + ": is a symbolic link; give the folder itself";
    }
    if (error == ENOTDIR) {
        return boot_folder.string() + ": is not a folder";
    }
    return boot_folder.string() + ": cannot be opened: " + describe_errno(error);
}

// Writes the problem file whole or not at all: the kiosk must never read half of one.
std::optional<std::string>
write_problem_file(const fs::path& file, const std::vector<std::string>& problems, gid_t group) {
    std::string text;
    for (const auto& problem : problems) {
        text += problem + '\n';
    }
    auto temporary = file;
    temporary += ".new";
    // The data folder belongs to the kiosk user: whatever it left under this name goes, and the
    // file is made afresh, so root never writes through a link someone else put there.
    ::unlink(temporary.c_str());
    Descriptor out(
        ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640));
    if (!out) {
        return "cannot write " + temporary.string() + ": " + describe_errno(errno);
    }
    // The kiosk reads it through its group; the text holds file names and places, no secret.
    if (::fchown(out.get(), static_cast<uid_t>(-1), group) != 0 || ::fchmod(out.get(), 0640) != 0) {
        return "cannot set the owner of " + temporary.string() + ": " + describe_errno(errno);
    }
    if (auto problem = write_all(out.get(), text)) {
        return "cannot write " + temporary.string() + ": " + *problem;
    }
    if (::fsync(out.get()) != 0) {
        return "cannot write " + temporary.string() + ": " + describe_errno(errno);
    }
    if (::rename(temporary.c_str(), file.c_str()) != 0) {
        return "cannot write " + file.string() + ": " + describe_errno(errno);
    }
    Descriptor folder(::open(file.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (folder) {
        ::fsync(folder.get());
    }
    return std::nullopt;
}

void remove_problem_file(const fs::path& file, Log& log) {
    std::error_code error;
    if (fs::remove(file, error)) {
        log.info("provisioning: removed " + file.string() + " (its problem is gone)");
    } else if (error) {
        log.error("provisioning: cannot remove " + file.string() + ": " + error.message());
    }
}

// The settings as they will be once the set is moved, but pointing at the staged copies of
// the files being replaced: a name relative to the settings' folder ("device-token") and one
// in the settings folder itself ("/etc/kiosk/device-token") both name the new file.
class StagedView {
public:
    StagedView(fs::path settings_folder, fs::path staging, const std::set<std::string>& offered)
        : settings_folder_(std::move(settings_folder)), staging_(std::move(staging)),
          offered_(offered) {}

    fs::path operator()(const fs::path& path) const {
        if (path.empty()) {
            return path;
        }
        auto normal = path.lexically_normal();
        if (auto relative = below(staging_, normal)) {
            if (single_name(*relative) && offered_.contains(relative->string())) {
                return normal;
            }
            return settings_folder_ / *relative; // not offered: the file already in place
        }
        if (auto relative = below(settings_folder_, normal)) {
            if (single_name(*relative) && offered_.contains(relative->string())) {
                return staging_ / *relative;
            }
        }
        return normal;
    }

    void apply(settings::Settings& settings) const {
        for (auto& file : settings.questionnaires) {
            file = (*this)(file);
        }
        settings.data_dir = (*this)(settings.data_dir);
        settings.assets_dir = (*this)(settings.assets_dir);
        settings.display.font = (*this)(settings.display.font);
        settings.display.bold_font = (*this)(settings.display.bold_font);
        auto& delivery = settings.delivery;
        delivery.ca_file = (*this)(delivery.ca_file);
        delivery.client_certificate = (*this)(delivery.client_certificate);
        delivery.client_key = (*this)(delivery.client_key);
        delivery.token_file = (*this)(delivery.token_file);
    }

    // Every file the settings name, as staged.
    static std::set<fs::path> named_files(const settings::Settings& settings) {
        std::set<fs::path> named(settings.questionnaires.begin(), settings.questionnaires.end());
        for (const auto* file : {&settings.display.font, &settings.display.bold_font,
                                 &settings.delivery.ca_file, &settings.delivery.client_certificate,
                                 &settings.delivery.client_key, &settings.delivery.token_file}) {
            if (!file->empty()) {
                named.insert(*file);
            }
        }
        return named;
    }

private:
    fs::path settings_folder_;
    fs::path staging_;
    const std::set<std::string>& offered_;
};

// One provisioning run over open folders; each step adds to `problems` and stops at the first
// that fails.
class Provisioning {
public:
    Provisioning(const ProvisionPlaces& places, const ProvisionOwners& owners, Log& log)
        : boot_folder_(tidy(places.boot_folder)), settings_folder_(tidy(places.settings_folder)),
          staging_(settings_folder_ / kStagingName), owners_(owners), log_(log) {}

    ~Provisioning() { remove_staging(); }
    Provisioning(const Provisioning&) = delete;
    Provisioning& operator=(const Provisioning&) = delete;

    const fs::path& boot_folder() const { return boot_folder_; }
    const fs::path& settings_folder() const { return settings_folder_; }

    // A staging folder is only there when a run was cut short (a power cut): what it holds
    // was never moved, and the boot folder still has every file.
    void clear_interrupted_run() {
        std::error_code error;
        if (!fs::exists(fs::symlink_status(staging_, error))) {
            return;
        }
        fs::remove_all(staging_, error);
        if (error) {
            log_.error("provisioning: cannot remove " + staging_.string() +
                       ", left by an interrupted run: " + error.message());
        } else {
            log_.warning("provisioning: removed " + staging_.string() +
                         ", left by an interrupted run (nothing of it had been used)");
        }
    }

    bool open_settings_folder(std::vector<std::string>& problems) {
        int fd = ::open(settings_folder_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            problems.push_back(settings_folder_.string() +
                               ": the settings folder cannot be opened: " + describe_errno(errno) +
                               " (is the kiosk package installed?)");
            return false;
        }
        settings_ = Descriptor(fd);
        return true;
    }

    // Copies each offered file into the staging folder with the owner and mode it will have,
    // so every check below sees it as the kiosk will.
    bool stage(int boot, const std::vector<std::string>& files,
               std::vector<std::string>& problems) {
        if (::mkdirat(settings_.get(), kStagingName, 0700) != 0) {
            problems.push_back(staging_.string() + ": cannot be made: " + describe_errno(errno));
            return false;
        }
        made_staging_ = true;
        staging_fd_ = Descriptor(::openat(settings_.get(), kStagingName,
                                          O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!staging_fd_) {
            problems.push_back(staging_.string() + ": cannot be opened: " + describe_errno(errno));
            return false;
        }
        for (const auto& name : files) {
            if (auto problem = stage_one(boot, name)) {
                problems.push_back((boot_folder_ / name).string() + ": " + *problem);
            }
        }
        return problems.empty();
    }

    // The checks of `kiosk --check`, on the settings that will be in force.
    void check(const std::vector<std::string>& files, std::vector<std::string>& problems) {
        std::set<std::string> offered(files.begin(), files.end());
        bool new_settings = offered.contains(kSettingsFileName);
        auto settings_file = (new_settings ? staging_ : settings_folder_) / kSettingsFileName;
        auto loaded = settings::load_settings_file(settings_file);
        std::vector<CheckLine> lines;
        for (const auto& problem : loaded.problems) {
            lines.push_back({CheckLine::Kind::problem, problem.to_string()});
        }
        if (loaded.settings) {
            StagedView view(settings_folder_, staging_, offered);
            view.apply(*loaded.settings);
            auto more = check_loaded_settings(*loaded.settings, settings_file);
            lines.insert(lines.end(), more.begin(), more.end());
            auto named = StagedView::named_files(*loaded.settings);
            for (const auto& name : files) {
                if (name != kSettingsFileName && !named.contains(staging_ / name)) {
                    lines.push_back(
                        {CheckLine::Kind::problem,
                         (staging_ / name).string() + ": " + settings_file.string() +
                             " does not name it, so it would not be used: name it there (for "
                             "example token_file = \"" +
                             name + "\") or take it off the boot partition"});
                }
            }
        }
        for (auto& line : lines) {
            line.text = as_shown(line.text, files);
            if (line.kind == CheckLine::Kind::problem) {
                problems.push_back(line.text);
            } else if (line.kind == CheckLine::Kind::warning) {
                constexpr std::string_view prefix = "warning: ";
                std::string_view text = line.text;
                if (text.starts_with(prefix)) {
                    text.remove_prefix(prefix.size());
                }
                log_.warning("provisioning: " + std::string(text));
            }
        }
    }

    // Moves every staged file into the settings folder, the settings file last. A file it
    // replaces is kept in previous/ (a hard link, so the settings folder always holds a
    // whole file under each name). On a failure the moves already made are undone.
    bool move_into_place(const std::vector<std::string>& files,
                         std::vector<std::string>& problems) {
        if (::mkdirat(settings_.get(), kPreviousName, 0700) != 0 && errno != EEXIST) {
            problems.push_back((settings_folder_ / kPreviousName).string() +
                               ": cannot be made: " + describe_errno(errno));
            return false;
        }
        previous_ = Descriptor(::openat(settings_.get(), kPreviousName,
                                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!previous_) {
            problems.push_back((settings_folder_ / kPreviousName).string() +
                               ": cannot be opened: " + describe_errno(errno));
            return false;
        }
        auto order = files;
        std::stable_partition(order.begin(), order.end(),
                              [](const std::string& name) { return name != kSettingsFileName; });
        for (const auto& name : order) {
            if (auto problem = move_one(name)) {
                problems.push_back((settings_folder_ / name).string() + ": " + *problem);
                undo_moves();
                return false;
            }
        }
        // The renames are only safe from a power cut once the folders are on the card.
        if (::fsync(settings_.get()) != 0 || ::fsync(previous_.get()) != 0) {
            problems.push_back(settings_folder_.string() +
                               ": cannot be written to the card: " + describe_errno(errno));
            undo_moves();
            return false;
        }
        return true;
    }

    // Deletes the provisioned files from the boot partition. Only after the settings folder
    // is on the card: a power cut before this leaves them there, and the next start provisions
    // the same set again.
    void remove_from_boot(int boot, const std::vector<std::string>& files) {
        for (const auto& name : files) {
            if (::unlinkat(boot, name.c_str(), 0) != 0) {
                log_.error("provisioning: cannot delete " + (boot_folder_ / name).string() +
                           " from the boot partition: " + describe_errno(errno) +
                           "; it is in use, but delete it by hand: anyone with the card can "
                           "read it there");
            }
        }
        if (::fsync(boot) != 0) {
            log_.error("provisioning: cannot write " + boot_folder_.string() +
                       " to the card: " + describe_errno(errno));
        }
    }

    std::string moved_summary() const {
        std::string summary;
        for (const auto& move : moves_) {
            if (!summary.empty()) {
                summary += ", ";
            }
            summary += move.name + (move.name == kSettingsFileName ? " (0640)" : " (0600)");
            if (move.kind == Move::Kind::kept_previous) {
                summary += std::string(" replacing the old one, kept in ") + kPreviousName + "/";
            } else if (move.kind == Move::Kind::same_as_before) {
                summary += " unchanged";
            }
        }
        return summary;
    }

private:
    struct Move {
        enum class Kind { new_file, kept_previous, same_as_before };
        std::string name;
        Kind kind;
    };

    std::optional<std::string> stage_one(int boot, const std::string& name) {
        // O_NOFOLLOW: a symbolic link put there after the listing is still refused;
        // O_NONBLOCK: a FIFO cannot hold the start of the kiosk.
        Descriptor in(::openat(boot, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
        if (!in) {
            return errno == ELOOP ? std::string("is a symbolic link; only plain files are taken "
                                                "from the boot partition")
                                  : "cannot be opened: " + describe_errno(errno);
        }
        struct stat info {};
        if (::fstat(in.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
            return std::string("is not a plain file");
        }
        std::string content;
        if (auto problem = read_all(in.get(), kLargestFile, content)) {
            return problem;
        }
        bool settings_file = name == kSettingsFileName;
        mode_t mode = settings_file ? 0640 : 0600;
        uid_t user = settings_file ? owners_.settings_user : owners_.kiosk_user;
        Descriptor out(::openat(staging_fd_.get(), name.c_str(),
                                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!out) {
            return "cannot be copied to " + staging_.string() + ": " + describe_errno(errno);
        }
        if (::fchown(out.get(), user, owners_.kiosk_group) != 0) {
            return "cannot give the copy its owner: " + describe_errno(errno);
        }
        if (::fchmod(out.get(), mode) != 0) {
            return "cannot give the copy its mode: " + describe_errno(errno);
        }
        if (auto problem = write_all(out.get(), content)) {
            return "cannot be copied: " + *problem;
        }
        if (::fsync(out.get()) != 0) {
            return "cannot be copied: " + describe_errno(errno);
        }
        return std::nullopt;
    }

    // True when `name` in the settings folder is a plain file with the same bytes as the
    // staged one: a set provisioned again after a power cut keeps the real previous version.
    bool same_as_staged(const std::string& name) {
        auto read = [&](int folder) -> std::optional<std::string> {
            Descriptor fd(::openat(folder, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
            std::string content;
            if (!fd || read_all(fd.get(), kLargestFile, content)) {
                return std::nullopt;
            }
            return content;
        };
        auto old_content = read(settings_.get());
        return old_content && old_content == read(staging_fd_.get());
    }

    std::optional<std::string> move_one(const std::string& name) {
        struct stat info {};
        Move move{name, Move::Kind::new_file};
        if (::fstatat(settings_.get(), name.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0) {
            if (S_ISDIR(info.st_mode)) {
                return std::string("is a folder; a file of that name cannot replace it");
            }
            if (same_as_staged(name)) {
                move.kind = Move::Kind::same_as_before;
            } else {
                if (::unlinkat(previous_.get(), name.c_str(), 0) != 0 && errno != ENOENT) {
                    return "cannot replace the copy in " + std::string(kPreviousName) +
                           "/: " + describe_errno(errno);
                }
                if (::linkat(settings_.get(), name.c_str(), previous_.get(), name.c_str(), 0) !=
                    0) {
                    return "cannot keep the old one in " + std::string(kPreviousName) +
                           "/: " + describe_errno(errno);
                }
                move.kind = Move::Kind::kept_previous;
            }
        } else if (errno != ENOENT) {
            return "cannot be read: " + describe_errno(errno);
        }
        if (::renameat(staging_fd_.get(), name.c_str(), settings_.get(), name.c_str()) != 0) {
            int error = errno;
            if (move.kind == Move::Kind::kept_previous) {
                ::unlinkat(previous_.get(), name.c_str(), 0);
            }
            return "cannot be moved into place: " + describe_errno(error);
        }
        moves_.push_back(move);
        return std::nullopt;
    }

    void undo_moves() {
        for (auto move = moves_.rbegin(); move != moves_.rend(); ++move) {
            const char* name = move->name.c_str();
            bool undone = true;
            switch (move->kind) {
            case Move::Kind::new_file:
                undone = ::unlinkat(settings_.get(), name, 0) == 0;
                break;
            case Move::Kind::kept_previous:
                undone = ::renameat(previous_.get(), name, settings_.get(), name) == 0;
                break;
            case Move::Kind::same_as_before:
                break; // the same bytes are in place either way
            }
            if (!undone) {
                log_.error("provisioning: could not put back the old " +
                           (settings_folder_ / move->name).string() + ": " + describe_errno(errno));
            }
        }
        moves_.clear();
        ::fsync(settings_.get());
    }

    // Problems found on the staged copies name the file on the boot partition, where IT staff
    // put it and can fix it; anything else in the staging folder is what is already in place.
    std::string as_shown(std::string text, std::vector<std::string> names) const {
        std::sort(names.begin(), names.end(), [](const auto& a, const auto& b) {
            return a.size() > b.size(); // "kiosk.toml.bak" before "kiosk.toml"
        });
        for (const auto& name : names) {
            replace_all(text, (staging_ / name).string(), (boot_folder_ / name).string());
        }
        replace_all(text, staging_.string() + "/", settings_folder_.string() + "/");
        return text;
    }

    void remove_staging() {
        staging_fd_ = Descriptor();
        if (!made_staging_) {
            return;
        }
        std::error_code error;
        fs::remove_all(staging_, error);
        if (error) {
            log_.error("provisioning: cannot remove " + staging_.string() + ": " + error.message());
        }
        made_staging_ = false;
    }

    fs::path boot_folder_;
    fs::path settings_folder_;
    fs::path staging_;
    ProvisionOwners owners_;
    Log& log_;
    Descriptor settings_;
    Descriptor staging_fd_;
    Descriptor previous_;
    bool made_staging_ = false;
    std::vector<Move> moves_;
};

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& name : names) {
        out += (out.empty() ? "" : ", ") + name;
    }
    return out;
}

} // namespace

std::variant<ProvisionOwners, std::string> owners_for_kiosk_user(const std::string& user_name) {
    // getpwnam_r with its own buffer: no static storage shared with anything else.
    long suggested = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buffer(suggested > 0 ? static_cast<std::size_t>(suggested) : 16384);
    passwd entry{};
    passwd* found = nullptr;
    int error = ::getpwnam_r(user_name.c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (found == nullptr) {
        return "there is no user '" + user_name + "' on this device" +
               (error != 0 ? " (" + describe_errno(error) + ")" : std::string()) +
               ": install the kiosk package, which makes it; nothing was provisioned";
    }
    ProvisionOwners owners;
    owners.settings_user = ::geteuid();
    owners.kiosk_user = found->pw_uid;
    owners.kiosk_group = found->pw_gid;
    return owners;
}

ProvisionReport provision(const ProvisionPlaces& places, const ProvisionOwners& owners, Log& log) {
    ProvisionReport report;
    Provisioning run(places, owners, log);
    auto problem_file = tidy(places.problem_file);
    std::error_code ignored;
    if (fs::is_directory(run.settings_folder(), ignored)) {
        run.clear_interrupted_run();
    }

    auto refuse = [&](std::vector<std::string> problems) {
        report.outcome = ProvisionOutcome::refused;
        report.problems = std::move(problems);
        for (const auto& problem : report.problems) {
            log.error("provisioning: " + problem);
        }
        log.error("provisioning: nothing was changed in " + run.settings_folder().string() +
                  "; the files stay in " + run.boot_folder().string() +
                  " until they are fixed. The kiosk shows why on its out-of-service screen");
        if (auto problem = write_problem_file(problem_file, report.problems, owners.kiosk_group)) {
            log.error("provisioning: " + *problem +
                      "; the kiosk cannot show why the new settings were not used");
        }
        return report;
    };

    bool missing = false;
    auto opened = open_boot_folder(run.boot_folder(), missing);
    if (missing) {
        log.info("provisioning: no " + run.boot_folder().string() + ": nothing to do");
        remove_problem_file(problem_file, log);
        return report;
    }
    if (auto* problem = std::get_if<std::string>(&opened)) {
        return refuse({*problem});
    }
    const auto& boot = std::get<Descriptor>(opened);
    auto offered = list_boot_folder(boot.get(), run.boot_folder());
    for (const auto& name : offered.ignored) {
        log.info("provisioning: left " + (run.boot_folder() / name).string() +
                 " alone (a hidden file)");
    }
    report.files = offered.files;
    if (offered.files.empty() && offered.problems.empty()) {
        log.info("provisioning: " + run.boot_folder().string() + " is empty: nothing to do");
        // The files a problem file spoke of are gone (IT took them off the card): the old
        // settings are in force, and the kiosk must not stay out of service for them.
        remove_problem_file(problem_file, log);
        return report;
    }
    log.info("provisioning: found " + joined(offered.files) + " in " + run.boot_folder().string());
    if (!offered.problems.empty()) {
        return refuse(offered.problems);
    }

    std::vector<std::string> problems;
    if (!run.open_settings_folder(problems) || !run.stage(boot.get(), offered.files, problems)) {
        return refuse(problems);
    }
    run.check(offered.files, problems);
    if (!problems.empty()) {
        return refuse(problems);
    }
    if (!run.move_into_place(offered.files, problems)) {
        return refuse(problems);
    }
    log.info("provisioning: moved into " + run.settings_folder().string() + ": " +
             run.moved_summary());
    run.remove_from_boot(boot.get(), offered.files);
    log.info("provisioning: deleted " + joined(offered.files) + " from " +
             run.boot_folder().string());
    report.outcome = ProvisionOutcome::provisioned;
    remove_problem_file(problem_file, log);
    // New settings may keep their data elsewhere: a problem file there is just as stale.
    auto now_in_force = default_problem_file(run.settings_folder());
    if (tidy(now_in_force) != problem_file) {
        remove_problem_file(now_in_force, log);
    }
    return report;
}

std::filesystem::path default_problem_file(const std::filesystem::path& settings_folder) {
    auto loaded = settings::load_settings_file(settings_folder / kSettingsFileName);
    if (loaded.settings && !loaded.settings->data_dir.empty()) {
        return loaded.settings->data_dir / kProvisioningProblemName;
    }
    return std::filesystem::path("/var/lib/kiosk") / kProvisioningProblemName;
}

std::optional<std::string> provisioning_problem(const std::filesystem::path& data_dir) {
    auto file = data_dir / kProvisioningProblemName;
    std::error_code error;
    if (!std::filesystem::exists(std::filesystem::symlink_status(file, error))) {
        return std::nullopt;
    }
    std::string intro = "new settings on the boot partition were not used";
    std::ifstream in(file, std::ios::binary);
    std::vector<std::string> problems;
    std::string line;
    std::size_t read = 0;
    constexpr std::size_t kEnough = 64 * 1024; // the screen shows one line; the log has all
    while (read < kEnough && std::getline(in, line)) {
        read += line.size() + 1;
        if (!line.empty()) {
            problems.push_back(line);
        }
    }
    if (problems.empty()) {
        return intro + " (see " + file.string() + " and the log)";
    }
    std::string reason = intro + ": " + problems.front();
    if (problems.size() > 1) {
        reason += " (and " + std::to_string(problems.size() - 1) + " more problem(s) in " +
                  file.string() + ")";
    }
    return reason;
}

int provision_command(const std::filesystem::path& boot_folder,
                      const std::filesystem::path& settings_folder,
                      const std::filesystem::path& problem_file, Log& log) {
    ProvisionPlaces places{boot_folder, settings_folder,
                           problem_file.empty() ? default_problem_file(settings_folder)
                                                : problem_file};
    auto owners = owners_for_kiosk_user("kiosk");
    if (auto* problem = std::get_if<std::string>(&owners)) {
        // Without the kiosk user there is nobody to give the files to; but an empty boot
        // folder needs nobody, and must not stop a development machine.
        std::error_code error;
        if (!std::filesystem::exists(boot_folder, error) ||
            std::filesystem::is_empty(boot_folder, error)) {
            log.info("provisioning: nothing in " + boot_folder.string() + ": nothing to do");
            return 0;
        }
        log.error("provisioning: " + *problem);
        return 1;
    }
    if (::geteuid() != 0) {
        std::error_code error;
        if (!std::filesystem::exists(boot_folder, error) ||
            std::filesystem::is_empty(boot_folder, error)) {
            log.info("provisioning: nothing in " + boot_folder.string() + ": nothing to do");
            return 0;
        }
        log.error("provisioning: kiosk --provision must run as root, to give the files to the "
                  "kiosk user; nothing was provisioned");
        return 1;
    }
    provision(places, std::get<ProvisionOwners>(owners), log);
    return 0;
}

} // namespace kiosk::app
