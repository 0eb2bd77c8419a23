// File: server/auth.h
//
// Bearer-token authorisation with two scopes: edit (EditModel, ListEditors)
// and admin (ReloadEditors, and everything edit allows). Tokens come from
// files, one per line (mounted secrets), and are compared in constant time.
// With no token files configured, every call is allowed (development); the
// health service is never authenticated (kubelet probes send no tokens).
// The client sends `authorization: Bearer <token>`.
//
// Thread-safe (immutable after construction).
#ifndef AMEND_SERVER_AUTH_H_
#define AMEND_SERVER_AUTH_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace amend::server {

enum class Scope { kEdit, kAdmin };

class TokenAuthenticator {
 public:
  // Empty paths mean no tokens of that scope. NotFound / InvalidArgument when
  // a file cannot be read or holds no token.
  static absl::StatusOr<TokenAuthenticator> FromFiles(
      const std::string& edit_tokens_path,
      const std::string& admin_tokens_path);
  TokenAuthenticator(std::vector<std::string> edit_tokens,
                     std::vector<std::string> admin_tokens);

  bool enabled() const { return !edit_.empty() || !admin_.empty(); }

  // `authorization` is the value of the authorization header (empty when
  // absent). Unauthenticated when missing or unknown, PermissionDenied when
  // an edit token asks for the admin scope.
  absl::Status Check(absl::string_view authorization, Scope scope) const;

 private:
  std::vector<std::string> edit_, admin_;
};

}  // namespace amend::server

#endif  // AMEND_SERVER_AUTH_H_
