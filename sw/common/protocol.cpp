#include "common/protocol.h"

namespace sta {

namespace sp = spec;

namespace {

const sp::SyncEntry* sync_entry(sp::Opcode op) {
  for (const sp::SyncEntry& e : sp::kSync)
    if (e.op == op) return &e;
  return nullptr;
}

uint32_t param_value(const HwConfig& hw, const char* key) {
  const std::string k = key;
#define STA_HW_PARAM_VALUE(name, sv, csr, d) \
  if (k == #name) return hw.name;
  STA_HW_PARAMS(STA_HW_PARAM_VALUE)
#undef STA_HW_PARAM_VALUE
  return 0;
}

uint32_t log2_floor(uint32_t v) {
  uint32_t b = 0;
  while ((2u << b) <= v) ++b;
  return b;
}

}  // namespace

SyncEffect sync_effect(const Instr& in) {
  SyncEffect e;
  const sp::OpInfo* info = op_info(in.get(sp::kFOpcode));
  if (!info) return e;
  e.unit = info->unit;
  const sp::SyncEntry* s = sync_entry(info->op);
  if (!s) return e;
  uint32_t any = 0;
  for (size_t k = 0; k < s->count; ++k) {
    const sp::SyncOperand& x = s->operands[k];
    bool present = true;
    for (uint32_t w = 0; w < x.when_count; ++w)
      if ((in.get(x.when[w]) != 0) == x.when_neg[w]) present = false;
    if (!present) continue;
    const uint32_t idx = in.get(x.index) & ((1u << x.index_bits) - 1u);
    const uint32_t m = 1u << (static_cast<uint32_t>(x.buf) + idx);
    if (any & m) e.dup = true;
    any |= m;
    const bool act = x.always || in.get(x.cond) != 0;
    if (x.role == sp::Role::kProduce) {
      e.wait_empty |= m;
      if (act) e.set |= m;
    } else {
      e.wait_full |= m;
      if (act) e.clr |= m;
    }
  }
  return e;
}

const char* flag_name(uint32_t f) { return f < sp::kNumFlags ? sp::kFlagNames[f] : "?"; }

std::string flag_list(uint32_t mask) {
  std::string s;
  for (uint32_t f = 0; f < sp::kNumFlags; ++f)
    if ((mask >> f) & 1u) s += (s.empty() ? "" : ", ") + std::string(flag_name(f));
  return s;
}

std::string SyncModel::blocked(const SyncEffect& e) const {
  for (uint32_t f = 0; f < sp::kNumFlags; ++f) {
    const uint32_t m = 1u << f;
    if ((e.wait_full & m) && !(full_ & m)) return std::string("waits for ") + flag_name(f) + " to be full";
    if ((e.wait_empty & m) && (full_ & m)) return std::string("waits for ") + flag_name(f) + " to be empty";
  }
  return "";
}

sp::ErrCause check_instr(const Instr& in, const HwConfig& hw, std::string* why) {
  const uint32_t opcode = in.get(sp::kFOpcode);
  const sp::OpInfo* info = op_info(opcode);
  if (!info) {
    if (why) *why = "unknown opcode " + std::to_string(opcode);
    return sp::ErrCause::kIllegalOp;
  }
  for (const sp::Check& c : sp::kChecks) {
    if (c.op != info->op) continue;
    const uint64_t v = in.get(c.field);
    bool bad = false;
    std::string rule;
    switch (c.kind) {
      case sp::CheckKind::kNonzero:
        bad = v == 0;
        rule = "must not be 0";
        break;
      case sp::CheckKind::kAligned:
        bad = v % hw.bus_bytes != 0;
        rule = "must be a multiple of bus_bytes " + std::to_string(hw.bus_bytes);
        break;
      case sp::CheckKind::kMaxParam: {
        const uint32_t p = param_value(hw, c.param);
        bad = v > p;
        rule = "must be at most " + std::string(c.param) + " = " + std::to_string(p);
        break;
      }
      case sp::CheckKind::kMaxField: {
        const uint64_t o = in.get(c.other);
        bad = v > o;
        rule = "must be at most " + std::string(c.other.name) + " = " + std::to_string(o);
        break;
      }
      case sp::CheckKind::kMaxPow2: {
        const uint64_t o = uint64_t(1) << in.get(c.other);
        bad = v > o;
        rule = "must be at most 2^" + std::string(c.other.name) + " = " + std::to_string(o);
        break;
      }
      case sp::CheckKind::kMaxLog2Param: {
        const uint32_t p = log2_floor(param_value(hw, c.param));
        bad = v > p;
        rule = "must be at most log2(" + std::string(c.param) + ") = " + std::to_string(p);
        break;
      }
      case sp::CheckKind::kRequires:
        bad = v != 0 && in.get(c.other) == 0;
        rule = "needs " + std::string(c.other.name);
        break;
      case sp::CheckKind::kExcludes:
        bad = v != 0 && in.get(c.other) != 0;
        rule = "excludes " + std::string(c.other.name);
        break;
    }
    if (bad) {
      if (why) *why = std::string(info->name) + " " + c.field.name + " = " + std::to_string(v) + " " + rule;
      return c.cause;
    }
  }
  const SyncEffect e = sync_effect(in);
  if (e.dup) {
    if (why) *why = std::string(info->name) + " names one buffer slot or half twice";
    return sp::ErrCause::kBadFields;
  }
  return sp::ErrCause::kNone;
}

}  // namespace sta
