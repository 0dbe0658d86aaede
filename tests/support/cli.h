// Test support: running the real `tfport` executable and reading its JSON.
#pragma once

#include <rapidjson/document.h>

#include <filesystem>
#include <string>

namespace tfport::testing {

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

// Runs `tfport <args>` (args are passed to the shell as written; quote
// paths with Quote()). The binary is $TFPORT_CLI, else the build tree's.
CliRun RunTfport(const std::string& args);

// Single-quoted for the shell.
std::string Quote(const std::filesystem::path& p);

// Parses JSON, recording a test failure when it does not parse.
rapidjson::Document ParseJson(const std::string& text);

// The element of a JSON array whose "name" member equals `name`, or nullptr.
const rapidjson::Value* FindByName(const rapidjson::Value& array, const char* name);

}  // namespace tfport::testing
