// Fixed-width bit packing of small unsigned codes (N:M in-group indices).
// Code i occupies bits [i*bits, (i+1)*bits) of a little-endian bit stream:
// bit k of the stream is bit (k % 8) of byte k / 8, least significant first.
// The last byte is zero-padded. bits = 0 packs to nothing (M = 1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sta {

size_t bits_packed_bytes(size_t count, uint32_t bits);  // ceil(count * bits / 8)

// Throws std::invalid_argument when bits > 8 or a code does not fit in `bits`.
std::vector<uint8_t> bits_pack(const uint8_t* codes, size_t count, uint32_t bits);

// Throws std::invalid_argument when nbytes != bits_packed_bytes(count, bits)
// or when padding bits are not zero.
std::vector<uint8_t> bits_unpack(const uint8_t* bytes, size_t nbytes, size_t count, uint32_t bits);

}  // namespace sta
