// `sta compress`: checkpoint (sta-checkpoint-v1) -> deployable model (sta-nm-v1).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace sta {

// Compresses `in` into `out`, loads `out` back and checks that the round trip
// is exact (throws std::runtime_error if not). Returns the size report:
// {"in","out","file_bytes","payload_bytes","dense_fp32_bytes","dense_int8_bytes",
//  "ratio_vs_fp32","ratio_vs_int8","sparse_weights","sparse_bits_per_weight",
//  "theory_bits_per_weight","layers":[{"name","pattern","rows","cols","bits_per_weight"}]}
nlohmann::json compress_file(const std::string& in, const std::string& out);

// `sta compress --model DIR --nm N:M`: the Hugging Face encoder in DIR
// (load_hf_encoder) pruned N:M by magnitude, int8 and packed (compress_encoder,
// compress/encoder_file.h), written to `out` and checked as compress_file does,
// and loaded back with load_compressed_encoder. The report is compress_file's
// plus "kind": "encoder" and "nm". Throws std::runtime_error (a bad --nm too).
nlohmann::json compress_encoder_dir(const std::string& dir, const std::string& nm, const std::string& out);

// Human-readable summary of compress_file's report.
std::string compress_report_text(const nlohmann::json& r);

}  // namespace sta
