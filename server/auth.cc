#include "server/auth.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/util/file_io.h"
#include "core/util/status_macros.h"

namespace amend::server {
namespace {

constexpr uint64_t kMaxTokenFileBytes = 1 << 20;

// Compares every byte whatever the first difference, so the time taken says
// nothing about how much of a guess was right.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  unsigned char difference = a.size() == b.size() ? 0 : 1;
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? a[i] : 0;
    const unsigned char y = i < b.size() ? b[i] : 0;
    difference |= x ^ y;
  }
  return difference == 0;
}

bool Contains(const std::vector<std::string>& tokens, absl::string_view token) {
  bool found = false;
  for (const std::string& candidate : tokens) {
    found |= ConstantTimeEquals(candidate, token);
  }
  return found;
}

absl::StatusOr<std::vector<std::string>> ReadTokens(const std::string& path) {
  std::vector<std::string> tokens;
  if (path.empty()) return tokens;
  AMEND_ASSIGN_OR_RETURN(const std::string text,
                         ReadFileToString(path, kMaxTokenFileBytes));
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (!line.empty() && line[0] != '#') tokens.emplace_back(line);
  }
  if (tokens.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": holds no token (one per line)"));
  }
  return tokens;
}

}  // namespace

absl::StatusOr<TokenAuthenticator> TokenAuthenticator::FromFiles(
    const std::string& edit_tokens_path, const std::string& admin_tokens_path) {
  AMEND_ASSIGN_OR_RETURN(std::vector<std::string> edit,
                         ReadTokens(edit_tokens_path));
  AMEND_ASSIGN_OR_RETURN(std::vector<std::string> admin,
                         ReadTokens(admin_tokens_path));
  return TokenAuthenticator(std::move(edit), std::move(admin));
}

TokenAuthenticator::TokenAuthenticator(std::vector<std::string> edit_tokens,
                                       std::vector<std::string> admin_tokens)
    : edit_(std::move(edit_tokens)), admin_(std::move(admin_tokens)) {}

absl::Status TokenAuthenticator::Check(absl::string_view authorization,
                                       Scope scope) const {
  if (!enabled()) return absl::OkStatus();
  constexpr absl::string_view kBearer = "Bearer ";
  if (!absl::StartsWith(authorization, kBearer)) {
    return absl::UnauthenticatedError(
        "authorization: send the header \"authorization: Bearer <token>\"");
  }
  const absl::string_view token = authorization.substr(kBearer.size());
  if (Contains(admin_, token)) return absl::OkStatus();
  if (Contains(edit_, token)) {
    if (scope == Scope::kEdit) return absl::OkStatus();
    return absl::PermissionDeniedError(
        "authorization: this call needs an admin token");
  }
  return absl::UnauthenticatedError("authorization: unknown token");
}

}  // namespace amend::server
