#include "collector/config.hpp"

#include <toml++/toml.h>

#include <fstream>
#include <set>
#include <sstream>

namespace kiosk::collector {

namespace {

// Collects every problem of one file, so a person fixes them in one go rather than one per run.
class Problems {
public:
    explicit Problems(std::string file) : file_(std::move(file)) {}

    void add(const std::string& key, const toml::node* at, const std::string& what) {
        std::string line = file_ + ": '" + key + "'";
        if (at != nullptr && at->source().begin.line > 0) {
            line += " (line " + std::to_string(at->source().begin.line) + ", column " +
                    std::to_string(at->source().begin.column) + ")";
        }
        line += " " + what;
        lines_.push_back(std::move(line));
    }

    bool empty() const { return lines_.empty(); }

    std::string text() const {
        std::string all;
        for (const auto& line : lines_) {
            if (!all.empty()) {
                all += '\n';
            }
            all += line;
        }
        return all;
    }

private:
    std::string file_;
    std::vector<std::string> lines_;
};

// One [table]: remembers which keys were read, so the others are reported as unknown (a typo in
// a key must not silently fall back to a default).
class Table {
public:
    Table(const toml::table& root, std::string name, Problems& problems)
        : name_(std::move(name)), problems_(problems) {
        const toml::node* node = root.get(name_);
        if (node != nullptr && !node->is_table()) {
            problems_.add(name_, node, "must be a table ([" + name_ + "])");
        } else if (node != nullptr) {
            table_ = node->as_table();
        }
    }

    std::string key(const std::string& k) const { return name_ + "." + k; }

    const toml::node* get(const std::string& k) {
        known_.insert(k);
        return table_ == nullptr ? nullptr : table_->get(k);
    }

    void missing(const std::string& k) {
        problems_.add(key(k), nullptr, "is required but missing");
    }

    std::optional<std::string> text(const std::string& k, bool required) {
        const toml::node* node = get(k);
        if (node == nullptr) {
            if (required) {
                missing(k);
            }
            return std::nullopt;
        }
        if (!node->is_string()) {
            problems_.add(key(k), node, "must be text in quotes");
            return std::nullopt;
        }
        return node->value<std::string>();
    }

    std::optional<std::int64_t> integer(const std::string& k, std::int64_t low, std::int64_t high) {
        const toml::node* node = get(k);
        if (node == nullptr) {
            return std::nullopt;
        }
        if (!node->is_integer()) {
            problems_.add(key(k), node, "must be a whole number");
            return std::nullopt;
        }
        const std::int64_t number = *node->value<std::int64_t>();
        if (number < low || number > high) {
            problems_.add(key(k), node,
                          "must be from " + std::to_string(low) + " to " + std::to_string(high) +
                              " (it is " + std::to_string(number) + ")");
            return std::nullopt;
        }
        return number;
    }

    void report_unknown_keys() {
        if (table_ == nullptr) {
            return;
        }
        for (const auto& [k, node] : *table_) {
            if (!known_.count(std::string(k.str()))) {
                problems_.add(key(std::string(k.str())), &node, "is not a known key");
            }
        }
    }

    bool present() const { return table_ != nullptr; }

private:
    std::string name_;
    Problems& problems_;
    const toml::table* table_ = nullptr;
    std::set<std::string> known_;
};

std::filesystem::path resolve(const std::filesystem::path& base, const std::string& value) {
    const std::filesystem::path path(value);
    return path.is_absolute() ? path : base / path;
}

} // namespace

Result<std::string> normalize_base_path(std::string_view path) {
    std::string normal(path);
    while (!normal.empty() && normal.back() == '/') {
        normal.pop_back();
    }
    if (normal.empty()) {
        return normal;
    }
    if (normal.front() != '/') {
        return Error{"must start with '/' (for example \"/fhir\")"};
    }
    for (std::size_t i = 0; i < normal.size(); ++i) {
        const char c = normal[i];
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '/' || c == '-' || c == '_' || c == '.';
        if (!plain) {
            return Error{"may hold only letters, digits, '/', '-', '_' and '.'"};
        }
        if (c == '/' && i + 1 < normal.size() && normal[i + 1] == '/') {
            return Error{"must not contain '//'"};
        }
    }
    return normal;
}

Result<Config> parse_config(std::string_view toml_text, const std::filesystem::path& file) {
    const std::string name = file.string();
    toml::table root;
    try {
        root = toml::parse(toml_text, name);
    } catch (const toml::parse_error& error) {
        const auto& where = error.source().begin;
        return Error{name + ": line " + std::to_string(where.line) + ", column " +
                     std::to_string(where.column) + ": " + std::string(error.description())};
    }

    Problems problems(name);
    std::error_code ignored;
    const std::filesystem::path absolute = std::filesystem::absolute(file, ignored);
    const std::filesystem::path base = (absolute.empty() ? file : absolute).parent_path();
    Config config;
    config.file = file;

    for (const auto& [k, node] : root) {
        static const std::set<std::string> tables = {"server", "tls", "storage", "questionnaires"};
        if (!tables.count(std::string(k.str()))) {
            problems.add(std::string(k.str()), &node,
                         "is not a known table (expected server, tls, storage, questionnaires)");
        }
    }

    Table server(root, "server", problems);
    if (auto address = server.text("listen_address", false)) {
        if (address->empty()) {
            problems.add(server.key("listen_address"), server.get("listen_address"),
                         "must not be empty (use \"127.0.0.1\", \"0.0.0.0\" or an address)");
        } else {
            config.listen_address = *address;
        }
    }
    if (auto port = server.integer("port", 0, 65535)) {
        config.port = static_cast<int>(*port);
    }
    if (auto path = server.text("base_path", false)) {
        auto normal = normalize_base_path(*path);
        if (auto* error = std::get_if<Error>(&normal)) {
            problems.add(server.key("base_path"), server.get("base_path"), error->message);
        } else {
            config.base_path = std::get<std::string>(normal);
        }
    }
    if (auto bytes = server.integer("max_request_bytes", 1024, 256LL * 1024 * 1024)) {
        config.max_request_bytes = static_cast<std::size_t>(*bytes);
    }
    server.report_unknown_keys();

    Table tls(root, "tls", problems);
    if (auto value = tls.text("certificate", true)) {
        config.certificate = resolve(base, *value);
    }
    if (auto value = tls.text("private_key", true)) {
        config.private_key = resolve(base, *value);
    }
    if (auto value = tls.text("client_ca", false); value && !value->empty()) {
        config.client_ca = resolve(base, *value);
    }
    tls.report_unknown_keys();

    Table storage(root, "storage", problems);
    if (auto value = storage.text("database", true)) {
        if (value->empty()) {
            problems.add(storage.key("database"), storage.get("database"),
                         "must name a database file");
        } else {
            config.database = resolve(base, *value);
        }
    }
    storage.report_unknown_keys();

    Table questionnaires(root, "questionnaires", problems);
    if (const toml::node* files = questionnaires.get("files"); files == nullptr) {
        questionnaires.missing("files");
    } else if (!files->is_array()) {
        problems.add(
            questionnaires.key("files"), files,
            "must be a list of Questionnaire JSON files, e.g. [\"questionnaires/fft.json\"]");
    } else {
        const auto& list = *files->as_array();
        for (std::size_t i = 0; i < list.size(); ++i) {
            const toml::node& item = list[i];
            if (!item.is_string() || item.value<std::string>()->empty()) {
                problems.add(questionnaires.key("files") + "[" + std::to_string(i) + "]", &item,
                             "must be the path of a Questionnaire JSON file in quotes");
                continue;
            }
            config.questionnaires.push_back(resolve(base, *item.value<std::string>()));
        }
        if (list.empty()) {
            problems.add(questionnaires.key("files"), files,
                         "must list at least one Questionnaire: responses are checked "
                         "against them");
        }
    }
    questionnaires.report_unknown_keys();

    if (!problems.empty()) {
        return Error{problems.text()};
    }
    return config;
}

Result<Config> load_config(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return Error{file.string() + ": cannot read the configuration file (" +
                     (std::filesystem::exists(file) ? "permission denied?" : "no such file") + ")"};
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_config(text.str(), file);
}

} // namespace kiosk::collector
