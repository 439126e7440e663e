#include "compress/compress_run.h"

#include "compress/encoder_file.h"
#include "compress/model_file.h"
#include "io/hf_model.h"

#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace sta {

namespace {

bool same(const CompressedModel& a, const CompressedModel& b) {
  if (a.model_json != b.model_json || a.linears.size() != b.linears.size() || a.others.size() != b.others.size()) return false;
  for (size_t i = 0; i < a.linears.size(); ++i) {
    const CompressedLinear &x = a.linears[i], &y = b.linears[i];
    if (x.name != y.name || x.w.rows != y.w.rows || x.w.cols != y.w.cols || x.w.pattern.n != y.w.pattern.n ||
        x.w.pattern.m != y.w.pattern.m || x.w.values != y.w.values || x.w.idx != y.w.idx || x.scale != y.scale ||
        x.bias != y.bias)
      return false;
  }
  for (size_t i = 0; i < a.others.size(); ++i)
    if (a.others[i].name != b.others[i].name || a.others[i].data != b.others[i].data || a.others[i].shape != b.others[i].shape)
      return false;
  return true;
}

// Writes m to out, checks that it loads back identically, returns the size report.
nlohmann::json write_and_report(const CompressedModel& m, const std::string& in, const std::string& out) {
  const st::File f = compressed_to_file(m);
  const std::vector<uint8_t> bytes = st::st_serialize(f);
  st::st_write(out, f);
  const CompressedModel back = load_compressed(out);
  if (!same(m, back)) throw std::runtime_error("internal error: compressed model does not load back identically");
  const SizeReport s = compressed_size(m, f, bytes.size());
  nlohmann::json r;
  r["in"] = in;
  r["out"] = out;
  r["file_bytes"] = s.file_bytes;
  r["payload_bytes"] = s.payload_bytes;
  r["dense_fp32_bytes"] = s.dense_fp32_bytes;
  r["dense_int8_bytes"] = s.dense_int8_bytes;
  r["ratio_vs_fp32"] = double(s.dense_fp32_bytes) / double(s.payload_bytes);
  r["ratio_vs_int8"] = double(s.dense_int8_bytes) / double(s.payload_bytes);
  r["linear_weights"] = s.linear_weights;
  r["sparse_weights"] = s.sparse_weights;
  r["sparse_bits_per_weight"] = s.sparse_bits_per_weight();
  r["theory_bits_per_weight"] = s.theory_bits_per_weight();
  nlohmann::json layers = nlohmann::json::array();
  for (const CompressedLinear& l : m.linears) {
    const uint64_t bits = nm_format_weight_bits(l.w.rows, l.w.cols, l.w.pattern);
    layers.push_back({{"name", l.name}, {"pattern", l.w.pattern.str()}, {"rows", l.w.rows}, {"cols", l.w.cols},
                      {"bits_per_weight", double(bits) / double(l.w.rows * l.w.cols)}});
  }
  r["layers"] = layers;
  return r;
}

}  // namespace

nlohmann::json compress_file(const std::string& in, const std::string& out) {
  const st::File ckpt = st::st_read(in);
  return write_and_report(compress_checkpoint(ckpt), in, out);
}

nlohmann::json compress_encoder_dir(const std::string& dir, const std::string& nm, const std::string& out) {
  NmPattern p;
  try {
    p = nm_parse(nm);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(std::string("--nm: ") + e.what());
  }
  if (p.m > 255) throw std::runtime_error("--nm " + p.str() + ": M must be at most 255");
  const EncoderModel enc = load_hf_encoder(dir);
  nlohmann::json r = write_and_report(compress_encoder(enc, p), dir, out);
  r["kind"] = kEncoderKind;
  r["nm"] = p.str();
  // The file must load back as the encoder it was made from (every tensor, the config).
  NmPattern back_nm;
  (void)load_compressed_encoder(out, &back_nm);
  if (back_nm.n != p.n || back_nm.m != p.m) throw std::runtime_error("internal error: compressed encoder's pattern changed");
  return r;
}

std::string compress_report_text(const nlohmann::json& r) {
  std::ostringstream o;
  char buf[256];
  o << "compressed " << r["in"].get<std::string>() << " -> " << r["out"].get<std::string>() << "\n";
  std::snprintf(buf, sizeof buf, "  file %llu bytes (payload %llu); dense fp32 %llu (%.2fx), dense int8 %llu (%.2fx)\n",
                (unsigned long long)r["file_bytes"].get<uint64_t>(), (unsigned long long)r["payload_bytes"].get<uint64_t>(),
                (unsigned long long)r["dense_fp32_bytes"].get<uint64_t>(), r["ratio_vs_fp32"].get<double>(),
                (unsigned long long)r["dense_int8_bytes"].get<uint64_t>(), r["ratio_vs_int8"].get<double>());
  o << buf;
  std::snprintf(buf, sizeof buf, "  N:M layers: %llu weights, %.4f bits/weight stored (format: %.4f)\n",
                (unsigned long long)r["sparse_weights"].get<uint64_t>(), r["sparse_bits_per_weight"].get<double>(),
                r["theory_bits_per_weight"].get<double>());
  o << buf;
  o << "  round trip: exact\n";
  return o.str();
}

}  // namespace sta
