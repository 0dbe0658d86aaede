#include "support/cli.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/temp_dir.h"

namespace tfport::testing {

CliRun RunTfport(const std::string& args) {
  const char* cli = std::getenv("TFPORT_CLI");
  std::string bin = cli ? cli : TFPORT_BINARY_DIR "/tfport";
  TempDir tmp;
  std::string err_path = tmp.Join("stderr");
  std::string cmd = "'" + bin + "' " + args + " 2>'" + err_path + "'";
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = ReadFileOrDie(err_path);
  return r;
}

std::string Quote(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

rapidjson::Document ParseJson(const std::string& text) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseNanAndInfFlag>(text.c_str());
  EXPECT_FALSE(d.HasParseError()) << text;
  return d;
}

const rapidjson::Value* FindByName(const rapidjson::Value& array, const char* name) {
  for (const auto& v : array.GetArray())
    if (v.HasMember("name") && std::string(v["name"].GetString()) == name) return &v;
  return nullptr;
}

}  // namespace tfport::testing
