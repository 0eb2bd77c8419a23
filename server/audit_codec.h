// File: server/audit_codec.h
//
// The audit rows an EditModel request may carry (amend.v1.AuditData), as the
// AuditSet core/audit measures on, and the measurement back into the reply.
// Decoded and checked before any compute, so a bad audit costs no edit.
//
// Thread-safe (pure functions).
#ifndef AMEND_SERVER_AUDIT_CODEC_H_
#define AMEND_SERVER_AUDIT_CODEC_H_

#include "absl/status/statusor.h"
#include "amend/v1/editor.pb.h"
#include "core/audit/audit_set.h"
#include "core/audit/certify.h"

namespace amend::server {

// InvalidArgument naming the field ("audit.features: shape is [3, 13],
// expected [rows, 14]", "audit.labels[3]: ...", "audit.groups: 70 distinct
// groups, at most 64"). Groups are ordered as core/audit/audit_set.h orders a
// CSV's.
absl::StatusOr<AuditSet> DecodeAudit(const amend::v1::AuditData& audit,
                                     int64_t input_dim, int64_t num_classes);

// REQUIRES: certification.against_original is set.
void DescribeAudit(const Certification& certification,
                   amend::v1::AuditResult* out);

}  // namespace amend::server

#endif  // AMEND_SERVER_AUDIT_CODEC_H_
