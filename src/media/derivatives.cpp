// SPDX-License-Identifier: Apache-2.0
#include "media/derivatives.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <thread>

#include "media/decode_budget.hpp"
#include "media/vips_runtime.hpp"
#include "media/webp_metadata.hpp"
#include "pindeck/error.hpp"

namespace pindeck::media {
std::string_view name_of(DerivativeKind kind) {
  switch (kind) {
    case DerivativeKind::preview: return "preview";
    case DerivativeKind::small: return "small";
    case DerivativeKind::medium: return "medium";
    case DerivativeKind::large: return "large";
  }
  return "unknown";
}

namespace {

[[noreturn]] void invalid(const std::string& message) {
  throw Error(Errc::invalid, "media: " + message);
}

void validate(const DeriveOptions& options) {
  if (options.derivatives.empty()) invalid("the derivative set is empty");
  for (std::size_t i = 0; i < options.derivatives.size(); ++i) {
    const auto& spec = options.derivatives[i];
    const std::string name(name_of(spec.kind));
    for (std::size_t j = 0; j < i; ++j) {
      if (options.derivatives[j].kind == spec.kind)
        invalid("derivative '" + name + "' is twice in the set");
    }
    if (spec.width < 1 || spec.width > 16384)
      invalid("derivative '" + name + "' has width " + std::to_string(spec.width) +
              ", outside 1..16384");
    if (spec.webp_quality < 1 || spec.webp_quality > 100 || spec.jpeg_quality < 1 ||
        spec.jpeg_quality > 100)
      invalid("derivative '" + name + "' has a quality outside 1..100");
  }
  if (options.crop && (options.crop->width < 1 || options.crop->height < 1))
    invalid("the crop ratio must have positive sides");
  if (options.webp_effort < 0 || options.webp_effort > 6) invalid("webp_effort must be 0..6");
  if (options.encode_threads < 1) invalid("encode_threads must be at least 1");
  if (options.palette_sample_size < 0) invalid("palette_sample_size must not be negative");
}

// The crop that applies to this original: none for animations, whose frames keep their shape.
const CropRatio* crop_for(const ProbeResult& facts, const DeriveOptions& options) {
  return options.crop && !facts.animated ? &*options.crop : nullptr;
}

int height_for(int width, const CropRatio* crop) {
  if (!crop) return VIPS_MAX_COORD;
  return std::max(
      1, static_cast<int>(std::lround(static_cast<double>(width) * crop->height / crop->width)));
}

int page_height(VipsImage* image) {
  return vips_image_get_page_height(image);
}
int page_count(VipsImage* image) {
  return vips_image_get_height(image) / page_height(image);
}

// Removes every metadata item except what describes an animation. Savers are also told to strip,
// but libvips 8.14's WebP saver writes EXIF even then, so the pixels must arrive clean.
void remove_metadata(VipsImage* image) {
  static constexpr std::string_view kept[] = {
      VIPS_META_PAGE_HEIGHT, VIPS_META_N_PAGES, "delay", "loop", "gif-delay", "gif-loop"};
  gchar** fields = vips_image_get_fields(image);
  for (gchar** field = fields; *field != nullptr; ++field)
    if (std::find(std::begin(kept), std::end(kept), *field) == std::end(kept))
      vips_image_remove(image, *field);
  g_strfreev(fields);
}

// Turns the decoded image into what every output starts from: 8-bit sRGB (alpha kept), pixels in
// memory, without metadata (no ICC profile either: the pixels are sRGB now, and resizing them
// again must not run a second colour transform).
VipsImagePtr to_srgb_in_memory(VipsImagePtr image, const std::string& name) {
  VipsImage* out = nullptr;
  if (vips_copy(image.get(), &out, nullptr) != 0)
    throw_vips_error("media: cannot process the " + name + " image");
  image.reset(out);
  remove_metadata(image.get());
  if (vips_image_get_interpretation(image.get()) != VIPS_INTERPRETATION_sRGB ||
      vips_image_get_format(image.get()) != VIPS_FORMAT_UCHAR) {
    if (vips_colourspace(image.get(), &out, VIPS_INTERPRETATION_sRGB, nullptr) != 0)
      throw_vips_error("media: cannot convert the " + name + " image to sRGB");
    image.reset(out);
  }
  if (vips_image_get_format(image.get()) != VIPS_FORMAT_UCHAR) {
    if (vips_cast_uchar(image.get(), &out, nullptr) != 0)
      throw_vips_error("media: cannot convert the " + name + " image to 8 bits");
    image.reset(out);
  }
  // Runs the whole pipeline: this is where the original's pixels are decoded, once.
  VipsImage* memory = vips_image_copy_memory(image.get());
  if (memory == nullptr) throw_vips_error("media: cannot decode the " + name + " image");
  return VipsImagePtr(memory);
}

// Decodes the original straight to the largest width any derivative needs, letting the loader
// shrink while decoding where it can (JPEG by 2/4/8, WebP and HEIF at any scale).
VipsImagePtr decode_largest(std::span<const std::byte> bytes, const ProbeResult& facts,
                            const DeriveOptions& options) {
  int width = 0;
  for (const auto& spec : options.derivatives) width = std::max(width, spec.width);
  std::string load_options = "fail-on=error";
  if (facts.animated) load_options += ",n=-1";
  const std::string name(extension(facts.format));
  const CropRatio* crop = crop_for(facts, options);

  // An embedded profile is applied by thumbnail on the shrunk pixels (cheap there); without one
  // the pixels are taken as sRGB already and no transform runs.
  const char* export_profile = facts.has_icc_profile ? "srgb" : nullptr;
  const auto lease = DecodeBudget::process().acquire(facts.whole_image_buffer_bytes);
  VipsImage* out = nullptr;
  // vips_thumbnail_buffer takes a non-const pointer but only reads the bytes.
  void* data = const_cast<std::byte*>(bytes.data());
  if (vips_thumbnail_buffer(data, bytes.size(), &out, width, "height", height_for(width, crop),
                            "size", VIPS_SIZE_DOWN, "crop",
                            crop ? VIPS_INTERESTING_CENTRE : VIPS_INTERESTING_NONE, "option_string",
                            load_options.c_str(), "export_profile", export_profile, nullptr) != 0)
    throw_vips_error("media: cannot decode the " + name + " image");
  VipsImagePtr decoded = to_srgb_in_memory(VipsImagePtr(out), name);

  // An original smaller than the crop box keeps its own size, so trim it to the ratio here.
  if (crop) {
    const int w = vips_image_get_width(decoded.get());
    const int h = vips_image_get_height(decoded.get());
    const int want_h = height_for(w, crop);
    const int crop_w = want_h <= h
                           ? w
                           : std::max(1, static_cast<int>(std::lround(static_cast<double>(h) *
                                                                      crop->width / crop->height)));
    const int crop_h = std::min(h, want_h);
    if (crop_w != w || crop_h != h) {
      if (vips_crop(decoded.get(), &out, (w - crop_w) / 2, (h - crop_h) / 2, crop_w, crop_h,
                    nullptr) != 0)
        throw_vips_error("media: cannot crop the " + name + " image");
      decoded.reset(out);
    }
  }
  return decoded;
}

VipsImagePtr shrink_to(VipsImage* source, int width, const CropRatio* crop,
                       const std::string& name) {
  if (width >= vips_image_get_width(source)) {
    g_object_ref(source);
    return VipsImagePtr(source);
  }
  VipsImage* out = nullptr;
  if (vips_thumbnail_image(source, &out, width, "height", height_for(width, crop), "size",
                           VIPS_SIZE_DOWN, "crop",
                           crop ? VIPS_INTERESTING_CENTRE : VIPS_INTERESTING_NONE, nullptr) != 0)
    throw_vips_error("media: cannot resize the " + name + " image");
  return VipsImagePtr(out);
}

ImageFormat output_format(const DerivativeSpec& spec, ImageFormat original) {
  const bool writable = original == ImageFormat::jpeg || original == ImageFormat::png ||
                        original == ImageFormat::webp;
  return spec.keep_original_format && writable ? original : ImageFormat::webp;
}

std::vector<std::byte> save(VipsImage* image, ImageFormat format, const DerivativeSpec& spec,
                            int webp_effort) {
  void* buffer = nullptr;
  size_t length = 0;
  int status = -1;
  switch (format) {
    case ImageFormat::jpeg:
      status = vips_jpegsave_buffer(image, &buffer, &length, "Q", spec.jpeg_quality, "strip", TRUE,
                                    "optimize_coding", TRUE, nullptr);
      break;
    case ImageFormat::png:
      status = vips_pngsave_buffer(image, &buffer, &length, "strip", TRUE, nullptr);
      break;
    default:
      status = vips_webpsave_buffer(image, &buffer, &length, "Q", spec.webp_quality, "strip", TRUE,
                                    "effort", webp_effort, nullptr);
      break;
  }
  VipsBufferPtr owned(buffer);
  if (status != 0)
    throw_vips_error("media: cannot encode derivative '" + std::string(name_of(spec.kind)) +
                     "' as " + std::string(extension(format)));
  const auto* first = static_cast<const std::byte*>(buffer);
  std::vector<std::byte> bytes(first, first + length);
  if (format == ImageFormat::webp) strip_webp_metadata(bytes);
  return bytes;
}

EncodedImage make_derivative(VipsImage* decoded, const DerivativeSpec& spec,
                             const ProbeResult& facts, const DeriveOptions& options) {
  const std::string name(extension(facts.format));
  const CropRatio* crop = crop_for(facts, options);
  VipsImagePtr image = shrink_to(decoded, spec.width, crop, name);
  const ImageFormat format = output_format(spec, facts.format);
  if (format == ImageFormat::jpeg && vips_image_hasalpha(image.get())) {
    VipsImage* out = nullptr;
    if (vips_flatten(image.get(), &out, nullptr) != 0)
      throw_vips_error("media: cannot flatten the " + name + " image");
    image.reset(out);
  }
  EncodedImage result;
  result.kind = spec.kind;
  result.bytes = save(image.get(), format, spec, options.webp_effort);
  result.width = vips_image_get_width(image.get());
  result.height = page_height(image.get());
  result.pages = page_count(image.get());
  result.format = format;
  result.content_type = std::string(content_type(format));
  return result;
}

PixelSample make_palette_sample(VipsImage* decoded, int size, const std::string& name) {
  VipsImagePtr image;
  VipsImage* out = nullptr;
  if (vips_crop(decoded, &out, 0, 0, vips_image_get_width(decoded), page_height(decoded),
                nullptr) != 0)
    throw_vips_error("media: cannot take the first frame of the " + name + " image");
  image.reset(out);
  if (vips_thumbnail_image(image.get(), &out, size, "height", size, "size", VIPS_SIZE_DOWN,
                           nullptr) != 0)
    throw_vips_error("media: cannot shrink the " + name + " image for its palette");
  image.reset(out);
  if (vips_image_get_bands(image.get()) > 3) {
    if (vips_extract_band(image.get(), &out, 0, "n", 3, nullptr) != 0)
      throw_vips_error("media: cannot drop the alpha of the " + name + " image");
    image.reset(out);
  }
  size_t length = 0;
  VipsBufferPtr pixels(vips_image_write_to_memory(image.get(), &length));
  if (!pixels) throw_vips_error("media: cannot sample the " + name + " image for its palette");
  PixelSample sample;
  const auto* first = static_cast<const unsigned char*>(pixels.get());
  sample.pixels.assign(first, first + length);
  sample.width = vips_image_get_width(image.get());
  sample.height = vips_image_get_height(image.get());
  sample.channels = vips_image_get_bands(image.get());
  return sample;
}

// Runs task(i) for i in [0, count) on up to `threads` threads; rethrows the first failure.
template <typename Task>
void run_parallel(std::size_t count, int threads, Task task) {
  std::atomic<std::size_t> next{0};
  std::vector<std::exception_ptr> failures(count);
  auto drain = [&] {
    for (std::size_t i = next++; i < count; i = next++) {
      try {
        task(i);
      } catch (...) {
        failures[i] = std::current_exception();
      }
    }
  };
  const std::size_t helpers = std::min<std::size_t>(count, static_cast<std::size_t>(threads)) - 1;
  std::vector<std::jthread> pool;
  for (std::size_t t = 0; t < helpers; ++t)
    pool.emplace_back([&] {
      VipsThreadScope vips_thread;
      drain();
    });
  drain();
  pool.clear();
  for (auto& failure : failures)
    if (failure) std::rethrow_exception(failure);
}

}  // namespace

std::vector<DerivativeSpec> DeriveOptions::default_derivatives() {
  return {
      {DerivativeKind::preview, 640, true, 78, 80},
      {DerivativeKind::small, 320, false, 82, 80},
      {DerivativeKind::medium, 768, false, 82, 80},
      {DerivativeKind::large, 1280, false, 82, 80},
  };
}

PixelSample palette_sample(std::span<const std::byte> original, const DeriveOptions& options) {
  validate(options);
  const ProbeResult facts = probe(original, options.limits);
  VipsImagePtr decoded = decode_largest(original, facts, options);
  return make_palette_sample(decoded.get(), options.palette_sample_size,
                             std::string(extension(facts.format)));
}

DerivedSet derive(std::span<const std::byte> original, const DeriveOptions& options) {
  validate(options);
  DerivedSet set;
  set.original = probe(original, options.limits);
  const std::string name(extension(set.original.format));
  VipsImagePtr decoded = decode_largest(original, set.original, options);

  // Widest first: the largest encode is the longest task, so starting it first shortens the wall
  // time on a few threads. The palette sample (tiny) goes last.
  const std::size_t outputs = options.derivatives.size();
  std::vector<std::size_t> order(outputs);
  for (std::size_t i = 0; i < outputs; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return options.derivatives[a].width > options.derivatives[b].width;
  });
  const bool want_sample = options.palette_sample_size > 0;
  set.derivatives.resize(outputs);
  run_parallel(outputs + (want_sample ? 1 : 0), options.encode_threads, [&](std::size_t task) {
    if (task < outputs) {
      const std::size_t i = order[task];
      set.derivatives[i] =
          make_derivative(decoded.get(), options.derivatives[i], set.original, options);
    } else {
      set.palette_sample = make_palette_sample(decoded.get(), options.palette_sample_size, name);
    }
  });
  return set;
}

}  // namespace pindeck::media
