#pragma once
// Decompression bombs for the tests of the readers that inflate (nn/checkpoint.cpp's .npz,
// data/fashion_mnist.cpp's gzip): zip archives and gzip files whose members are a few bytes
// of `head` followed by millions of zero bytes, deflated in a few KB per MiB of zeros.
//
// Deflating 256 MiB of zeros takes zlib seconds, so the zeros are deflated once per MiB and
// the compressed MiB repeated: a deflate stream flushed with Z_FULL_FLUSH ends on a byte
// boundary and its blocks refer to nothing before them (RFC 1951), so copies of it can follow
// each other; an empty final block ends the stream. Nothing here holds more than 1 MiB.
//
//   write_bytes(path, zip_archive({{"w.npy", npy_header("<f4", "(67108864,)"), 256 << 20}}));
//   write_bytes(path, gzip_file(idx_header, 256 << 20));
#include <sys/resource.h>  // getrusage: the peak resident memory
#include <zlib.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

namespace xtgrad::testing {

// A raw deflate stream (no zlib or gzip framing) of `head` followed by `zeros` zero bytes, and
// the CRC-32 of those bytes.
struct Deflated {
  std::string bytes;
  std::uint32_t crc = 0;
};

namespace detail {

// `input` deflated by a fresh stream, ending with Z_FULL_FLUSH (more may follow) or Z_FINISH.
inline std::string deflate_part(const std::string& input, int flush) {
  z_stream z{};
  BOOST_REQUIRE(deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) ==
                Z_OK);
  std::string out(deflateBound(&z, input.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  z.avail_in = static_cast<uInt>(input.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, flush);
  BOOST_REQUIRE(rc == (flush == Z_FINISH ? Z_STREAM_END : Z_OK));
  BOOST_REQUIRE(z.avail_in == 0);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

inline void append_le(std::string& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

}  // namespace detail

inline Deflated deflate_zeros(const std::string& head, std::uint64_t zeros) {
  constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
  Deflated d;
  if (!head.empty()) d.bytes = detail::deflate_part(head, Z_FULL_FLUSH);
  d.crc = static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(head.data()), static_cast<uInt>(head.size())));
  const std::string zero_mib(kMiB, '\0');
  const std::string mib = detail::deflate_part(zero_mib, Z_FULL_FLUSH);
  const uLong mib_crc = crc32(0, reinterpret_cast<const Bytef*>(zero_mib.data()), kMiB);
  for (std::uint64_t i = 0; i < zeros / kMiB; ++i) {
    d.bytes += mib;
    d.crc = static_cast<std::uint32_t>(crc32_combine(d.crc, mib_crc, kMiB));
  }
  if (const std::uint64_t rest = zeros % kMiB; rest > 0) {
    const std::string tail(rest, '\0');
    d.bytes += detail::deflate_part(tail, Z_FULL_FLUSH);
    d.crc = static_cast<std::uint32_t>(
        crc32(d.crc, reinterpret_cast<const Bytef*>(tail.data()), static_cast<uInt>(rest)));
  }
  d.bytes += detail::deflate_part("", Z_FINISH);  // the final, empty block
  return d;
}

// A member of zip_archive: `head` then `zeros` zero bytes, deflated. `listed`, when not -1,
// replaces the uncompressed size written in the zip's headers: a lie about the content.
struct ZipMember {
  std::string name;
  std::string head;
  std::uint64_t zeros = 0;
  std::int64_t listed = -1;
};

// A zip archive (PKWARE APPNOTE 4.3: local headers, data, central directory, end record)
// holding `members` in order, all deflated and dated 1980-01-01. Names may repeat.
inline std::string zip_archive(const std::vector<ZipMember>& members) {
  using detail::append_le;
  std::string out, central;
  for (const ZipMember& m : members) {
    const Deflated d = deflate_zeros(m.head, m.zeros);
    const std::uint64_t size =
        m.listed >= 0 ? static_cast<std::uint64_t>(m.listed) : m.head.size() + m.zeros;
    BOOST_REQUIRE(size < (std::uint64_t{1} << 32) && d.bytes.size() < (std::uint64_t{1} << 32));
    std::string fields;  // version needed, flags, method, time, date, CRC, sizes, name length
    append_le(fields, 20, 2), append_le(fields, 0, 2), append_le(fields, 8, 2);
    append_le(fields, 0, 2), append_le(fields, 0x21, 2), append_le(fields, d.crc, 4);
    append_le(fields, d.bytes.size(), 4), append_le(fields, size, 4),
        append_le(fields, m.name.size(), 2);
    const std::uint64_t offset = out.size();
    append_le(out, 0x04034b50, 4);
    out += fields;
    append_le(out, 0, 2);  // extra field length
    out += m.name + d.bytes;
    append_le(central, 0x02014b50, 4);
    append_le(central, 20, 2);  // version made by
    central += fields;
    append_le(central, 0, 2), append_le(central, 0, 2),
        append_le(central, 0, 2);  // extra, comment, disk
    append_le(central, 0, 2), append_le(central, 0, 4),
        append_le(central, offset, 4);  // attributes, offset
    central += m.name;
  }
  const std::uint64_t central_offset = out.size();
  out += central;
  append_le(out, 0x06054b50, 4);
  append_le(out, 0, 2), append_le(out, 0, 2);  // this disk, the directory's disk
  append_le(out, members.size(), 2), append_le(out, members.size(), 2);
  append_le(out, central.size(), 4), append_le(out, central_offset, 4), append_le(out, 0, 2);
  return out;
}

// A gzip file (RFC 1952) of `head` then `zeros` zero bytes, its trailer honest.
inline std::string gzip_file(const std::string& head, std::uint64_t zeros) {
  const Deflated d = deflate_zeros(head, zeros);
  std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03",
                  10);  // deflate, no name, mtime 0, Unix
  out += d.bytes;
  detail::append_le(out, d.crc, 4);
  detail::append_le(out, (head.size() + zeros) & 0xffffffffu, 4);  // ISIZE
  return out;
}

// A version 1.0 .npy header for `descr` ("<f4") and `shape` ("(3, 4)"), as np.save writes it:
// the data that should follow is not included.
inline std::string npy_header(const std::string& descr, const std::string& shape) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + dict.size() + 1) % 64 != 0) dict += ' ';
  dict += '\n';
  return std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(dict.size() & 0xff) +
         static_cast<char>(dict.size() >> 8) + dict;
}

// The process's peak resident memory so far, in KB: a high-water mark, it never goes down.
inline long peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// Runs `refuse` (a check that a bomb is refused) and checks what refusing it cost: the peak
// resident memory may grow by at most `max_kb` (a few MB, not the bomb's size) and the call
// may take at most a second.
template <class F>
void check_refused_cheaply(F&& refuse, long max_kb = 16 * 1024) {
  const long before_kb = peak_rss_kb();
  const auto start = std::chrono::steady_clock::now();
  refuse();
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  const long grown_kb = peak_rss_kb() - before_kb;
  BOOST_TEST_MESSAGE("refused in " << took.count() << " s, peak memory +" << grown_kb << " KB");
  BOOST_TEST(grown_kb <= max_kb,
             "refusing the bomb raised the peak memory by " << grown_kb << " KB");
  BOOST_TEST(took.count() < 1.0, "refusing the bomb took " << took.count() << " s");
}

}  // namespace xtgrad::testing
