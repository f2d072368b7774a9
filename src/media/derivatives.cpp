// SPDX-License-Identifier: Apache-2.0
#include "media/derivatives.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
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
    if (spec.webp_effort < 0 || spec.webp_effort > 6)
      invalid("derivative '" + name + "' has a WebP effort outside 0..6");
  }
  if (options.crop && (options.crop->width < 1 || options.crop->height < 1))
    invalid("the crop ratio must have positive sides");
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

// Turns the decoded image into what every output starts from: 8-bit sRGB (alpha kept), without
// metadata (no ICC profile either: the pixels are sRGB now, and resizing them again must not run a
// second colour transform). Still lazy: nothing is decoded yet.
VipsImagePtr to_srgb(VipsImagePtr image, const std::string& name) {
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
  return image;
}

// The original decoded once, at the largest width any derivative needs, into memory, with the
// rows readable while the decode is still writing them: the shrinks for the smaller outputs run
// alongside the decode (which is sequential in every loader) instead of after it. run() decodes;
// image() may be read from other threads before, during and after run(), and a read of rows not
// yet decoded waits for them.
class StreamedDecode {
 public:
  StreamedDecode(std::span<const std::byte> bytes, const ProbeResult& facts,
                 const DeriveOptions& options);
  StreamedDecode(const StreamedDecode&) = delete;
  StreamedDecode& operator=(const StreamedDecode&) = delete;

  // Decodes every row; throws Error(Errc::media) if the original turns out to be damaged. Readers
  // waiting for rows then fail too.
  void run();
  // Makes readers still waiting fail, for when run() will never be called.
  void abandon();
  VipsImage* image() const { return output_.get(); }
  // The same pixels once run() has returned, straight from memory: savers read a memory image in
  // place instead of first copying it out of the pipeline.
  VipsImage* whole() const { return whole_.get(); }

 private:
  static int write_rows(VipsRegion* region, VipsRect* area, void* self);
  static int read_rows(VipsRegion* out, void* seq, void* memory, void* self, gboolean* stop);
  bool wait_for_rows(int bottom);
  void finish(bool succeeded);

  std::string name_;
  std::optional<DecodeBudget::Lease> lease_;
  VipsImagePtr pipeline_;
  std::unique_ptr<unsigned char[]> pixels_;
  std::size_t line_bytes_ = 0;
  VipsImagePtr memory_;  // the pixels_ buffer seen as an image
  VipsImagePtr output_;  // memory_ behind the wait for rows, cropped to the ratio if needed
  VipsImagePtr whole_;   // memory_ itself, cropped to the ratio if needed

  std::mutex mutex_;
  std::condition_variable rows_arrived_;
  int rows_done_ = 0;
  bool ended_ = false;  // run() finished (rows_done_ says how far) or was abandoned
};

// Lets the loader shrink while decoding where it can (JPEG by 2/4/8, WebP and HEIF at any scale).
StreamedDecode::StreamedDecode(std::span<const std::byte> bytes, const ProbeResult& facts,
                               const DeriveOptions& options)
    : name_(extension(facts.format)) {
  int width = 0;
  for (const auto& spec : options.derivatives) width = std::max(width, spec.width);
  std::string load_options = "fail-on=error";
  if (facts.animated) load_options += ",n=-1";
  const CropRatio* crop = crop_for(facts, options);

  // An embedded profile is applied by thumbnail on the shrunk pixels (cheap there); without one
  // the pixels are taken as sRGB already and no transform runs.
  const char* export_profile = facts.has_icc_profile ? "srgb" : nullptr;
  lease_.emplace(DecodeBudget::process().acquire(facts.whole_image_buffer_bytes));
  VipsImage* out = nullptr;
  // vips_thumbnail_buffer takes a non-const pointer but only reads the bytes.
  void* data = const_cast<std::byte*>(bytes.data());
  if (vips_thumbnail_buffer(data, bytes.size(), &out, width, "height", height_for(width, crop),
                            "size", VIPS_SIZE_DOWN, "crop",
                            crop ? VIPS_INTERESTING_CENTRE : VIPS_INTERESTING_NONE, "option_string",
                            load_options.c_str(), "export_profile", export_profile, nullptr) != 0)
    throw_vips_error("media: cannot decode the " + name_ + " image");
  pipeline_ = to_srgb(VipsImagePtr(out), name_);

  VipsImage* source = pipeline_.get();
  const int w = vips_image_get_width(source);
  const int h = vips_image_get_height(source);
  line_bytes_ = VIPS_IMAGE_SIZEOF_LINE(source);
  pixels_ = std::make_unique_for_overwrite<unsigned char[]>(line_bytes_ * h);
  memory_.reset(vips_image_new_from_memory(pixels_.get(), line_bytes_ * h, w, h,
                                           vips_image_get_bands(source),
                                           vips_image_get_format(source)));
  if (!memory_) throw_vips_error("media: cannot hold the decoded " + name_ + " image");
  // vips_image_new_from_memory guesses these; keep the decode's, which the PNG saver writes.
  memory_->Type = vips_image_get_interpretation(source);
  memory_->Xres = source->Xres;
  memory_->Yres = source->Yres;
  // What remove_metadata kept: the animation's layout.
  gchar** fields = vips_image_get_fields(source);
  for (gchar** field = fields; *field != nullptr; ++field) {
    GValue value = G_VALUE_INIT;
    if (vips_image_get_typeof(memory_.get(), *field) == 0 &&
        vips_image_get(source, *field, &value) == 0)
      vips_image_set(memory_.get(), *field, &value);
    g_value_unset(&value);
  }
  g_strfreev(fields);
  // The rows arrive in order, and marked so libvips puts a line cache after each shrink: without
  // one, a shrink by 2 or more recomputes the rows its filter windows share (1280 to 320 wide
  // measured 5x slower).
  vips_image_set_int(memory_.get(), VIPS_META_SEQUENTIAL, 1);

  output_.reset(vips_image_new());
  if (vips_image_pipelinev(output_.get(), VIPS_DEMAND_STYLE_THINSTRIP, memory_.get(), nullptr) !=
          0 ||
      vips_image_generate(output_.get(), vips_start_one, read_rows, vips_stop_one, memory_.get(),
                          this) != 0)
    throw_vips_error("media: cannot stream the decoded " + name_ + " image");
  g_object_ref(memory_.get());
  whole_.reset(memory_.get());

  // An original smaller than the crop box keeps its own size, so trim it to the ratio here.
  if (crop) {
    const int want_h = height_for(w, crop);
    const int crop_w = want_h <= h
                           ? w
                           : std::max(1, static_cast<int>(std::lround(static_cast<double>(h) *
                                                                      crop->width / crop->height)));
    const int crop_h = std::min(h, want_h);
    if (crop_w != w || crop_h != h) {
      for (VipsImagePtr* image : {&output_, &whole_}) {
        if (vips_crop(image->get(), &out, (w - crop_w) / 2, (h - crop_h) / 2, crop_w, crop_h,
                      nullptr) != 0)
          throw_vips_error("media: cannot crop the " + name_ + " image");
        image->reset(out);
      }
    }
  }
}

void StreamedDecode::run() {
  // vips_sink_disc hands over the decoded rows in order, top to bottom.
  const bool decoded = vips_sink_disc(pipeline_.get(), write_rows, this) == 0;
  finish(decoded);
  // The loader's state (a progressive JPEG's whole coefficient buffer) goes now, not after the
  // encodes: only the decoded rows are needed from here on.
  pipeline_.reset();
  lease_.reset();
  if (!decoded) throw_vips_error("media: cannot decode the pixels of the " + name_ + " image");
}

void StreamedDecode::abandon() {
  finish(false);
}

void StreamedDecode::finish(bool succeeded) {
  {
    std::lock_guard lock(mutex_);
    if (ended_) return;
    ended_ = true;
    if (succeeded) rows_done_ = vips_image_get_height(memory_.get());
  }
  rows_arrived_.notify_all();
}

int StreamedDecode::write_rows(VipsRegion* region, VipsRect* area, void* self) {
  auto& decode = *static_cast<StreamedDecode*>(self);
  for (int y = area->top; y < VIPS_RECT_BOTTOM(area); ++y)
    std::memcpy(decode.pixels_.get() + static_cast<std::size_t>(y) * decode.line_bytes_,
                VIPS_REGION_ADDR(region, area->left, y), decode.line_bytes_);
  {
    std::lock_guard lock(decode.mutex_);
    decode.rows_done_ = VIPS_RECT_BOTTOM(area);
  }
  decode.rows_arrived_.notify_all();
  return 0;
}

bool StreamedDecode::wait_for_rows(int bottom) {
  std::unique_lock lock(mutex_);
  rows_arrived_.wait(lock, [&] { return rows_done_ >= bottom || ended_; });
  return rows_done_ >= bottom;
}

int StreamedDecode::read_rows(VipsRegion* out, void* seq, void*, void* self, gboolean*) {
  auto* in = static_cast<VipsRegion*>(seq);
  const VipsRect* rows = &out->valid;
  if (!static_cast<StreamedDecode*>(self)->wait_for_rows(VIPS_RECT_BOTTOM(rows))) {
    vips_error("pindeck", "the decode stopped before these rows");
    return -1;
  }
  // A memory image: prepare only points the region at the rows, which out then shares.
  if (vips_region_prepare(in, rows) != 0 ||
      vips_region_region(out, in, rows, rows->left, rows->top) != 0)
    return -1;
  return 0;
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

std::vector<std::byte> save(VipsImage* image, ImageFormat format, const DerivativeSpec& spec) {
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
                                    "effort", spec.webp_effort, nullptr);
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

// The encodes derive() lets run at once. A mutex and a condition variable rather than
// std::counting_semaphore: libstdc++ 12's can leave a waiter asleep after a release (GCC bug
// 104928), which hung derive() under ASan.
class EncodeSlots {
 public:
  explicit EncodeSlots(int count) : free_(count) {}
  void acquire() {
    std::unique_lock lock(mutex_);
    freed_.wait(lock, [&] { return free_ > 0; });
    --free_;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      ++free_;
    }
    freed_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable freed_;
  int free_;
};

// Holds one of the encode slots derive() shares among its threads, for as long as it lives.
class EncodeSlot {
 public:
  explicit EncodeSlot(EncodeSlots* slots) : slots_(slots) {
    if (slots_) slots_->acquire();
  }
  EncodeSlot(const EncodeSlot&) = delete;
  EncodeSlot& operator=(const EncodeSlot&) = delete;
  ~EncodeSlot() {
    if (slots_) slots_->release();
  }

 private:
  EncodeSlots* slots_;
};

// With `encode_slots` to share, shrinks `decoded` into memory first, which runs while the decode
// is still writing rows, then encodes once a slot is free. Without, the saver pulls the shrink
// itself, as it would from that memory.
EncodedImage make_derivative(VipsImage* decoded, const DerivativeSpec& spec,
                             const ProbeResult& facts, const DeriveOptions& options,
                             EncodeSlots* encode_slots) {
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
  if (encode_slots != nullptr && image.get() != decoded) {
    VipsImage* shrunk = vips_image_copy_memory(image.get());
    if (shrunk == nullptr) throw_vips_error("media: cannot resize the " + name + " image");
    image.reset(shrunk);
  }
  EncodedImage result;
  result.kind = spec.kind;
  {
    EncodeSlot slot(encode_slots);
    result.bytes = save(image.get(), format, spec);
  }
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

}  // namespace

std::vector<DerivativeSpec> DeriveOptions::default_derivatives() {
  // sharp's defaults (q80, effort 4: same quality at the same size), but for the large output:
  // its encode is the one left after the decode, so it takes effort 2 for 4% more bytes.
  return {
      {DerivativeKind::preview, 640, true, 80, 80, 4},
      {DerivativeKind::small, 320, false, 80, 80, 4},
      {DerivativeKind::medium, 768, false, 80, 80, 4},
      {DerivativeKind::large, 1280, false, 80, 80, 2},
  };
}

PixelSample palette_sample(std::span<const std::byte> original, const DeriveOptions& options) {
  validate(options);
  const ProbeResult facts = probe(original, options.limits);
  StreamedDecode decoded(original, facts, options);
  decoded.run();
  return make_palette_sample(decoded.whole(), options.palette_sample_size,
                             std::string(extension(facts.format)));
}

DerivedSet derive(std::span<const std::byte> original, const DeriveOptions& options) {
  validate(options);
  DerivedSet set;
  set.original = probe(original, options.limits);
  const std::string name(extension(set.original.format));
  StreamedDecode decoded(original, set.original, options);

  // Widest first: the widest output needs the whole decode and has the longest encode, so the
  // decoding thread makes it right after the decode. The palette sample (tiny) goes last.
  const std::size_t outputs = options.derivatives.size();
  std::vector<std::size_t> order(outputs);
  for (std::size_t i = 0; i < outputs; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return options.derivatives[a].width > options.derivatives[b].width;
  });
  const std::size_t tasks = outputs + (options.palette_sample_size > 0 ? 1 : 0);
  set.derivatives.resize(outputs);
  auto make = [&](std::size_t task, VipsImage* pixels, EncodeSlots* encode_slots) {
    if (task < outputs) {
      const std::size_t i = order[task];
      set.derivatives[i] =
          make_derivative(pixels, options.derivatives[i], set.original, options, encode_slots);
    } else {
      set.palette_sample = make_palette_sample(pixels, options.palette_sample_size, name);
    }
  };
  if (options.encode_threads == 1) {
    decoded.run();
    for (std::size_t task = 0; task < tasks; ++task) make(task, decoded.whole(), nullptr);
    return set;
  }

  // encode_threads helpers take the other outputs and the sample, narrowest last: each shrinks as
  // the decoded rows arrive (so the shrinks use the core the sequential decode leaves idle), then
  // encodes on one of the encode_threads - 1 slots left beside the decoding thread's. More helpers
  // would overlap more of the shrinks with the decode, for a few MiB of pipeline buffers each.
  EncodeSlots encode_slots(options.encode_threads - 1);
  std::atomic<std::size_t> next_task{1};
  std::vector<std::exception_ptr> failures(tasks);
  {
    std::vector<std::jthread> helpers;
    try {
      const auto helper_count =
          std::min<std::size_t>(tasks - 1, static_cast<std::size_t>(options.encode_threads));
      for (std::size_t h = 0; h < helper_count; ++h)
        helpers.emplace_back([&] {
          VipsThreadScope vips_thread;
          for (std::size_t task = next_task++; task < tasks; task = next_task++) {
            try {
              make(task, decoded.image(), &encode_slots);
            } catch (...) {
              failures[task] = std::current_exception();
            }
          }
        });
      decoded.run();
      make(0, decoded.whole(), nullptr);
      // This thread encodes no more: its slot goes to the helpers' encodes still waiting.
      encode_slots.release();
    } catch (...) {
      failures[0] = std::current_exception();
      decoded.abandon();  // the helpers waiting for rows that will not come fail instead
    }
  }
  // The decode's own failure comes first: it names the problem with the original.
  for (auto& failure : failures)
    if (failure) std::rethrow_exception(failure);
  return set;
}

}  // namespace pindeck::media
