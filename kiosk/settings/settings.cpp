#include "settings/settings.hpp"

#include "model/pin_hash.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

namespace kiosk::settings {

namespace {

// "en", "cy", "pa-Guru", "zh-Hans-CN": two or three letters, then parts of 2 to 8 letters or
// digits after hyphens. The tag names a strings file, so nothing else may pass.
bool is_language_tag(const std::string& text) {
    auto is_letter = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    };
    auto is_digit = [](char c) {
        return c >= '0' && c <= '9';
    };
    std::size_t start = 0;
    bool first = true;
    while (true) {
        std::size_t end = text.find('-', start);
        std::string_view part(text.data() + start,
                              (end == std::string::npos ? text.size() : end) - start);
        const std::size_t shortest = 2;
        std::size_t longest = first ? 3 : 8;
        if (part.size() < shortest || part.size() > longest) {
            return false;
        }
        for (char c : part) {
            if (!is_letter(c) && (first || !is_digit(c))) {
                return false;
            }
        }
        if (end == std::string::npos) {
            return true;
        }
        start = end + 1;
        first = false;
    }
}

std::string place_of(const toml::node& node, const std::string& key_path) {
    const auto& begin = node.source().begin;
    std::string place = "'" + key_path + "'";
    if (begin.line > 0) {
        place += " (line " + std::to_string(begin.line) + ", column " +
                 std::to_string(begin.column) + ")";
    }
    return place;
}

// Reads one [table], remembering which keys were used so the rest can be reported as unknown.
class TableReader {
public:
    TableReader(const toml::table* table, std::string name, const std::string& file,
                model::Problems& problems)
        : table_(table), name_(std::move(name)), file_(file), problems_(problems) {}

    bool present() const { return table_ != nullptr; }

    const toml::node* node(const std::string& key) {
        known_.insert(key);
        return table_ == nullptr ? nullptr : table_->get(key);
    }

    void problem(const toml::node* at, const std::string& key, const std::string& what) {
        std::string place = at != nullptr ? place_of(*at, path(key)) : "'" + path(key) + "'";
        problems_.push_back({file_, place, what});
    }

    // A problem with the section as a whole, pointed at its [header].
    void section_problem(const std::string& what) {
        std::string place = table_ != nullptr ? place_of(*table_, name_) : "'" + name_ + "'";
        problems_.push_back({file_, place, what});
    }

    std::optional<std::string> text(const std::string& key, bool required) {
        const toml::node* value = node(key);
        if (value == nullptr) {
            // A missing (or malformed) section is reported once, not once per required key.
            if (required && present()) {
                problem(nullptr, key, "is required but missing");
            }
            return std::nullopt;
        }
        if (!value->is_string()) {
            problem(value, key, "must be text in quotes");
            return std::nullopt;
        }
        return value->value<std::string>();
    }

    std::optional<std::int64_t> integer(const std::string& key, std::int64_t low,
                                        std::int64_t high) {
        const toml::node* value = node(key);
        if (value == nullptr) {
            return std::nullopt;
        }
        if (!value->is_integer()) {
            problem(value, key, "must be a whole number");
            return std::nullopt;
        }
        std::int64_t number = *value->value<std::int64_t>();
        if (number < low || number > high) {
            problem(value, key,
                    "must be from " + std::to_string(low) + " to " + std::to_string(high) +
                        " (it is " + std::to_string(number) + ")");
            return std::nullopt;
        }
        return number;
    }

    std::optional<double> number(const std::string& key, double low, double high) {
        const toml::node* value = node(key);
        if (value == nullptr) {
            return std::nullopt;
        }
        if (!value->is_number()) {
            problem(value, key, "must be a number");
            return std::nullopt;
        }
        double number = *value->value<double>();
        if (!(number >= low && number <= high)) { // written so that nan is refused too
            std::ostringstream message;
            message << "must be from " << low << " to " << high << " (it is " << number << ")";
            problem(value, key, message.str());
            return std::nullopt;
        }
        return number;
    }

    std::optional<bool> boolean(const std::string& key) {
        const toml::node* value = node(key);
        if (value == nullptr) {
            return std::nullopt;
        }
        if (!value->is_boolean()) {
            problem(value, key, "must be true or false");
            return std::nullopt;
        }
        return value->value<bool>();
    }

    std::optional<std::vector<std::string>> texts(const std::string& key, bool required) {
        const toml::node* value = node(key);
        if (value == nullptr) {
            // A missing (or malformed) section is reported once, not once per required key.
            if (required && present()) {
                problem(nullptr, key, "is required but missing");
            }
            return std::nullopt;
        }
        const toml::array* array = value->as_array();
        if (array == nullptr) {
            problem(value, key, "must be a list of texts, like [\"a\", \"b\"]");
            return std::nullopt;
        }
        std::vector<std::string> out;
        for (std::size_t i = 0; i < array->size(); ++i) {
            const toml::node& element = *array->get(i);
            if (!element.is_string()) {
                problem(&element, key + "[" + std::to_string(i) + "]", "must be text in quotes");
                return std::nullopt;
            }
            out.push_back(*element.value<std::string>());
        }
        return out;
    }

    // Reports each key not asked for; true when there was one.
    bool report_unknown_keys() {
        bool any = false;
        if (table_ == nullptr) {
            return any;
        }
        for (const auto& [key, value] : *table_) {
            std::string name(key.str());
            if (known_.count(name) == 0) {
                std::string allowed;
                for (const auto& k : known_) {
                    allowed += (allowed.empty() ? "" : ", ") + k;
                }
                problem(&value, name, "is not a known setting (known here: " + allowed + ")");
                any = true;
            }
        }
        return any;
    }

private:
    std::string path(const std::string& key) const {
        return name_.empty() ? key : name_ + "." + key;
    }

    const toml::table* table_;
    std::string name_;
    const std::string& file_;
    model::Problems& problems_;
    std::set<std::string> known_;
};

std::filesystem::path resolve(const std::filesystem::path& base, const std::string& text) {
    if (text.empty()) {
        return {};
    }
    std::filesystem::path path(text);
    return path.is_absolute() ? path : (base / path).lexically_normal();
}

// "sha256//" and the base64 of a 32-byte SHA-256: 43 characters and one '=' of padding. Anything
// else can never match a certificate, and a ';' would split one pin into two for curl.
bool is_public_key_pin(const std::string& pin) {
    const std::string prefix = "sha256//";
    if (pin.size() != prefix.size() + 44 || pin.compare(0, prefix.size(), prefix) != 0 ||
        pin.back() != '=') {
        return false;
    }
    return pin.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
                                 prefix.size()) == pin.size() - 1;
}

std::chrono::seconds seconds_or(std::optional<std::int64_t> value, std::chrono::seconds fallback) {
    return value ? std::chrono::seconds(*value) : fallback;
}

// The clinics a volunteer may switch between; the default one (service) must be among them, or
// switching back to it would be impossible.
void read_clinics(TableReader& reader, Settings& settings) {
    auto& device = settings.device;
    auto clinics = reader.texts("clinics", false);
    if (!clinics) {
        if (reader.node("clinics") == nullptr && !device.service.empty()) {
            device.clinics = {device.service};
        }
        return;
    }
    const toml::array* array = reader.node("clinics")->as_array();
    if (clinics->empty()) {
        reader.problem(array, "clinics",
                       "must list at least one clinic (leave it out to use only the service)");
        return;
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < clinics->size(); ++i) {
        const std::string& clinic = (*clinics)[i];
        std::string key = "clinics[" + std::to_string(i) + "]";
        if (clinic.find_first_not_of(" \t") == std::string::npos) {
            reader.problem(array->get(i), key, "must not be empty");
        } else if (!seen.insert(clinic).second) {
            reader.problem(array->get(i), key, "lists \"" + clinic + "\" a second time");
        }
    }
    if (!device.service.empty() && seen.count(device.service) == 0) {
        reader.problem(reader.node("service"), "service",
                       "is \"" + device.service +
                           "\", which is not one of device.clinics (the default clinic must be "
                           "one a volunteer can switch back to)");
    }
    device.clinics = *clinics;
}

void read_device(TableReader reader, Settings& settings) {
    if (auto id = reader.text("id", true)) {
        bool plain =
            !id->empty() && id->size() <= 64 &&
            id->find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == std::string::npos;
        if (!plain) {
            reader.problem(reader.node("id"), "id",
                           "must be 1 to 64 letters, digits, '-', '_' or '.' (it is sent with "
                           "every response and must not carry anything else)");
        } else {
            settings.device.id = *id;
        }
    }
    settings.device.site = reader.text("site", true).value_or("");
    settings.device.service = reader.text("service", true).value_or("");
    read_clinics(reader, settings);
    reader.report_unknown_keys();
}

void read_questionnaires(TableReader reader, Settings& settings,
                         const std::filesystem::path& base) {
    if (auto files = reader.texts("files", true)) {
        if (files->empty()) {
            reader.problem(reader.node("files"), "files", "must name at least one questionnaire");
        }
        const toml::array* array = reader.node("files")->as_array();
        for (std::size_t i = 0; i < files->size(); ++i) {
            const std::string& file = (*files)[i];
            // An empty name would become an empty path, which is no file at all (found by
            // fuzzing, tests/fuzz/).
            if (file.empty()) {
                reader.problem(array->get(i), "files[" + std::to_string(i) + "]",
                               "must name a questionnaire file (it is empty)");
            }
            settings.questionnaires.push_back(resolve(base, file));
        }
    }
    if (auto active = reader.text("active", false)) {
        bool listed = false;
        for (const auto& file : settings.questionnaires) {
            listed = listed || file.stem() == *active;
        }
        if (!listed) {
            reader.problem(reader.node("active"), "active",
                           "names '" + *active + "', which is not one of the files listed");
        }
        settings.active_questionnaire = *active;
    } else if (!settings.questionnaires.empty()) {
        settings.active_questionnaire = settings.questionnaires.front().stem().string();
    }
    reader.report_unknown_keys();
}

void read_storage(TableReader reader, Settings& settings, const std::filesystem::path& base) {
    if (auto dir = reader.text("data_dir", true)) {
        if (dir->empty()) {
            reader.problem(reader.node("data_dir"), "data_dir", "must not be empty");
        }
        settings.data_dir = resolve(base, *dir);
    }
    reader.report_unknown_keys();
}

void read_paths(TableReader reader, Settings& settings, const std::filesystem::path& base) {
    if (auto assets = reader.text("assets", false)) {
        settings.assets_dir = resolve(base, *assets);
    }
    reader.report_unknown_keys();
}

void read_session(TableReader reader, Settings& settings) {
    auto& session = settings.session;
    session.idle_timeout =
        seconds_or(reader.integer("idle_timeout_seconds", 20, 3600), session.idle_timeout);
    // WCAG 2.2.1: a warning that gives at least 20 seconds to answer.
    session.idle_warning =
        seconds_or(reader.integer("idle_warning_seconds", 20, 600), session.idle_warning);
    session.thank_you = seconds_or(reader.integer("thank_you_seconds", 3, 120), session.thank_you);
    if (auto more_time = reader.integer("more_time", 1, 10)) {
        session.more_time = static_cast<int>(*more_time);
    }
    session.read_aloud = reader.boolean("read_aloud").value_or(session.read_aloud);
    if (auto language = reader.text("language", false)) {
        // A language tag like "en", "cy" or "pa-Guru": it names a file and goes into responses.
        if (!is_language_tag(*language)) {
            reader.problem(reader.node("language"), "language",
                           "must be a language tag like \"en\" or \"cy\" (it is \"" + *language +
                               "\")");
        } else {
            session.language = *language;
        }
    }
    session.languages = {session.language};
    if (auto languages = reader.texts("languages", false)) {
        const toml::array* array = reader.node("languages")->as_array();
        std::set<std::string> seen;
        for (std::size_t i = 0; i < languages->size(); ++i) {
            const std::string& tag = (*languages)[i];
            std::string key = "languages[" + std::to_string(i) + "]";
            if (!is_language_tag(tag)) {
                reader.problem(array->get(i), key,
                               "must be a language tag like \"cy\" or \"pa-Guru\" (it is \"" + tag +
                                   "\")");
            } else if (!seen.insert(tag).second) {
                reader.problem(array->get(i), key, "lists \"" + tag + "\" a second time");
            }
        }
        if (seen.count(session.language) == 0) {
            reader.problem(array, "languages",
                           "must include the default language \"" + session.language +
                               "\" (session.language)");
        }
        session.languages = *languages;
    }
    reader.report_unknown_keys();
}

void read_display(TableReader reader, Settings& settings, const std::filesystem::path& base) {
    auto& display = settings.display;
    display.fullscreen = reader.boolean("fullscreen").value_or(display.fullscreen);
    display.width = static_cast<int>(reader.integer("width", 320, 7680).value_or(display.width));
    display.height = static_cast<int>(reader.integer("height", 240, 4320).value_or(display.height));
    display.dpi = reader.number("dpi", 50, 600).value_or(display.dpi);
    display.kiosk_mode = reader.boolean("kiosk_mode").value_or(display.kiosk_mode);
    if (auto renderer = reader.text("renderer", false)) {
        if (*renderer == "software") {
            display.renderer = Renderer::software;
        } else if (*renderer == "accelerated") {
            display.renderer = Renderer::accelerated;
        } else {
            reader.problem(reader.node("renderer"), "renderer",
                           "must be \"software\" or \"accelerated\" (it is \"" + *renderer + "\")");
        }
    }
    if (auto font = reader.text("font", false)) {
        display.font = resolve(base, *font);
    }
    if (auto font = reader.text("bold_font", false)) {
        display.bold_font = resolve(base, *font);
    }
    reader.report_unknown_keys();
}

void read_delivery(TableReader reader, Settings& settings, const std::filesystem::path& base) {
    auto& delivery = settings.delivery;
    if (auto endpoint = reader.text("endpoint", true)) {
        if (endpoint->rfind("https://", 0) != 0 || endpoint->size() <= 8) {
            reader.problem(reader.node("endpoint"), "endpoint",
                           "must be an https:// address (responses never travel unencrypted)");
        }
        delivery.endpoint = *endpoint;
    }
    delivery.ca_file = resolve(base, reader.text("ca_file", false).value_or(""));
    delivery.client_certificate =
        resolve(base, reader.text("client_certificate", false).value_or(""));
    delivery.client_key = resolve(base, reader.text("client_key", false).value_or(""));
    if (delivery.client_certificate.empty() != delivery.client_key.empty()) {
        const char* given = delivery.client_key.empty() ? "client_certificate" : "client_key";
        const char* missing = delivery.client_key.empty() ? "client_key" : "client_certificate";
        reader.problem(reader.node(given), given,
                       std::string("is set but ") + missing +
                           " is not: a client certificate and its key must be given together");
    }
    delivery.token_file = resolve(base, reader.text("token_file", false).value_or(""));
    if (auto pins = reader.texts("pinned_public_keys", false)) {
        const toml::array* array = reader.node("pinned_public_keys")->as_array();
        for (std::size_t i = 0; i < pins->size(); ++i) {
            if (!is_public_key_pin((*pins)[i])) {
                reader.problem(array->get(i), "pinned_public_keys[" + std::to_string(i) + "]",
                               "must be \"sha256//\" followed by the 44-character base64 "
                               "SHA-256 of the public key (got \"" +
                                   (*pins)[i] + "\")");
            }
        }
        delivery.pinned_public_keys = *pins;
    }
    if (auto proxy = reader.text("proxy", false)) {
        delivery.proxy = *proxy;
    }
    delivery.connect_timeout =
        seconds_or(reader.integer("connect_timeout_seconds", 1, 300), delivery.connect_timeout);
    delivery.total_timeout =
        seconds_or(reader.integer("total_timeout_seconds", 5, 3600), delivery.total_timeout);
    delivery.low_speed_bytes_per_second = reader.integer("low_speed_bytes_per_second", 1, 1 << 30)
                                              .value_or(delivery.low_speed_bytes_per_second);
    delivery.low_speed_time =
        seconds_or(reader.integer("low_speed_seconds", 1, 3600), delivery.low_speed_time);
    delivery.retry_base =
        seconds_or(reader.integer("retry_base_seconds", 1, 3600), delivery.retry_base);
    delivery.retry_cap =
        seconds_or(reader.integer("retry_cap_seconds", 1, 7 * 86400), delivery.retry_cap);
    if (delivery.retry_cap < delivery.retry_base) {
        reader.problem(reader.node("retry_cap_seconds"), "retry_cap_seconds",
                       "must not be less than retry_base_seconds");
    }
    delivery.batch_max_entries = static_cast<int>(
        reader.integer("batch_max_entries", 1, 50).value_or(delivery.batch_max_entries));
    delivery.batch_max_bytes =
        reader.integer("batch_max_kib", 1, 256).value_or(delivery.batch_max_bytes / 1024) * 1024;
    delivery.reply_max_bytes =
        reader.integer("reply_max_kib", 16, 65536).value_or(delivery.reply_max_bytes / 1024) * 1024;
    delivery.retention_days = static_cast<int>(
        reader.integer("retention_days", 0, 3650).value_or(delivery.retention_days));
    reader.report_unknown_keys();
}

// A PIN hash from `kiosk --hash-pin`. The value is never repeated in a problem: what is there
// instead of a hash may well be the PIN itself, typed in by mistake, and problems are printed
// and logged.
void read_pin_hash(TableReader& reader, const std::string& key, std::string& into) {
    auto value = reader.text(key, false);
    if (!value) {
        return;
    }
    if (!model::is_pin_hash(*value)) {
        reader.problem(reader.node(key), key,
                       "is not a PIN hash: run `kiosk --hash-pin`, type the PIN, and put what it "
                       "prints here in quotes (the value is not shown here, in case it is a PIN)");
        return;
    }
    into = *value;
}

// A program the kiosk runs without a shell, so without PATH: its first word must be a full path.
void read_command(TableReader& reader, const std::string& key, std::vector<std::string>& into) {
    auto command = reader.texts(key, false);
    if (!command) {
        return;
    }
    if (!command->empty() && !std::filesystem::path(command->front()).is_absolute()) {
        reader.problem(reader.node(key)->as_array()->get(0), key + "[0]",
                       "must be the program's full path, like \"/usr/bin/sudo\" (it is run "
                       "without a shell, so PATH is not searched; it is \"" +
                           command->front() + "\")");
        return;
    }
    into = *command;
}

void read_staff(TableReader reader, Settings& settings) {
    auto& staff = settings.staff;
    read_pin_hash(reader, "volunteer_pin", staff.volunteer_pin_hash);
    read_pin_hash(reader, "it_pin", staff.it_pin_hash);
    if (auto corner = reader.text("corner", false)) {
        static const std::pair<const char*, Corner> corners[] = {
            {"top-left", Corner::top_left},
            {"top-right", Corner::top_right},
            {"bottom-left", Corner::bottom_left},
            {"bottom-right", Corner::bottom_right},
        };
        bool known = false;
        for (const auto& [name, value] : corners) {
            if (*corner == name) {
                staff.corner = value;
                known = true;
            }
        }
        if (!known) {
            reader.problem(reader.node("corner"), "corner",
                           "must be \"top-left\", \"top-right\", \"bottom-left\" or "
                           "\"bottom-right\" (it is \"" +
                               *corner + "\")");
        }
    }
    staff.hold = seconds_or(reader.integer("hold_seconds", 2, 10), staff.hold);
    staff.leave_after =
        seconds_or(reader.integer("leave_after_seconds", 15, 600), staff.leave_after);
    staff.help = reader.text("help", false).value_or("");
    read_command(reader, "reboot_command", staff.reboot_command);
    read_command(reader, "power_off_command", staff.power_off_command);
    reader.report_unknown_keys();
}

void read_opening_hours(TableReader reader, Settings& settings) {
    if (!reader.present()) {
        return; // always open
    }
    static const char* const days[] = {"monday", "tuesday",  "wednesday", "thursday",
                                       "friday", "saturday", "sunday"};
    model::OpeningHours::Week week;
    bool all_read = true;
    bool opens_some_day = false;
    for (std::size_t day = 0; day < week.size(); ++day) {
        const std::string key = days[day];
        auto text = reader.text(key, false);
        if (!text) {
            all_read = all_read && reader.node(key) == nullptr; // not listed: closed
            continue;
        }
        std::string problem;
        auto times = model::parse_opening_times(*text, problem);
        if (!times) {
            reader.problem(reader.node(key), key, problem + " (it is \"" + *text + "\")");
            all_read = false;
            continue;
        }
        week[day] = *times;
        opens_some_day = opens_some_day || times->has_value();
    }
    // A misspelt day ("mon") is reported as such; it was meant to open the kiosk.
    if (reader.report_unknown_keys() || !all_read) {
        return;
    }
    if (!opens_some_day) {
        reader.section_problem("opens on no day, so the kiosk would never ask for feedback: give "
                               "at least one day, like monday = \"08:00-18:00\", or leave "
                               "[opening_hours] out to keep the kiosk open all the time");
        return;
    }
    settings.opening_hours = model::OpeningHours(week);
}

const toml::table* sub_table(const toml::table& root, const std::string& name,
                             const std::string& file, model::Problems& problems) {
    const toml::node* node = root.get(name);
    if (node == nullptr) {
        return nullptr;
    }
    if (!node->is_table()) {
        problems.push_back({file, place_of(*node, name), "must be a [" + name + "] section"});
        return nullptr;
    }
    return node->as_table();
}

} // namespace

SettingsLoad parse_settings(const std::string& toml_text, const std::string& source_name,
                            const std::filesystem::path& base_dir) {
    SettingsLoad load;
    toml::table root;
    try {
        root = toml::parse(toml_text, source_name);
    } catch (const toml::parse_error& error) {
        const auto& begin = error.source().begin;
        load.problems.push_back(
            {source_name,
             "line " + std::to_string(begin.line) + ", column " + std::to_string(begin.column),
             "not valid TOML: " + std::string(error.description())});
        return load;
    }

    Settings settings;
    settings.file = source_name;
    static const char* const sections[] = {"device",  "questionnaires", "storage",
                                           "session", "display",        "delivery",
                                           "paths",   "staff",          "opening_hours"};
    for (const auto& [key, value] : root) {
        std::string name(key.str());
        bool known = false;
        for (const char* section : sections) {
            known = known || name == section;
        }
        if (!known) {
            load.problems.push_back(
                {source_name, place_of(value, name),
                 "is not a known section (known: device, questionnaires, storage, session, "
                 "display, delivery, paths, staff, opening_hours)"});
        }
    }
    auto section = [&](const char* name) {
        return TableReader(sub_table(root, name, source_name, load.problems), name, source_name,
                           load.problems);
    };
    auto required = [&](const char* name) {
        if (root.get(name) == nullptr) {
            load.problems.push_back(
                {source_name, "", std::string("the [") + name + "] section is missing"});
        }
    };
    required("device");
    required("questionnaires");
    required("storage");
    required("delivery");
    read_device(section("device"), settings);
    read_questionnaires(section("questionnaires"), settings, base_dir);
    read_storage(section("storage"), settings, base_dir);
    read_paths(section("paths"), settings, base_dir);
    read_session(section("session"), settings);
    read_display(section("display"), settings, base_dir);
    if (root.get("delivery") != nullptr) {
        read_delivery(section("delivery"), settings, base_dir);
    }
    read_staff(section("staff"), settings);
    read_opening_hours(section("opening_hours"), settings);
    if (load.problems.empty()) {
        load.settings = std::move(settings);
    }
    return load;
}

SettingsLoad load_settings_file(const std::filesystem::path& path) {
    std::error_code folder_error;
    if (std::filesystem::is_directory(path, folder_error)) {
        // An ifstream opens a folder without complaint and reads nothing, which would be
        // reported as every required section missing.
        SettingsLoad load;
        load.problems.push_back(
            {path.string(), "", "cannot open the settings file: it is a folder, not a file"});
        return load;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        SettingsLoad load;
        std::error_code ignored;
        std::string why = std::filesystem::exists(path, ignored)
                              ? "it cannot be read (permissions?)"
                              : "there is no such file";
        load.problems.push_back({path.string(), "", "cannot open the settings file: " + why});
        return load;
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto base = std::filesystem::absolute(path).parent_path();
    auto load = parse_settings(text.str(), path.string(), base);
    if (load.settings) {
        load.settings->file = std::filesystem::absolute(path);
    }
    return load;
}

} // namespace kiosk::settings
