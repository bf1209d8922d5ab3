#include "server/static_files.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

namespace troupe {

static_files::static_files(const std::filesystem::path& root) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) {
    spdlog::warn("web root '{}' is not a directory; no static files will be served", root.string());
    return;
  }
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    std::string url = "/";  // appended, not "/" + ...: GCC 12 warns falsely (-Wrestrict) on that
    url += std::filesystem::relative(it->path(), root).generic_string();
    files_.emplace(std::move(url), file{body.str(), std::string(content_type_for(it->path().extension().string()))});
  }
  spdlog::info("serving {} static file(s) from '{}'", files_.size(), root.string());
}

const static_files::file* static_files::find(std::string_view path) const {
  if (path == "/") path = "/index.html";
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

std::string_view static_files::content_type_for(std::string_view ext) noexcept {
  if (ext == ".html" || ext == ".htm") return "text/html; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".gif") return "image/gif";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".webp") return "image/webp";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt" || ext == ".md") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace troupe
