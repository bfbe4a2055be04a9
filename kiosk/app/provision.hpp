#pragma once
// Provisioning from the boot partition. IT staff drop one device's settings and secrets (the
// token, the client certificate and key, the CA bundle; any of them) in the `kiosk/` folder of
// the card's boot partition, which any computer can write to. Before the kiosk starts,
// `kiosk --provision` (run as root) checks them as `kiosk --check` would, with the owners and
// modes they will have, and only then moves them into the settings folder and deletes them
// from the boot partition: that partition is FAT, where every file is readable by everyone, so
// secrets must not stay there. A refused set changes nothing; the reason goes to a problem file
// that the kiosk shows on its out-of-service screen, and the old settings stay in force.

#include "app/log.hpp"

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace kiosk::app {

// The settings file the kiosk reads in the settings folder (the service starts it on
// /etc/kiosk/kiosk.toml).
inline constexpr const char* kSettingsFileName = "kiosk.toml";
// Written to the data folder when a set is refused; read by the kiosk at start-up.
inline constexpr const char* kProvisioningProblemName = "provisioning-problem";

// Who owns the files moved into the settings folder.
struct ProvisionOwners {
    // kiosk.toml: root on a device (mode 0640, group kiosk), so that a kiosk process taken over
    // cannot change where responses go or the staff PIN hashes.
    uid_t settings_user = 0;
    // Every other file (mode 0600): the token and the key must be readable by the kiosk alone.
    uid_t kiosk_user = 0;
    gid_t kiosk_group = 0;
};

// The ids of the kiosk's user and group (the package creates them), settings owned by the
// user running the provisioning; or why they cannot be found.
std::variant<ProvisionOwners, std::string> owners_for_kiosk_user(const std::string& user_name);

struct ProvisionPlaces {
    std::filesystem::path boot_folder;     // /boot/firmware/kiosk
    std::filesystem::path settings_folder; // /etc/kiosk
    std::filesystem::path problem_file;    // /var/lib/kiosk/provisioning-problem
};

enum class ProvisionOutcome {
    nothing_to_do, // no boot folder, or nothing in it
    provisioned,   // every file moved, and deleted from the boot partition
    refused,       // nothing moved; the problems are in the problem file
};

struct ProvisionReport {
    ProvisionOutcome outcome = ProvisionOutcome::nothing_to_do;
    std::vector<std::string> files;    // the names offered on the boot partition
    std::vector<std::string> problems; // why a set was refused, each naming the file and place
};

// Provisions what is in `places.boot_folder`. Never leaves the settings folder half changed:
// files are checked in a staging folder inside it (so each move is a rename on one file
// system), and moved only when every check passes. A replaced file is kept in
// `<settings folder>/previous/` for a roll-back. A staging folder left by an interrupted run
// is removed first. Writes what it does to `log`, never the content of a file.
ProvisionReport provision(const ProvisionPlaces& places, const ProvisionOwners& owners, Log& log);

// Where a refusal is written when the command line names no file: `provisioning-problem` in
// the data_dir of the settings in force in `settings_folder`, which is where the kiosk looks;
// /var/lib/kiosk when those settings cannot be read (the kiosk is out of service then anyway).
std::filesystem::path default_problem_file(const std::filesystem::path& settings_folder);

// For the kiosk at start-up: when `<data_dir>/provisioning-problem` exists, the reason to show
// on the out-of-service screen ("new settings on the boot partition were not used: ...").
std::optional<std::string> provisioning_problem(const std::filesystem::path& data_dir);

// `kiosk --provision BOOT_FOLDER SETTINGS_FOLDER [--problem-file FILE]` for the user `kiosk`.
// Exits 0 whether it provisioned, found nothing or refused a set, so the kiosk still starts
// and shows why; it fails only when it cannot work at all (not root, no kiosk user).
int provision_command(const std::filesystem::path& boot_folder,
                      const std::filesystem::path& settings_folder,
                      const std::filesystem::path& problem_file, Log& log);

} // namespace kiosk::app
