#include "app/delivery_setup.hpp"

namespace kiosk::app {

std::variant<delivery::DeliverySettings, std::string>
delivery_settings_from(const settings::Settings& settings) {
    const auto& from = settings.delivery;
    delivery::DeliverySettings out;
    auto& transport = out.transport;
    transport.endpoint = from.endpoint;
    transport.ca_file = from.ca_file;
    transport.pinned_public_keys = from.pinned_public_keys;
    transport.client_certificate = from.client_certificate;
    transport.client_key = from.client_key;
    transport.proxy = from.proxy;
    transport.connect_timeout = from.connect_timeout;
    transport.total_timeout = from.total_timeout;
    transport.low_speed_bytes_per_second = from.low_speed_bytes_per_second;
    transport.low_speed_time = from.low_speed_time;
    transport.reply_max_bytes = from.reply_max_bytes;
    transport.user_agent = "ward-feedback-kiosk/" + settings.device.id;
    if (!from.token_file.empty()) {
        auto token = delivery::read_token_file(from.token_file);
        if (token.index() == 1) {
            return std::get<1>(token);
        }
        transport.bearer_token = std::get<0>(token);
    }
    out.retry_base = from.retry_base;
    out.retry_cap = from.retry_cap;
    out.batch_max_entries = from.batch_max_entries;
    out.batch_max_bytes = from.batch_max_bytes;
    out.retention_days = from.retention_days;
    return out;
}

} // namespace kiosk::app
