#pragma once
// A problem found in an input file: which file, where in it, and what is wrong.
// Errors are values with context so that IT staff can fix the file without reading code.

#include <string>
#include <vector>

namespace kiosk::model {

struct Problem {
    std::string file; // path as given to the loader
    std::string
        place;        // JSON pointer ("/item/2/type"), "line 4, column 7", or "" for the whole file
    std::string what; // plain words: what is wrong and, where it helps, what is allowed

    // "config/q.json at /item/2/type: item type 'date' is not supported (use one of: ...)"
    std::string to_string() const;
};

using Problems = std::vector<Problem>;

} // namespace kiosk::model
