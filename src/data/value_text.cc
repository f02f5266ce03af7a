#include "data/value_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <string_view>

namespace sluice::data {

namespace {

char* put(char* out, const char* text) {
  const size_t n = std::strlen(text);
  std::memcpy(out, text, n);
  return out + n;
}

// How a double is laid out: as DuckDB's text (its casts, its CSV) or as its JSON.
struct RealStyle {
  int min_fixed;  // decimal exponents from min_fixed to max_fixed in fixed notation
  int max_fixed;
  bool long_exponent;  // e+05 rather than e5
  const char* nan;
  const char* infinity;
  const char* minus_infinity;
};
constexpr RealStyle kTextStyle{-4, 15, true, "nan", "inf", "-inf"};
constexpr RealStyle kJsonStyle{-6, 20, false, "NaN", "Infinity", "-Infinity"};

// `digits` (no point) times 10^exponent, where the first digit stands for 10^exponent;
// a whole number in fixed notation keeps ".0".
char* layOut(char* out, const char* digits, int count, int exponent, const RealStyle& style) {
  if (exponent < style.min_fixed || exponent > style.max_fixed) {
    *out++ = digits[0];
    if (count > 1) {
      *out++ = '.';
      out = std::copy(digits + 1, digits + count, out);
    }
    *out++ = 'e';
    if (exponent < 0 || style.long_exponent) *out++ = exponent < 0 ? '-' : '+';
    const int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10 && style.long_exponent) *out++ = '0';
    return std::to_chars(out, out + 4, magnitude).ptr;
  }
  if (exponent < 0) {
    out = put(out, "0.");
    out = std::fill_n(out, -exponent - 1, '0');
    return std::copy(digits, digits + count, out);
  }
  const int whole = exponent + 1;
  for (int i = 0; i < whole; i++) *out++ = i < count ? digits[i] : '0';
  *out++ = '.';
  if (count <= whole) {
    *out++ = '0';
    return out;
  }
  return std::copy(digits + whole, digits + count, out);
}

char* formatReal(char* out, double value, const RealStyle& style) {
  if (std::isnan(value)) return put(out, style.nan);
  if (std::isinf(value)) return put(out, value < 0 ? style.minus_infinity : style.infinity);
  // The shortest round-trip digits, in to_chars' scientific form d.ddde±XX.
  char sci[48];
  const char* end = std::to_chars(sci, sci + sizeof sci, value, std::chars_format::scientific).ptr;
  const char* p = sci;
  if (*p == '-') *out++ = *p++;
  const char* e = static_cast<const char*>(std::memchr(p, 'e', static_cast<size_t>(end - p)));
  int exponent = 0;
  std::from_chars(e + 1 + (e[1] == '+'), end, exponent);
  char digits[24];
  int count = 0;
  for (; p < e; p++)
    if (*p != '.') digits[count++] = *p;
  return layOut(out, digits, count, exponent, style);
}

// A double that is an integer of under 2^52 divided by 10^k for a small k (0.37, 1250.5,
// 42.0) in fixed notation, as formatReal would write it but without its general
// shortest-digits search; nullptr for any other value. Such an m / 10^k reads back as
// the double, no shorter decimal does (it would have a smaller k), and no other decimal
// with k places does either, as the double's spacing is under 10^-k.
char* formatDecimalDouble(char* out, double value) {
  constexpr int kMaxPlaces = 6;
  constexpr double kPowers[kMaxPlaces + 1] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
  constexpr double kLimit = 4503599627370496.0;  // 2^52
  const double magnitude = std::fabs(value);
  if (!(magnitude >= 1e-4 && magnitude < 1e15)) return nullptr;
  for (int places = 0; places <= kMaxPlaces; places++) {
    const double scaled = std::nearbyint(magnitude * kPowers[places]);
    if (scaled >= kLimit) return nullptr;
    if (scaled / kPowers[places] != magnitude) continue;
    const auto digits = static_cast<uint64_t>(scaled);
    const auto unit = static_cast<uint64_t>(kPowers[places]);
    if (value < 0) *out++ = '-';
    out = std::to_chars(out, out + 20, digits / unit).ptr;
    *out++ = '.';
    if (places == 0) {
      *out++ = '0';
      return out;
    }
    uint64_t fraction = digits % unit;
    for (int i = places - 1; i >= 0; i--, fraction /= 10)
      out[i] = static_cast<char>('0' + fraction % 10);
    return out + places;
  }
  return nullptr;
}

template <class T>
char* integer(char* at, const StreamedChunk& chunk, size_t col, size_t row) {
  return std::to_chars(at, at + kMaxValueText, chunk.value<T>(col, row)).ptr;
}

}  // namespace

// Both styles write the decimal fast path's values (1e-4 <= |x| < 1e15) in fixed notation.
char* formatDouble(char* out, double value) {
  if (char* end = formatDecimalDouble(out, value)) return end;
  return formatReal(out, value, kTextStyle);
}

char* formatJsonDouble(char* out, double value) {
  if (char* end = formatDecimalDouble(out, value)) return end;
  return formatReal(out, value, kJsonStyle);
}

char* formatDate(char* out, int32_t days) {
  if (days == std::numeric_limits<int32_t>::max()) return put(out, "infinity");
  if (days == -std::numeric_limits<int32_t>::max()) return put(out, "-infinity");
  // Civil date from days since 1970-01-01 in the proleptic Gregorian calendar, counted
  // in 400-year eras starting on March 1st.
  const int64_t z = int64_t{days} + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t day_of_era = z - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t shifted_month = (5 * day_of_year + 2) / 153;
  const int day = static_cast<int>(day_of_year - (153 * shifted_month + 2) / 5 + 1);
  const int month = static_cast<int>(shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
  int64_t year = year_of_era + era * 400 + (month <= 2);
  // Year 0 is 1 BC, year -1 is 2 BC.
  const bool before_christ = year <= 0;
  if (before_christ) year = 1 - year;
  char digits[24];
  const char* end = std::to_chars(digits, digits + sizeof digits, year).ptr;
  out = std::fill_n(out, std::max<std::ptrdiff_t>(0, 4 - (end - digits)), '0');
  out = std::copy(static_cast<const char*>(digits), end, out);
  *out++ = '-';
  *out++ = static_cast<char>('0' + month / 10);
  *out++ = static_cast<char>('0' + month % 10);
  *out++ = '-';
  *out++ = static_cast<char>('0' + day / 10);
  *out++ = static_cast<char>('0' + day % 10);
  return before_christ ? put(out, " (BC)") : out;
}

char* formatJsonString(char* out, std::string_view text, HexCase hex) {
  const char* digits = hex == HexCase::kUpper ? "0123456789ABCDEF" : "0123456789abcdef";
  *out++ = '"';
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && c != '"' && c != '\\') {
      *out++ = c;
      continue;
    }
    *out++ = '\\';
    switch (c) {
      case '"':
      case '\\':
        *out++ = c;
        break;
      case '\b':
        *out++ = 'b';
        break;
      case '\f':
        *out++ = 'f';
        break;
      case '\n':
        *out++ = 'n';
        break;
      case '\r':
        *out++ = 'r';
        break;
      case '\t':
        *out++ = 't';
        break;
      default:
        out = std::copy_n("u00", 3, out);
        *out++ = digits[byte >> 4];
        *out++ = digits[byte & 0xF];
    }
  }
  *out++ = '"';
  return out;
}

char* formatStreamed(char* at, StreamedType type, const StreamedChunk& chunk, size_t col,
                     size_t row) {
  switch (type) {
    case StreamedType::kBoolean: {
      const std::string_view text = chunk.value<bool>(col, row) ? "true" : "false";
      return std::copy(text.begin(), text.end(), at);
    }
    case StreamedType::kInt8:
      return integer<int8_t>(at, chunk, col, row);
    case StreamedType::kInt16:
      return integer<int16_t>(at, chunk, col, row);
    case StreamedType::kInt32:
      return integer<int32_t>(at, chunk, col, row);
    case StreamedType::kInt64:
      return integer<int64_t>(at, chunk, col, row);
    case StreamedType::kUInt8:
      return integer<uint8_t>(at, chunk, col, row);
    case StreamedType::kUInt16:
      return integer<uint16_t>(at, chunk, col, row);
    case StreamedType::kUInt32:
      return integer<uint32_t>(at, chunk, col, row);
    case StreamedType::kUInt64:
      return integer<uint64_t>(at, chunk, col, row);
    case StreamedType::kDouble:
      return formatDouble(at, chunk.value<double>(col, row));
    case StreamedType::kDate:
      return formatDate(at, chunk.value<int32_t>(col, row));
    case StreamedType::kText:
    case StreamedType::kJson:
      break;
  }
  return at;
}

}  // namespace sluice::data
