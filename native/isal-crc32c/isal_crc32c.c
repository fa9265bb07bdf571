// Node-API glue for Intel ISA-L's crc32_iscsi() (CRC-32C, Castagnoli), which picks the fastest
// implementation for the CPU at run time. The algorithm is ISA-L's; this file only reads the
// arguments and hands ISA-L the typed array's own memory (no copy).
//
//   crc32c(buf: Uint8Array, start: number, end: number, initial = 0): number
//
// returns the standard CRC-32C (init and final xor 0xFFFFFFFF, as Kafka's Crc32C) of buf[start, end),
// continuing from `initial`, the CRC-32C of the bytes before it: crc32c(b, m, n, crc32c(b, 0, m)) equals
// crc32c(b, 0, n). ISA-L's crc32_iscsi() neither inverts on entry nor on exit, so both are done here.

#include <isa-l/crc.h>
#include <node_api.h>
#include <stdint.h>

static napi_value fail(napi_env env, const char *msg, int range) {
  if (range) napi_throw_range_error(env, NULL, msg);
  else napi_throw_type_error(env, NULL, msg);
  return NULL;
}

static napi_value crc32c(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_typedarray_type type;
  size_t length;
  void *data;
  int64_t start, end;
  uint32_t crc = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 3) return fail(env, "crc32c(buf, start, end, initial?)", 0);
  bool is_typedarray = false;
  napi_is_typedarray(env, argv[0], &is_typedarray);
  if (!is_typedarray) return fail(env, "buf must be a Uint8Array", 0);
  napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL);
  if (type != napi_uint8_array && type != napi_uint8_clamped_array) return fail(env, "buf must be a Uint8Array", 0);
  if (napi_get_value_int64(env, argv[1], &start) != napi_ok || napi_get_value_int64(env, argv[2], &end) != napi_ok)
    return fail(env, "start and end must be numbers", 0);
  if (start < 0 || end < start || (uint64_t)end > length) return fail(env, "need 0 <= start <= end <= buf.length", 1);
  napi_valuetype t = napi_undefined;
  if (argc > 3) napi_typeof(env, argv[3], &t);
  if (t != napi_undefined && napi_get_value_uint32(env, argv[3], &crc) != napi_ok) return fail(env, "initial must be a number", 0);

  // crc32_iscsi() takes an int length: feed it at most 1 GiB at a time.
  unsigned char *p = (unsigned char *)data + start;
  uint64_t left = (uint64_t)(end - start);
  crc = ~crc;
  while (left > 0) {
    int n = left > (1u << 30) ? (1 << 30) : (int)left;
    crc = crc32_iscsi(p, n, crc);
    p += n;
    left -= (uint64_t)n;
  }
  napi_value result;
  napi_create_uint32(env, ~crc, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "crc32c", NAPI_AUTO_LENGTH, crc32c, NULL, &fn);
  napi_set_named_property(env, exports, "crc32c", fn);
  return exports;
}
