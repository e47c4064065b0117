// Plain JPEG decoding for PDQ hashing: the system libjpeg(-turbo) called in-process, decoding into a
// buffer the caller supplies and reuses. See docs/decisions/0005-native-jpeg-decode.md.
//
// decodeInto(jpeg: Uint8Array, out: Uint8Array, maxPixels: number, maxScans: number) returns
//   { width, height, channels }  decoded: `out` holds width × height × channels samples, rows packed;
//   a number                     `out` is too small: the byte count it needs (nothing was decoded);
//   a string                     not decoded here, the caller should use its general decoder (sharp):
//                                "arguments", "scans", "error", "warning", "unsupported", "too-large",
//                                "stalled".
// It never throws and never prints. Any libjpeg error or warning (corrupt data, premature end,
// extraneous bytes, …) abandons the decode, so that the general decoder defines what odd files give.
//
// libjpeg's decompression defaults are left as they are (ISLOW IDCT, fancy upsampling), as libvips
// leaves them. Output is RGB for 1 and 3 components alike: libvips hands sharp's callers grey JPEGs as
// three equal channels, and libjpeg's grey → RGB conversion replicates the sample.
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>
#include <node_api.h>

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

typedef struct {
  uint32_t width;
  uint32_t height;
  uint32_t channels;
  /** Bytes `out` must hold, when it was too small. */
  size_t needed;
  /** Why the file was not decoded here (a static string), or NULL. */
  const char *refusal;
} outcome;

typedef struct {
  struct jpeg_error_mgr pub;
  jmp_buf jump;
  outcome *result;
} error_manager;

typedef struct {
  struct jpeg_decompress_struct cinfo;
  error_manager err;
} decoder;

static void on_error(j_common_ptr cinfo) {
  error_manager *err = (error_manager *)cinfo->err;
  err->result->refusal = "error";
  longjmp(err->jump, 1);
}

// Level −1 is a warning (corrupt data, premature end of data, …); 0 and up are trace messages.
static void on_message(j_common_ptr cinfo, int level) {
  if (level >= 0) return;
  error_manager *err = (error_manager *)cinfo->err;
  err->result->refusal = "warning";
  longjmp(err->jump, 1);
}

static void on_output(j_common_ptr cinfo) { (void)cinfo; }

/**
 * Counts SOS markers (FF DA) up to `cap` + 1. Entropy-coded data stuffs every FF byte as FF 00, so an
 * FF DA pair is a marker or part of a marker segment's payload (an embedded thumbnail): the count can
 * only be too high, never too low.
 */
static size_t count_scans(const uint8_t *bytes, size_t length, size_t cap) {
  size_t scans = 0;
  const uint8_t *p = bytes;
  const uint8_t *end = bytes + length;
  while (p + 1 < end) {
    const uint8_t *ff = memchr(p, 0xFF, (size_t)(end - p) - 1);
    if (ff == NULL) break;
    if (ff[1] == 0xDA && ++scans > cap) break;
    p = ff + 1;
  }
  return scans;
}

#define ROWS_PER_READ 16

// Everything setjmp's caller touches after a longjmp lives in *d and *result, outside its own frame.
static void decode(decoder *d, const uint8_t *jpeg, size_t length, uint8_t *out, size_t capacity,
                   double max_pixels, outcome *result) {
  struct jpeg_decompress_struct *cinfo = &d->cinfo;
  memset(d, 0, sizeof *d);
  cinfo->err = jpeg_std_error(&d->err.pub);
  d->err.pub.error_exit = on_error;
  d->err.pub.emit_message = on_message;
  d->err.pub.output_message = on_output;
  d->err.result = result;
  if (setjmp(d->err.jump)) {
    jpeg_destroy_decompress(cinfo);
    return;
  }
  jpeg_create_decompress(cinfo);
  jpeg_mem_src(cinfo, (unsigned char *)jpeg, (unsigned long)length);
  jpeg_read_header(cinfo, TRUE);
  int components = cinfo->num_components;
  J_COLOR_SPACE space = cinfo->jpeg_color_space;
  int plain = cinfo->data_precision == 8 && !cinfo->arith_code &&
              ((components == 1 && space == JCS_GRAYSCALE) ||
               (components == 3 && (space == JCS_YCbCr || space == JCS_RGB)));
  if (!plain) {
    result->refusal = "unsupported";
  } else if ((double)cinfo->image_width * (double)cinfo->image_height > max_pixels) {
    result->refusal = "too-large";
  }
  if (result->refusal != NULL) {
    jpeg_destroy_decompress(cinfo);
    return;
  }
  cinfo->out_color_space = JCS_RGB;
  jpeg_calc_output_dimensions(cinfo);
  size_t stride = (size_t)cinfo->output_width * (size_t)cinfo->output_components;
  size_t size = stride * (size_t)cinfo->output_height;
  if (size > capacity) {
    result->needed = size;
    jpeg_destroy_decompress(cinfo);
    return;
  }
  jpeg_start_decompress(cinfo);
  JSAMPROW rows[ROWS_PER_READ];
  while (cinfo->output_scanline < cinfo->output_height) {
    JDIMENSION first = cinfo->output_scanline;
    JDIMENSION count = cinfo->output_height - first;
    if (count > ROWS_PER_READ) count = ROWS_PER_READ;
    for (JDIMENSION i = 0; i < count; i++) rows[i] = out + stride * (size_t)(first + i);
    if (jpeg_read_scanlines(cinfo, rows, count) == 0) {
      // Cannot happen with an in-memory source (it never suspends); never loop on it regardless.
      result->refusal = "stalled";
      jpeg_destroy_decompress(cinfo);
      return;
    }
  }
  // Reads on to EOI, so that a file cut short after its last scan still warns (and is refused).
  jpeg_finish_decompress(cinfo);
  result->width = cinfo->output_width;
  result->height = cinfo->output_height;
  result->channels = (uint32_t)cinfo->output_components;
  jpeg_destroy_decompress(cinfo);
}

static napi_value string_value(napi_env env, const char *text) {
  napi_value value;
  if (napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &value) != napi_ok) return NULL;
  return value;
}

static int bytes_of(napi_env env, napi_value value, uint8_t **data, size_t *length) {
  bool is_typed_array = false;
  if (napi_is_typedarray(env, value, &is_typed_array) != napi_ok || !is_typed_array) return 0;
  napi_typedarray_type type;
  void *pointer = NULL;
  if (napi_get_typedarray_info(env, value, &type, length, &pointer, NULL, NULL) != napi_ok) return 0;
  if (type != napi_uint8_array) return 0;
  *data = (uint8_t *)pointer;
  // A detached buffer has no data: treat it as empty.
  if (*data == NULL) *length = 0;
  return 1;
}

static int number_of(napi_env env, napi_value value, double *number) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_number) return 0;
  return napi_get_value_double(env, value, number) == napi_ok;
}

static napi_value decode_into(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4) {
    return string_value(env, "arguments");
  }
  uint8_t *jpeg = NULL;
  uint8_t *out = NULL;
  size_t length = 0;
  size_t capacity = 0;
  double max_pixels = 0;
  double max_scans = 0;
  if (!bytes_of(env, argv[0], &jpeg, &length) || !bytes_of(env, argv[1], &out, &capacity) ||
      !number_of(env, argv[2], &max_pixels) || !number_of(env, argv[3], &max_scans) ||
      !(max_pixels >= 0) || !(max_scans >= 0)) {
    return string_value(env, "arguments");
  }
  // The scan cap bounds the work a small progressive file can ask for (repeated scans over the whole
  // image); libjpeg has no time limit of its own.
  size_t cap = max_scans > 1e6 ? (size_t)1e6 : (size_t)max_scans;
  if (count_scans(jpeg, length, cap) > cap) return string_value(env, "scans");

  outcome result = {0, 0, 0, 0, NULL};
  decoder d;
  decode(&d, jpeg, length, out, capacity, max_pixels, &result);
  if (result.refusal != NULL) return string_value(env, result.refusal);
  napi_value value;
  if (result.needed > 0) {
    if (napi_create_double(env, (double)result.needed, &value) != napi_ok) return NULL;
    return value;
  }
  napi_value width, height, channels;
  if (napi_create_object(env, &value) != napi_ok ||
      napi_create_uint32(env, result.width, &width) != napi_ok ||
      napi_create_uint32(env, result.height, &height) != napi_ok ||
      napi_create_uint32(env, result.channels, &channels) != napi_ok ||
      napi_set_named_property(env, value, "width", width) != napi_ok ||
      napi_set_named_property(env, value, "height", height) != napi_ok ||
      napi_set_named_property(env, value, "channels", channels) != napi_ok) {
    return NULL;
  }
  return value;
}

// Context-aware: loads in the main thread and in every worker thread, with no shared state.
NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "decodeInto", NAPI_AUTO_LENGTH, decode_into, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "decodeInto", fn) != napi_ok) {
    return NULL;
  }
#ifdef LIBJPEG_TURBO_VERSION
  napi_value version = string_value(env, "libjpeg-turbo " STRINGIFY(LIBJPEG_TURBO_VERSION));
#else
  napi_value version = string_value(env, "libjpeg " STRINGIFY(JPEG_LIB_VERSION));
#endif
  if (version != NULL) napi_set_named_property(env, exports, "library", version);
  return exports;
}
