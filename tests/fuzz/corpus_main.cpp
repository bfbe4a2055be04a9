// Runs a fuzz target over its corpus without libFuzzer, so `make test` replays every seed and
// every past crash with the ordinary compilers (gcc, and gcc with ASan/UBSan).
//
//   fuzz_corpus_<target> <corpus directory>
//
// Each file's name is printed before it runs: when a sanitizer or an invariant check stops the
// program, the last name printed is the input that did it.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> corpus_files(const fs::path& dir) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (entry.is_regular_file()) {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <corpus directory>\n", argc > 0 ? argv[0] : "fuzz_corpus");
        return 2;
    }
    const fs::path dir = argv[1];
    std::error_code error;
    if (!fs::is_directory(dir, error)) {
        std::fprintf(stderr, "%s: not a directory\n", dir.c_str());
        return 1;
    }
    const auto files = corpus_files(dir);
    // An empty corpus would make this test pass while testing nothing.
    if (files.empty()) {
        std::fprintf(stderr, "%s: no corpus files\n", dir.c_str());
        return 1;
    }
    for (const auto& file : files) {
        std::printf("%s\n", file.c_str());
        std::fflush(stdout);
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "%s: cannot read\n", file.c_str());
            return 1;
        }
        const std::vector<char> bytes{std::istreambuf_iterator<char>(in),
                                      std::istreambuf_iterator<char>()};
        // A heap copy of exactly the input's size, as libFuzzer gives it, so AddressSanitizer
        // sees a read past the end.
        const auto input = std::make_unique<std::uint8_t[]>(bytes.size());
        std::copy(bytes.begin(), bytes.end(), input.get());
        LLVMFuzzerTestOneInput(input.get(), bytes.size());
    }
    std::printf("%zu inputs ran\n", files.size());
    return 0;
}
