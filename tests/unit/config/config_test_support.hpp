#pragma once
// Helpers for the config tests: argv from strings, an environment from a map, temporary files.
#include "config/load_config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace troupe::test {

using environment = std::map<std::string, std::string>;

// load_config with these arguments (after the program name) and this environment only.
inline config load(std::vector<std::string> args, const environment& env = {}) {
  args.insert(args.begin(), "troupe");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return load_config(static_cast<int>(args.size()), argv.data(), [&env](const char* name) {
    auto it = env.find(name);
    return it == env.end() ? static_cast<const char*>(nullptr) : it->second.c_str();
  });
}

// The config_error message load() throws, or a test failure if it throws none.
inline std::string load_error(std::vector<std::string> args, const environment& env = {}) {
  try {
    load(std::move(args), env);
  } catch (const config_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no config_error";
  return {};
}

// A file that exists for the life of the object, named after the running test.
class temp_file {
 public:
  explicit temp_file(const std::string& content, const std::string& suffix = ".json") {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::path(::testing::TempDir()) /
            (std::string("troupe_") + info->test_suite_name() + "_" + info->name() + suffix);
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~temp_file() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;

  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace troupe::test
