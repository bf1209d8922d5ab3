#pragma once
// static_files: the browser client under web/, read once at startup and served from memory.
// Only files found then exist: no request path, encoded or not, can reach outside web/, and no
// disk I/O happens on an io thread. Read-only after construction; thread-safe.
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace troupe {

class static_files {
 public:
  struct file {
    std::string content;
    std::string content_type;
  };

  // Loads every regular file below `root` (a missing root serves nothing, and is logged).
  explicit static_files(const std::filesystem::path& root);

  // The file for a request path ("/" is "/index.html"); null if there is none.
  const file* find(std::string_view path) const;
  std::size_t size() const noexcept { return files_.size(); }

  static std::string_view content_type_for(std::string_view extension) noexcept;

 private:
  std::map<std::string, file, std::less<>> files_;  // by URL path, e.g. "/app.js"
};

}  // namespace troupe
