// ServiceNotify against a real AF_UNIX datagram socket made by the test, standing in for the
// service manager: what arrives, when the watchdog pings, and when it stays quiet.

#include "notify_listener.hpp"
#include "platform/service_notify.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

using kiosk::platform::ServiceEnvironment;
using kiosk::platform::ServiceNotify;
using kiosk::test::NotifyListener;
using kiosk::testing::ScopedTempDir;
using namespace std::chrono_literals;

namespace {

ServiceEnvironment environment_for(const std::string& socket) {
    ServiceEnvironment environment;
    environment.notify_socket = socket;
    environment.own_pid = ::getpid();
    return environment;
}

// Each message the kiosk sends arrives as one datagram, byte for byte.
void check_messages_arrive(NotifyListener& listener) {
    ServiceNotify notify(environment_for(listener.name()));
    REQUIRE(notify.enabled());
    CHECK(notify.problem().empty());

    CHECK_FALSE(notify.ready("taking responses: Friends and Family Test, Eye clinic"));
    CHECK(listener.receive(2s) == "READY=1\nSTATUS=taking responses: Friends and Family Test, "
                                  "Eye clinic");
    CHECK_FALSE(notify.status("paused by staff: Friends and Family Test, Eye clinic"));
    CHECK(listener.receive(2s) == "STATUS=paused by staff: Friends and Family Test, Eye clinic");
    CHECK_FALSE(notify.send("WATCHDOG=1"));
    CHECK(listener.receive(2s) == "WATCHDOG=1");
    CHECK_FALSE(notify.stopping());
    CHECK(listener.receive(2s) == "STOPPING=1");
    CHECK_FALSE(listener.receive(50ms)); // nothing more than was sent
}

} // namespace

TEST_CASE("messages reach a service manager listening on a socket path") {
    ScopedTempDir dir;
    NotifyListener listener((dir.path() / "notify").string());
    check_messages_arrive(listener);
}

TEST_CASE("messages reach a service manager listening on an abstract socket") {
    NotifyListener listener(NotifyListener::unique_abstract_name());
    check_messages_arrive(listener);
}

TEST_CASE("a status line cannot add a line of its own") {
    ScopedTempDir dir;
    NotifyListener listener((dir.path() / "notify").string());
    ServiceNotify notify(environment_for(listener.name()));
    // A reason taken from a settings problem could hold a line break; "READY=1" must not be
    // forged by it.
    CHECK_FALSE(notify.status("out of service: line one\nREADY=1\r\n"));
    CHECK(listener.receive(2s) == "STATUS=out of service: line one READY=1  ");
}

TEST_CASE("without NOTIFY_SOCKET everything does nothing") {
    ServiceEnvironment environment;
    environment.watchdog_usec = "400000"; // ignored: nobody to ping
    environment.own_pid = ::getpid();
    ServiceNotify notify(environment);
    CHECK_FALSE(notify.enabled());
    CHECK(notify.problem().empty());
    CHECK_FALSE(notify.ready("taking responses"));
    CHECK_FALSE(notify.status("taking responses"));
    CHECK_FALSE(notify.stopping());
    CHECK_FALSE(notify.watchdog_timeout());
    CHECK_FALSE(notify.next_ping());
    CHECK_FALSE(notify.keep_alive(ServiceNotify::Clock::now() + 1h));

    environment.notify_socket = ""; // set but empty: the same
    ServiceNotify empty(environment);
    CHECK_FALSE(empty.enabled());
    CHECK(empty.problem().empty());
}

TEST_CASE("the watchdog interval comes from WATCHDOG_USEC and pings go out at half of it") {
    ScopedTempDir dir;
    NotifyListener listener((dir.path() / "notify").string());
    auto environment = environment_for(listener.name());
    environment.watchdog_usec = "400000";
    auto start = ServiceNotify::Clock::now();
    ServiceNotify notify(environment, start);
    REQUIRE(notify.watchdog_timeout() == 400ms);
    REQUIRE(notify.next_ping() == start + 200ms);

    // Woken a moment after the last ping: no ping yet.
    CHECK_FALSE(notify.keep_alive(start + 10ms));
    CHECK_FALSE(listener.receive(50ms));
    CHECK(notify.next_ping() == start + 200ms);

    // Woken when due: one ping, and the next is half the timeout after it.
    CHECK_FALSE(notify.keep_alive(start + 200ms));
    CHECK(listener.receive(2s) == "WATCHDOG=1");
    CHECK(notify.next_ping() == start + 400ms);

    // Awake anyway (a tap) once an eighth of the timeout has passed: pinged early, so that
    // long work right after this wake-up cannot make the service manager give up.
    CHECK_FALSE(notify.keep_alive(start + 260ms));
    CHECK(listener.receive(2s) == "WATCHDOG=1");
    CHECK(notify.next_ping() == start + 460ms);
    CHECK_FALSE(notify.keep_alive(start + 300ms)); // only 40 ms later: quiet
    CHECK_FALSE(listener.receive(50ms));
}

TEST_CASE("WATCHDOG_PID decides whose watchdog it is") {
    ScopedTempDir dir;
    NotifyListener listener((dir.path() / "notify").string());
    auto environment = environment_for(listener.name());
    environment.watchdog_usec = "30000000";

    SECTION("this process: watched") {
        environment.watchdog_pid = std::to_string(::getpid());
        ServiceNotify notify(environment);
        CHECK(notify.watchdog_timeout() == 30s);
    }
    SECTION("unset: watched") {
        ServiceNotify notify(environment);
        CHECK(notify.watchdog_timeout() == 30s);
    }
    SECTION("another process (a child that inherited the environment): no pings") {
        environment.watchdog_pid = std::to_string(::getpid() + 1);
        auto start = ServiceNotify::Clock::now();
        ServiceNotify notify(environment, start);
        CHECK_FALSE(notify.watchdog_timeout());
        CHECK_FALSE(notify.next_ping());
        CHECK_FALSE(notify.keep_alive(start + 1h));
        CHECK_FALSE(listener.receive(50ms));
        // The other messages still go: only the watchdog belongs to one process.
        CHECK_FALSE(notify.ready("taking responses"));
        CHECK(listener.receive(2s) == "READY=1\nSTATUS=taking responses");
    }
    SECTION("not a number: no pings") {
        environment.watchdog_pid = "12x";
        ServiceNotify notify(environment);
        CHECK_FALSE(notify.watchdog_timeout());
    }
}

TEST_CASE("settings the service manager would never write are reported, not guessed at") {
    ScopedTempDir dir;
    NotifyListener listener((dir.path() / "notify").string());

    SECTION("WATCHDOG_USEC that is not a number") {
        auto environment = environment_for(listener.name());
        environment.watchdog_usec = "30s";
        ServiceNotify notify(environment);
        CHECK(notify.enabled());
        CHECK_FALSE(notify.watchdog_timeout());
        CHECK(notify.problem().find("WATCHDOG_USEC") != std::string::npos);
    }
    SECTION("WATCHDOG_USEC of zero") {
        auto environment = environment_for(listener.name());
        environment.watchdog_usec = "0";
        ServiceNotify notify(environment);
        CHECK_FALSE(notify.watchdog_timeout());
        CHECK_FALSE(notify.problem().empty());
    }
    SECTION("a relative path") {
        ServiceNotify notify(environment_for("run/notify"));
        CHECK_FALSE(notify.enabled());
        CHECK(notify.problem().find("NOTIFY_SOCKET") != std::string::npos);
    }
    SECTION("a path longer than a socket address holds") {
        ServiceNotify notify(environment_for("/" + std::string(200, 'x')));
        CHECK_FALSE(notify.enabled());
        CHECK_FALSE(notify.problem().empty());
    }
}

TEST_CASE("a service manager that has gone is a problem in words, not a crash") {
    ScopedTempDir dir;
    ServiceNotify notify(environment_for((dir.path() / "nobody-listens").string()));
    REQUIRE(notify.enabled());
    auto problem = notify.ready("taking responses");
    REQUIRE(problem);
    CHECK(problem->find("cannot tell the service manager") != std::string::npos);
}

TEST_CASE("the environment is read from this process") {
    auto environment = ServiceEnvironment::of_this_process();
    CHECK(environment.own_pid == ::getpid());
    CHECK(environment.notify_socket.has_value() == (std::getenv("NOTIFY_SOCKET") != nullptr));
}
