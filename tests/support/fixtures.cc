#include "support/fixtures.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace tfport::testing {

std::filesystem::path FixturesRoot() {
  if (const char* env = std::getenv("TFPORT_FIXTURES"); env && *env) return env;
  return TFPORT_DEFAULT_FIXTURES;
}

std::filesystem::path FixturePath(const std::string& relative) {
  return FixturesRoot() / relative;
}

std::vector<std::filesystem::path> FixtureFiles(const std::string& id) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(FixturePath(id), ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file()) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string ReadFileOrDie(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return {};
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace tfport::testing
