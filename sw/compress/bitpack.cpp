#include "compress/bitpack.h"

#include <stdexcept>
#include <string>

namespace sta {

size_t bits_packed_bytes(size_t count, uint32_t bits) { return (count * bits + 7) / 8; }

std::vector<uint8_t> bits_pack(const uint8_t* codes, size_t count, uint32_t bits) {
  if (bits > 8) throw std::invalid_argument("bits_pack: at most 8 bits per code");
  std::vector<uint8_t> out(bits_packed_bytes(count, bits), 0);
  size_t k = 0;
  for (size_t i = 0; i < count; ++i) {
    if (bits < 8 && (codes[i] >> bits) != 0)
      throw std::invalid_argument("bits_pack: code " + std::to_string(codes[i]) + " does not fit in " +
                                  std::to_string(bits) + " bits");
    for (uint32_t b = 0; b < bits; ++b, ++k)
      if ((codes[i] >> b) & 1u) out[k / 8] |= static_cast<uint8_t>(1u << (k % 8));
  }
  return out;
}

std::vector<uint8_t> bits_unpack(const uint8_t* bytes, size_t nbytes, size_t count, uint32_t bits) {
  if (bits > 8) throw std::invalid_argument("bits_unpack: at most 8 bits per code");
  if (nbytes != bits_packed_bytes(count, bits))
    throw std::invalid_argument("packed index stream has " + std::to_string(nbytes) + " bytes, expected " +
                                std::to_string(bits_packed_bytes(count, bits)));
  std::vector<uint8_t> out(count, 0);
  size_t k = 0;
  for (size_t i = 0; i < count; ++i)
    for (uint32_t b = 0; b < bits; ++b, ++k)
      if ((bytes[k / 8] >> (k % 8)) & 1u) out[i] |= static_cast<uint8_t>(1u << b);
  for (; k < nbytes * 8; ++k)
    if ((bytes[k / 8] >> (k % 8)) & 1u) throw std::invalid_argument("packed index stream: non-zero padding bits");
  return out;
}

}  // namespace sta
